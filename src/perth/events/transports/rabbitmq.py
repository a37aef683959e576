"""RabbitMQ (aio-pika): a durable topic exchange, persistent messages, publisher confirms, TLS.

Each event is one message: the envelope as the body (CloudEvents JSON structured mode,
``content_type`` ``application/cloudevents+json``), ``message_id`` = the event id, ``type`` = the
event type, routing key = the event type (bind ``perth.#``, ``perth.intent.*``...).  A batch is
published without waiting between messages and then every confirm is awaited (batch confirms);
a nack refuses that event, a lost connection fails the batch (it is sent again).  The exchange
keeps nothing by itself: bind a durable queue to receive events published while no consumer runs.
"""

from __future__ import annotations

import asyncio
import contextlib

from perth.errors import TransientError
from perth.events.transports.loop import LoopRunner
from perth.events.transports.port import EventRejectedError, missing_extra

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Sequence
    from typing import Any

    from perth.config import Settings
    from perth.events.records import StoredEvent

CONTENT_TYPE = "application/cloudevents+json"


def _aio_pika() -> Any:
    try:
        import aio_pika
    except ImportError as exc:
        raise missing_extra("rabbitmq", "aio-pika") from exc
    return aio_pika


def tls_context(ca: str, cert: str, key: str) -> ssl.SSLContext:
    """A client TLS context: the system's CAs (or ``ca``), and a client certificate when given."""
    import ssl

    context = ssl.create_default_context(cafile=ca or None)
    if cert:
        context.load_cert_chain(cert, key or None)
    return context


class RabbitMQTransport:
    """Publishes to one durable topic exchange with publisher confirms."""

    def __init__(self, url: str, exchange: str, *, timeout_s: float = 10.0, tls: ssl.SSLContext | None = None) -> None:
        self.url = url
        self.exchange_name = exchange
        self.timeout_s = timeout_s
        self.tls = tls
        _aio_pika()  # fail now, with the pip command, when the extra is missing
        self._runner = LoopRunner()
        self._connection: Any = None
        self._exchange: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RabbitMQTransport:
        url = str(settings.get("events.rabbitmq_url"))
        ca, cert, key = (str(settings.get(f"events.rabbitmq_tls_{k}")) for k in ("ca", "cert", "key"))
        tls = tls_context(ca, cert, key) if url.startswith("amqps://") or ca or cert else None
        return cls(url, str(settings.get("events.rabbitmq_exchange")),
                   timeout_s=float(settings.get_int("events.timeout_s")), tls=tls)

    @property
    def name(self) -> str:
        return "rabbitmq"

    async def _open(self) -> Any:
        aio_pika = _aio_pika()
        if self._exchange is None or self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self.url, timeout=self.timeout_s, ssl_context=self.tls)
            channel = await self._connection.channel(publisher_confirms=True)
            self._exchange = await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.TOPIC,
                                                            durable=True)
        return self._exchange

    async def _publish(self, events: Sequence[StoredEvent]) -> list[Any]:
        aio_pika = _aio_pika()
        exchange = await self._open()
        sends = [exchange.publish(
            aio_pika.Message(e.body.encode(), content_type=CONTENT_TYPE, message_id=e.id, type=e.type,
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT, app_id="perth"),
            routing_key=e.type, mandatory=False) for e in events]
        return list(await asyncio.gather(*sends, return_exceptions=True))

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        try:
            results = self._runner.run(self._publish(events), self.timeout_s + len(events) / 1000)
        except Exception as exc:
            self._drop()
            raise TransientError(f"RabbitMQ at {self._where()} is unreachable: {exc!r}",
                                 "check the broker; events wait in the outbox") from exc
        aio_pika = _aio_pika()
        for index, result in enumerate(results):
            if isinstance(result, aio_pika.exceptions.DeliveryError):
                raise EventRejectedError(index, f"RabbitMQ refused event {events[index].id} (nack)")
            if isinstance(result, BaseException):
                self._drop()
                raise TransientError(f"RabbitMQ lost the connection mid-batch: {result!r}",
                                     "the batch is sent again") from result

    def _where(self) -> str:
        tail = self.url.split("@", 1)[-1]
        return tail.split("://", 1)[-1].split("/", 1)[0]

    def _drop(self) -> None:
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken: closing is best effort
                self._runner.run(connection.close(), 2.0)

    def close(self) -> None:
        self._drop()
        self._runner.close()


class RabbitMQConsumer:
    """Reads events from an exclusive queue bound to the exchange (``perth events consume``, tests)."""

    def __init__(self, url: str, exchange: str, binding: str = "#", *, timeout_s: float = 10.0,
                 tls: ssl.SSLContext | None = None) -> None:
        self.url, self.exchange_name, self.binding = url, exchange, binding
        self.timeout_s, self.tls = timeout_s, tls
        self._runner = LoopRunner()
        self._connection: Any = None
        self._queue: Any = None

    async def _open(self) -> None:
        aio_pika = _aio_pika()
        self._connection = await aio_pika.connect(self.url, timeout=self.timeout_s, ssl_context=self.tls)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=1000)
        exchange = await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        self._queue = await channel.declare_queue(exclusive=True)
        await self._queue.bind(exchange, self.binding)
        self._inbox: asyncio.Queue[bytes] = asyncio.Queue()
        await self._queue.consume(self._on_message, no_ack=True)

    async def _on_message(self, message: Any) -> None:
        self._inbox.put_nowait(bytes(message.body))

    def open(self) -> RabbitMQConsumer:
        """Bind the queue: events published from now on are kept for :meth:`receive`."""
        self._runner.run(self._open(), self.timeout_s)
        return self

    async def _receive(self, wait_s: float) -> list[bytes]:
        try:
            got = [await asyncio.wait_for(self._inbox.get(), wait_s)]
        except TimeoutError:
            return []
        await asyncio.sleep(0.01)
        while not self._inbox.empty():
            got.append(self._inbox.get_nowait())
        return got

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        """The bodies waiting now (waiting up to ``wait_s`` for the first one)."""
        return self._runner.run(self._receive(wait_s))

    def close(self) -> None:
        if self._connection is not None:
            self._runner.run(self._connection.close(), 5.0)
        self._runner.close()
