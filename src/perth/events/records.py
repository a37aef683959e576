"""The records of the outbox: stored events, delivery cursors and dead letters (leaves)."""

from __future__ import annotations

from perth.record import Record


class StoredEvent(Record):
    """One event in the outbox.

    Attributes:
        seq: position in the outbox (delivery order; 0 before it is stored).
        id: the CloudEvents ``id`` (UUIDv7), the idempotency key of every delivery.
        type: the CloudEvents ``type`` (``perth.intent.logged``...).
        source: the CloudEvents ``source`` (``perth://<host>/<user>``).
        time_ms: the CloudEvents ``time`` (UTC ms).
        body: the whole envelope, JSON structured mode, exactly as it goes on the wire.
    """

    id: str
    type: str
    source: str
    time_ms: int
    body: str
    seq: int = 0


class DeliveryCursor(Record):
    """How far one transport has got through the outbox.

    Attributes:
        transport: the transport's name (``rabbitmq``, ``nats``...).
        delivered_seq: every event up to this ``seq`` has been delivered (or dead-lettered).
        attempts: failed attempts at the next event (reset when it is delivered).
        next_at: no attempt before this time (UTC ms): the backoff after a failure.
        last_error: the last failure, one redacted line.
        updated_at: last change (UTC ms).
    """

    transport: str
    delivered_seq: int = 0
    attempts: int = 0
    next_at: int = 0
    last_error: str | None = None
    updated_at: int = 0


class DeadLetter(Record):
    """An event a transport refused ``attempts`` times: kept for ``perth events dlq``."""

    transport: str
    event: StoredEvent
    attempts: int
    error: str
    dead_at: int


class OutboxStats(Record):
    """Size of the outbox: how many events it keeps and the newest ``seq``."""

    events: int
    last_seq: int
    oldest_ms: int | None = None
