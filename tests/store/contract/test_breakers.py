"""The breakers port: one circuit breaker's state per protected dependency."""

from __future__ import annotations

from perth.resilience.state import BreakerState
from perth.store.port import Store

PORT = "breakers"


def test_state_is_inserted_then_replaced(store: Store) -> None:
    assert store.breakers.get("llm:anthropic") is None
    first = BreakerState(name="llm:anthropic", failures=1, last_failure_at=5, last_error="timeout", updated_at=5)
    store.breakers.put(first)
    assert store.breakers.get("llm:anthropic") == first
    opened = BreakerState(name="llm:anthropic", state="open", failures=3, opened_at=9, probe_until=12,
                          last_latency_ms=30_000, last_success_at=1, last_failure_at=9, updated_at=9)
    store.breakers.put(opened)
    assert store.breakers.get("llm:anthropic") == opened


def test_all_lists_by_name(store: Store) -> None:
    for name in ("llm:openai", "events:rabbitmq", "llm:anthropic"):
        store.breakers.put(BreakerState(name=name, updated_at=1))
    assert [b.name for b in store.breakers.all()] == ["events:rabbitmq", "llm:anthropic", "llm:openai"]
