"""The real brokers on 127.0.0.1 (started by .ci/run): unique names per test, and one consumer each."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

PORTS = {"rabbitmq": 5672, "nats": 4222, "mqtt": 1883, "redis": 6379}


class Consumer(Protocol):
    def receive(self, wait_s: float = 1.0) -> list[bytes]: ...
    def close(self) -> None: ...


def require(transport: str) -> None:
    """Fail (never skip) when a broker the suite needs is down: .ci/run starts them."""
    port = PORTS.get(transport)
    if port is None:
        return
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as exc:
        raise AssertionError(f"{transport} is not listening on 127.0.0.1:{port} ({exc}); run .ci/run or start it "
                             "as the project's prompt says") from exc


@dataclass
class Broker:
    """One transport configured with names nobody else uses, and how to read what it got."""

    name: str
    env: dict[str, str]
    consumer: Callable[[], Consumer]
    upstream: int | None = None  # the port a proxy must forward to (the broker's, by default)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


#: What the tests created on the shared brokers, removed by :func:`clean_up` (never the brokers themselves).
CLEANUPS: list[Callable[[], None]] = []


def clean_up() -> None:
    """Delete every exchange, stream and key the tests created; close webhook receivers."""
    while CLEANUPS:
        try:
            CLEANUPS.pop()()
        except Exception as exc:
            print(f"clean-up failed: {exc!r}")


def _delete_exchange(name: str) -> None:
    import asyncio

    import aio_pika

    async def run() -> None:
        connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        channel = await connection.channel()
        await channel.exchange_delete(name)
        await connection.close()

    asyncio.run(run())


def _delete_stream(name: str) -> None:
    import asyncio

    import nats

    async def run() -> None:
        nc = await nats.connect("nats://127.0.0.1:4222")
        await nc.jetstream().delete_stream(name)
        await nc.close()

    asyncio.run(run())


def _delete_key(key: str) -> None:
    import redis as client

    connection = client.Redis(host="127.0.0.1", port=6379)
    connection.delete(key)
    connection.close()


def rabbitmq(port: int = 5672) -> Broker:
    from perth.events.transports.rabbitmq import RabbitMQConsumer

    exchange = unique("perth.test.")
    CLEANUPS.append(lambda: _delete_exchange(exchange))
    url = f"amqp://guest:guest@127.0.0.1:{port}/"
    return Broker("rabbitmq", {"PERTH_EVENTS__RABBITMQ_URL": url, "PERTH_EVENTS__RABBITMQ_EXCHANGE": exchange},
                  lambda: RabbitMQConsumer("amqp://guest:guest@127.0.0.1:5672/", exchange).open())


def nats(port: int = 4222) -> Broker:
    from perth.events.transports.nats import NatsConsumer

    stream, subject = unique("PERTH_TEST_"), unique("perth.test.")
    CLEANUPS.append(lambda: _delete_stream(stream))
    return Broker("nats", {"PERTH_EVENTS__NATS_URL": f"nats://127.0.0.1:{port}", "PERTH_EVENTS__NATS_STREAM": stream,
                           "PERTH_EVENTS__NATS_SUBJECT": subject},
                  lambda: NatsConsumer("nats://127.0.0.1:4222", stream, subject).open())


def redis(port: int = 6379) -> Broker:
    from perth.events.transports.redis import RedisConsumer

    stream = unique("perth:test:")
    CLEANUPS.append(lambda: _delete_key(stream))
    return Broker("redis", {"PERTH_EVENTS__REDIS_URL": f"redis://127.0.0.1:{port}/0",
                            "PERTH_EVENTS__REDIS_STREAM": stream},
                  lambda: RedisConsumer("redis://127.0.0.1:6379/0", stream).open())


def mqtt(port: int = 1883) -> Broker:
    from perth.events.transports.mqtt import MqttConsumer

    topic = unique("perth-test/")
    return Broker("mqtt", {"PERTH_EVENTS__MQTT_URL": f"mqtt://127.0.0.1:{port}", "PERTH_EVENTS__MQTT_TOPIC": topic},
                  lambda: MqttConsumer("mqtt://127.0.0.1:1883", topic).open())


def webhook(port: int | None = None) -> Broker:
    """A signed-webhook receiver on a free port (the proxy, when given, forwards ``port`` to it)."""
    from perth.events.consume import WebhookReceiver

    secret = unique("s3cret-")
    receiver = WebhookReceiver(secret)
    CLEANUPS.append(receiver.close)
    target = port or receiver.port
    return Broker("webhook", {"PERTH_EVENTS__WEBHOOK_URL": f"http://127.0.0.1:{target}/hooks/perth",
                              "PERTH_EVENTS__WEBHOOK_SECRET": secret},
                  receiver.open, upstream=receiver.port)


BROKERS: dict[str, Callable[..., Broker]] = {"rabbitmq": rabbitmq, "nats": nats, "redis": redis, "mqtt": mqtt,
                                             "webhook": webhook}


def drain_consumer(consumer: Consumer, expected: int, wait_s: float = 20.0) -> list[bytes]:
    """Everything the consumer receives until ``expected`` distinct ids arrived (or the time is up)."""
    import json
    import time

    got: list[bytes] = []
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and len({json.loads(b)["id"] for b in got}) < expected:
        got.extend(consumer.receive(0.5))
    return got


def env_with(**extra: Any) -> dict[str, str]:
    return {**os.environ, **{k: str(v) for k, v in extra.items()}}
