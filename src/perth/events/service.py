"""What ``perth events`` does: status, tail, replay, flush, the dead-letter queue and consumers."""

from __future__ import annotations

import time

from perth.errors import InvalidInputError, NotFoundError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from perth.config import Settings
    from perth.events.consume import Consumer
    from perth.events.dispatch import DrainReport
    from perth.events.records import DeadLetter, OutboxStats, StoredEvent
    from perth.events.transports.port import Transport
    from perth.runtime import Runtime


class TransportStatus(Record):
    """One transport: its breaker, what waits for it, why it last failed."""

    name: str
    breaker: str
    backlog: int
    delivered_seq: int
    attempts: int
    next_at: int | None
    last_error: str | None
    oldest_pending_ms: int | None
    dead: int


class EventsStatus(Record):
    """``perth events status``: the outbox and every configured transport."""

    outbox: OutboxStats
    transports: tuple[TransportStatus, ...]
    dead: int


class DeadLetterChange(Record):
    """What ``dlq retry`` or ``dlq drop`` did."""

    action: str
    changed: tuple[DeadLetter, ...]
    failed: tuple[tuple[DeadLetter, str], ...] = ()


def _transport_status(rt: Runtime, name: str, stats: OutboxStats) -> TransportStatus:
    from perth.events.dispatch import breaker_for

    cursor = rt.store.outbox.cursor(name)
    pending = rt.store.outbox.after(cursor.delivered_seq, 1)
    return TransportStatus(
        name=name, breaker=breaker_for(rt, name).state().state, backlog=max(0, stats.last_seq - cursor.delivered_seq),
        delivered_seq=cursor.delivered_seq, attempts=cursor.attempts, next_at=cursor.next_at or None,
        last_error=cursor.last_error, oldest_pending_ms=pending[0].time_ms if pending else None,
        dead=len(rt.store.outbox.dead(name)))


def status(rt: Runtime) -> EventsStatus:
    """The outbox's size and each configured transport's state."""
    from perth.events.transports import configured

    stats = rt.store.outbox.stats()
    rows = tuple(_transport_status(rt, name, stats) for name in configured(rt.settings))
    return EventsStatus(outbox=stats, transports=rows, dead=len(rt.store.outbox.dead()))


def check_types(types: Sequence[str]) -> tuple[str, ...]:
    from perth.events.types import EVENT_TYPES

    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise InvalidInputError(f"unknown event type(s): {', '.join(unknown)}",
                                f"use any of {', '.join(EVENT_TYPES)}")
    return tuple(types)


def tail(rt: Runtime, types: Sequence[str] = (), limit: int = 20) -> list[StoredEvent]:
    """The newest events in the outbox, oldest first."""
    return rt.store.outbox.recent(limit, types=check_types(types))


def follow(rt: Runtime, types: Sequence[str], after_seq: int, *, poll_s: float = 0.5,
           sleep: Callable[[float], object] = time.sleep) -> Iterator[StoredEvent]:
    """Events appended after ``after_seq``, as they come (``tail --follow``; stops with Ctrl-C)."""
    wanted = set(check_types(types))
    while True:
        batch = rt.store.outbox.after(after_seq, 500)
        for event in batch:
            if not wanted or event.type in wanted:
                yield event
        if batch:
            after_seq = batch[-1].seq
        else:
            sleep(poll_s)


def _pick(settings: Settings, only: Sequence[str]) -> list[str]:
    from perth.errors import ConfigError
    from perth.events.transports import configured

    names = configured(settings)
    if not names:
        raise ConfigError("no events transport is configured",
                          "perth config set events.transports rabbitmq (or nats, mqtt, redis, webhook)")
    missing = [n for n in only if n not in names]
    if missing:
        raise ConfigError(f"transport(s) not in events.transports: {', '.join(missing)}",
                          f"use any of {', '.join(names)}, or add them to events.transports")
    return list(only) or list(names)


def _with_transports(rt: Runtime, only: Sequence[str],
                     work: Callable[[dict[str, Transport]], DrainReport | list[DrainReport]]) -> list[DrainReport]:
    from perth.events.transports import open_transport

    opened = {name: open_transport(name, rt.settings) for name in _pick(rt.settings, only)}
    try:
        result = work(opened)
    finally:
        for transport in opened.values():
            transport.close()
    return result if isinstance(result, list) else [result]


def flush_now(rt: Runtime, only: Sequence[str] = ()) -> list[DrainReport]:
    """``perth events flush``: drain the outbox now (the daemon's task, on demand)."""
    from perth.events.dispatch import flush

    return _with_transports(rt, only, lambda opened: flush(rt, opened))


def replay(rt: Runtime, since_ms: int, *, only: Sequence[str] = (), types: Sequence[str] = ()) -> list[DrainReport]:
    """Publish again every retained event since ``since_ms`` (cursors do not move; receivers de-duplicate)."""
    from perth.events.dispatch import DrainReport

    wanted = check_types(types)

    def send(opened: dict[str, Transport]) -> list[DrainReport]:
        reports = []
        for name, transport in opened.items():
            sent = last = 0
            while batch := rt.store.outbox.since(since_ms, types=wanted, limit=500, after_seq=last):
                transport.publish(batch)
                sent, last = sent + len(batch), batch[-1].seq
            reports.append(DrainReport(transport=name, delivered=sent))
        return reports

    return _with_transports(rt, only, send)


