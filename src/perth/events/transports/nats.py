"""NATS JetStream (nats-py): the stream is created when missing; each publish is acknowledged.

An event goes to ``<events.nats_subject>.<type>`` with the header ``Nats-Msg-Id`` = the event id,
so JetStream itself drops a re-sent event inside its duplicate window (2 minutes by default).
The stream ``events.nats_stream`` takes ``<events.nats_subject>.>``.  A batch is published
concurrently and every PubAck awaited; an API error (stream full, wrong subject) refuses that
event, a lost connection or a timeout fails the batch.
"""

from __future__ import annotations

import asyncio
import contextlib

from perth.errors import TransientError
from perth.events.transports.loop import LoopRunner
from perth.events.transports.port import EventRejectedError, missing_extra

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.config import Settings
    from perth.events.records import StoredEvent


def _nats() -> Any:
    try:
        import nats
        import nats.js.errors
    except ImportError as exc:
        raise missing_extra("nats", "nats-py") from exc
    return nats


async def _quiet(_error: Exception) -> None:
    """nats-py prints every connection error by default; Perth reports them as one line instead."""


async def _connect(url: str, timeout_s: float) -> Any:
    # max_reconnect_attempts=0 would make nats-py retry the first connect forever: one retry, then give up.
    return await _nats().connect(url, connect_timeout=timeout_s, allow_reconnect=False, max_reconnect_attempts=1,
                                 reconnect_time_wait=0.1, error_cb=_quiet)


async def ensure_stream(js: Any, stream: str, subject: str) -> None:
    """Create the stream when it does not exist yet."""
    nats = _nats()
    try:
        await js.stream_info(stream)
    except nats.js.errors.NotFoundError:
        await js.add_stream(name=stream, subjects=[f"{subject}.>"])


class NatsTransport:
    """Publishes to a JetStream stream with acknowledgements and de-duplication ids."""

    def __init__(self, url: str, stream: str, subject: str, *, timeout_s: float = 10.0) -> None:
        self.url, self.stream, self.subject, self.timeout_s = url, stream, subject, timeout_s
        _nats()  # fail now, with the pip command, when the extra is missing
        self._runner = LoopRunner()
        self._nc: Any = None
        self._js: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> NatsTransport:
        return cls(str(settings.get("events.nats_url")), str(settings.get("events.nats_stream")),
                   str(settings.get("events.nats_subject")), timeout_s=float(settings.get_int("events.timeout_s")))

    @property
    def name(self) -> str:
        return "nats"

    async def _open(self) -> Any:
        if self._js is None or self._nc is None or not self._nc.is_connected:
            self._nc = await _connect(self.url, self.timeout_s)
            self._js = self._nc.jetstream()
            await ensure_stream(self._js, self.stream, self.subject)
        return self._js

    async def _publish(self, events: Sequence[StoredEvent]) -> list[Any]:
        js = await self._open()
        sends = [js.publish(f"{self.subject}.{e.type}", e.body.encode(), timeout=self.timeout_s, stream=self.stream,
                            headers={"Nats-Msg-Id": e.id}) for e in events]
        return list(await asyncio.gather(*sends, return_exceptions=True))

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        try:
            results = self._runner.run(self._publish(events), self.timeout_s * 2)
        except Exception as exc:
            self._drop()
            raise TransientError(f"NATS at {self.url} is unreachable: {exc!r}",
                                 "check the server (JetStream enabled: nats-server -js); events wait in the outbox"
                                 ) from exc
        nats = _nats()
        for index, result in enumerate(results):
            if isinstance(result, nats.js.errors.APIError):
                raise EventRejectedError(index, f"JetStream refused event {events[index].id}: {result}")
            if isinstance(result, BaseException):
                self._drop()
                raise TransientError(f"NATS failed mid-batch: {result!r}", "the batch is sent again") from result

    def _drop(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None:
            with contextlib.suppress(Exception):  # already broken: closing is best effort
                self._runner.run(nc.close(), 2.0)

    def close(self) -> None:
        self._drop()
        self._runner.close()


class NatsConsumer:
    """Reads the stream from its start with an ordered consumer (``perth events consume``, tests)."""

    def __init__(self, url: str, stream: str, subject: str, *, timeout_s: float = 10.0) -> None:
        self.url, self.stream, self.subject, self.timeout_s = url, stream, subject, timeout_s
        self._runner = LoopRunner()
        self._nc: Any = None
        self._sub: Any = None

    async def _open(self) -> None:
        self._nc = await _connect(self.url, self.timeout_s)
        js = self._nc.jetstream()
        await ensure_stream(js, self.stream, self.subject)
        self._sub = await js.subscribe(f"{self.subject}.>", stream=self.stream, ordered_consumer=True)

    def open(self) -> NatsConsumer:
        self._runner.run(self._open(), self.timeout_s)
        return self

    async def _receive(self, wait_s: float) -> list[bytes]:
        nats = _nats()
        got: list[bytes] = []
        timeout = wait_s
        while True:
            try:
                message = await self._sub.next_msg(timeout=timeout)
            except nats.errors.TimeoutError:
                return got
            got.append(bytes(message.data))
            timeout = 0.05

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        return self._runner.run(self._receive(wait_s))

    def close(self) -> None:
        if self._nc is not None:
            self._runner.run(self._nc.close(), 5.0)
        self._runner.close()
