"""The circuit breaker: transitions, persistence across store connections, trial-call claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from perth.errors import CircuitOpenError
from perth.resilience.breaker import CircuitBreaker
from perth.resilience.policy import BreakerPolicy
from perth.store.sqlite import SQLiteStore


class Clock:
    def __init__(self, now: int = 1_700_000_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "breakers.db")


def make(store: SQLiteStore, clock: Clock, threshold: int = 3, cooldown_s: float = 300) -> CircuitBreaker:
    return CircuitBreaker(store, "llm:test", BreakerPolicy(threshold=threshold, cooldown_s=cooldown_s), clock,
                          probe_ms=10_000)


def test_opens_after_threshold_consecutive_failures(store: SQLiteStore) -> None:
    clock = Clock()
    breaker = make(store, clock)
    for expected in ("closed", "closed", "open"):
        breaker.admit()
        assert breaker.record_failure("boom", 5).state == expected
    with pytest.raises(CircuitOpenError) as caught:
        breaker.admit()
    assert "3 consecutive failures" in caught.value.what
    assert "boom" in caught.value.what
    assert "perth providers reset" in caught.value.fix


def test_a_success_resets_the_count(store: SQLiteStore) -> None:
    clock = Clock()
    breaker = make(store, clock)
    breaker.record_failure("a")
    breaker.record_failure("b")
    assert breaker.record_success(12).failures == 0
    breaker.record_failure("c")
    breaker.record_failure("d")
    assert breaker.state().state == "closed"


def test_a_rejection_closes_without_counting(store: SQLiteStore) -> None:
    clock = Clock()
    breaker = make(store, clock)
    breaker.record_failure("a")
    breaker.record_failure("b")
    state = breaker.record_rejection("401 unauthorized", 20)
    assert (state.state, state.failures, state.last_error) == ("closed", 0, "401 unauthorized")


def test_half_open_after_cooldown_then_closes_on_success(store: SQLiteStore) -> None:
    clock = Clock()
    breaker = make(store, clock, threshold=1, cooldown_s=300)
    breaker.record_failure("down")
    clock.now += 299_999
    with pytest.raises(CircuitOpenError):
        breaker.admit()
    clock.now += 1
    breaker.admit()
    assert breaker.state().state == "half_open"
    assert breaker.record_success(40).state == "closed"
    breaker.admit()


def test_failed_trial_reopens_for_a_whole_cooldown(store: SQLiteStore) -> None:
    clock = Clock()
    breaker = make(store, clock, threshold=3, cooldown_s=60)
    for _ in range(3):
        breaker.record_failure("down")
    clock.now += 60_000
    breaker.admit()
    reopened = breaker.record_failure("still down")
    assert reopened.state == "open"
    assert reopened.opened_at == clock.now
    clock.now += 59_000
    with pytest.raises(CircuitOpenError):
        breaker.admit()


def test_only_one_trial_call_at_a_time(tmp_path: Path) -> None:
    clock = Clock()
    first = make(SQLiteStore(tmp_path / "shared.db"), clock, threshold=1, cooldown_s=1)
    second = make(SQLiteStore(tmp_path / "shared.db"), clock, threshold=1, cooldown_s=1)
    first.record_failure("down")
    clock.now += 1_000
    first.admit()
    with pytest.raises(CircuitOpenError):
        second.admit()
    clock.now += 10_000  # the first trial's claim expired (it crashed, say)
    second.admit()
    assert second.state().state == "half_open"


def test_state_survives_reopening_the_store(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "persist.db"
    writer = SQLiteStore(path)
    breaker = make(writer, clock, threshold=2)
    breaker.record_failure("one")
    breaker.record_failure("two")
    writer.close()
    reader = make(SQLiteStore(path), clock, threshold=2)
    state = reader.state()
    assert (state.state, state.failures, state.last_error) == ("open", 2, "two")
    with pytest.raises(CircuitOpenError):
        reader.admit()


def test_reset_closes(store: SQLiteStore) -> None:
    clock = Clock()
    breaker = make(store, clock, threshold=1)
    breaker.record_failure("down")
    assert breaker.reset().state == "closed"
    breaker.admit()
    assert [b.name for b in store.breakers.all()] == ["llm:test"]