def dead_letters(rt: Runtime, transport: str | None = None) -> list[DeadLetter]:
    """The dead-letter queue (of one transport, or all)."""
    return rt.store.outbox.dead(transport)


def _select(rt: Runtime, transport: str | None, ids: Sequence[str]) -> list[DeadLetter]:
    letters = rt.store.outbox.dead(transport)
    if not ids:
        return letters
    chosen = [d for d in letters if any(d.event.id == i or d.event.id.endswith(i) for i in ids)]
    missing = [i for i in ids if not any(d.event.id == i or d.event.id.endswith(i) for d in chosen)]
    if missing:
        raise NotFoundError(f"no dead letter with id {', '.join(missing)}", "list them with `perth events dlq list`")
    return chosen


def dlq_drop(rt: Runtime, transport: str | None, ids: Sequence[str]) -> DeadLetterChange:
    """Forget dead letters for good."""
    chosen = _select(rt, transport, ids)
    with rt.store.unit():
        for letter in chosen:
            rt.store.outbox.unbury(letter.transport, letter.event.id)
    return DeadLetterChange(action="drop", changed=tuple(chosen))


def dlq_retry(rt: Runtime, transport: str | None, ids: Sequence[str]) -> DeadLetterChange:
    """Publish dead letters again, each to its transport; those delivered leave the queue."""
    from perth.errors import PerthError
    from perth.events.transports import open_transport

    chosen = _select(rt, transport, ids)
    done: list[DeadLetter] = []
    failed: list[tuple[DeadLetter, str]] = []
    for name in dict.fromkeys(d.transport for d in chosen):
        sender = open_transport(name, rt.settings)
        try:
            for letter in (d for d in chosen if d.transport == name):
                try:
                    sender.publish([letter.event])
                except PerthError as exc:
                    failed.append((letter, str(rt.redact(exc.what, "event"))))
                    continue
                rt.store.outbox.unbury(name, letter.event.id)
                done.append(letter)
        finally:
            sender.close()
    return DeadLetterChange(action="retry", changed=tuple(done), failed=tuple(failed))


def open_consumer(settings: Settings, name: str, *, listen: str = "127.0.0.1:8765") -> Consumer:
    """A consumer of one transport, built from the same settings Perth publishes with."""
    from perth.events.transports import TRANSPORTS

    get = settings.get
    timeout = float(settings.get_int("events.timeout_s"))
    if name == "rabbitmq":
        from perth.events.transports.rabbitmq import RabbitMQConsumer, RabbitMQTransport

        tls = RabbitMQTransport.from_settings(settings).tls
        return RabbitMQConsumer(str(get("events.rabbitmq_url")), str(get("events.rabbitmq_exchange")),
                                timeout_s=timeout, tls=tls).open()
    if name == "nats":
        from perth.events.transports.nats import NatsConsumer

        return NatsConsumer(str(get("events.nats_url")), str(get("events.nats_stream")),
                            str(get("events.nats_subject")), timeout_s=timeout).open()
    if name == "mqtt":
        from perth.events.transports.mqtt import MqttConsumer

        return MqttConsumer(str(get("events.mqtt_url")), str(get("events.mqtt_topic")), timeout_s=timeout).open()
    if name == "redis":
        from perth.events.transports.redis import RedisConsumer

        return RedisConsumer(str(get("events.redis_url")), str(get("events.redis_stream")), timeout_s=timeout).open()
    if name == "webhook":
        return _webhook_receiver(settings, listen)
    raise InvalidInputError(f"unknown transport {name!r}", f"use any of {', '.join(TRANSPORTS)}")


def _webhook_receiver(settings: Settings, listen: str) -> Consumer:
    from perth.errors import ConfigError
    from perth.events.consume import WebhookReceiver

    secret = str(settings.get("events.webhook_secret"))
    if not secret:
        raise ConfigError("receiving webhooks needs events.webhook_secret to check signatures",
                          "perth config set events.webhook_secret <the sender's secret>")
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise InvalidInputError(f"--listen must be HOST:PORT (got {listen!r})", "e.g. --listen 127.0.0.1:8765")
    return WebhookReceiver(secret, host or "127.0.0.1", int(port),
                           tolerance_s=settings.get_int("events.webhook_tolerance_s")).open()


def consume(consumer: Consumer, *, count: int | None = None, timeout_s: float | None = None,
            dedup: bool = True) -> Iterator[bytes]:
    """What arrives, de-duplicated by event id, until ``count`` events or ``timeout_s`` of silence."""
    from perth.events.consume import Deduplicator

    seen = Deduplicator()
    delivered = 0
    quiet_since = time.monotonic()
    while count is None or delivered < count:
        got = consumer.receive(0.5)
        if not got and timeout_s is not None and time.monotonic() - quiet_since > timeout_s:
            return
        for body in got:
            quiet_since = time.monotonic()
            if dedup and seen.accept(body) is None:
                continue
            yield body
            delivered += 1
            if count is not None and delivered >= count:
                return
