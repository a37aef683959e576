"""The outbox port: events in commit order, per-transport cursors, dead letters, pruning."""

from __future__ import annotations

import pytest

from perth.errors import StoreError
from perth.events.records import DeliveryCursor, StoredEvent
from perth.store.port import Store

PORT = "outbox"


def event(n: int, event_type: str = "perth.intent.logged") -> StoredEvent:
    return StoredEvent(id=f"id-{n:03d}", type=event_type, source="perth://h/u", time_ms=1000 + n, body=f'{{"n":{n}}}')


def test_events_come_back_in_commit_order_with_their_seq(store: Store) -> None:
    for n in range(5):
        store.outbox.append(event(n, "perth.pane.created" if n % 2 else "perth.intent.logged"))
    after = store.outbox.after(2, 10)
    assert [e.id for e in after] == ["id-002", "id-003", "id-004"]
    assert [e.seq for e in after] == [3, 4, 5]
    assert after[0] == StoredEvent(seq=3, **{k: getattr(event(2), k) for k in ("id", "type", "source", "time_ms",
                                                                                 "body")})
    assert [e.id for e in store.outbox.recent(2)] == ["id-003", "id-004"]
    assert [e.id for e in store.outbox.recent(9, types=("perth.pane.created",))] == ["id-001", "id-003"]
    assert [e.id for e in store.outbox.since(1003)] == ["id-003", "id-004"]
    assert [e.id for e in store.outbox.since(1001, limit=2, after_seq=3)] == ["id-003", "id-004"]
    stats = store.outbox.stats()
    assert (stats.events, stats.last_seq, stats.oldest_ms) == (5, 5, 1000)


def test_a_duplicate_id_is_a_store_error(store: Store) -> None:
    store.outbox.append(event(1))
    with pytest.raises(StoreError):
        store.outbox.append(event(1))


def test_cursors_start_at_zero_and_are_replaced(store: Store) -> None:
    assert store.outbox.cursor("rabbitmq") == DeliveryCursor(transport="rabbitmq")
    moved = DeliveryCursor(transport="rabbitmq", delivered_seq=7, attempts=2, next_at=99, last_error="down",
                           updated_at=5)
    store.outbox.put_cursor(moved)
    assert store.outbox.cursor("rabbitmq") == moved
    assert store.outbox.cursor("nats").delivered_seq == 0


def test_dead_letters_are_kept_per_transport_until_dropped(store: Store) -> None:
    store.outbox.append(event(1))
    [stored] = store.outbox.after(0, 1)
    store.outbox.bury("webhook", stored, 10, "HTTP 400", at=50)
    store.outbox.bury("redis", stored, 3, "too large", at=60)
    assert [(d.transport, d.event, d.attempts) for d in store.outbox.dead()] == [
        ("redis", stored, 3), ("webhook", stored, 10)]
    assert [d.error for d in store.outbox.dead("webhook")] == ["HTTP 400"]
    assert store.outbox.unbury("webhook", stored.id) is True
    assert store.outbox.unbury("webhook", stored.id) is False
    assert [d.transport for d in store.outbox.dead()] == ["redis"]


def test_prune_keeps_what_is_recent_or_undelivered(store: Store) -> None:
    for n in range(6):
        store.outbox.append(event(n))
    assert store.outbox.prune(before_ms=1004, upto_seq=2) == 2
    assert [e.id for e in store.outbox.after(0, 10)] == ["id-002", "id-003", "id-004", "id-005"]
    store.outbox.append(event(9))
    assert store.outbox.after(0, 10)[-1].seq == 7  # a seq is never reused
