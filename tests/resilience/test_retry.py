"""Retries: which errors, how long between tries, Retry-After, and the breaker seeing one outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import CircuitOpenError, InvalidInputError, ProviderRejectedError, TransientError
from perth.resilience.breaker import CircuitBreaker
from perth.resilience.call import Attempt, backoff_s, resilient_call, with_retries
from perth.resilience.policy import BreakerPolicy, RetryPolicy
from perth.store.sqlite import SQLiteStore


class Script:
    """A callable that raises the scripted errors in order, then returns ``value``."""

    def __init__(self, *errors: Exception, value: str = "ok") -> None:
        self.errors = list(errors)
        self.calls = 0
        self.value = value

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.value


def sleeps() -> tuple[list[float], object]:
    waited: list[float] = []
    return waited, waited.append


POLICY = RetryPolicy(retries=3, base_delay_s=0.5, max_delay_s=8.0)


def test_transient_errors_are_retried_until_success() -> None:
    waited: list[float] = []
    fn = Script(TransientError("timeout"), TransientError("503"))
    attempts: list[Attempt] = []
    assert with_retries(fn, POLICY, sleep=waited.append, draw=lambda: 1.0, attempts=attempts) == "ok"
    assert fn.calls == 3
    assert waited == [0.5, 1.0]
    assert [a.error for a in attempts] == ["timeout", "503", None]


def test_gives_up_after_the_retries_and_reraises_the_last_error() -> None:
    waited: list[float] = []
    fn = Script(*(TransientError(f"fail {i}") for i in range(10)))
    with pytest.raises(TransientError, match="fail 3"):
        with_retries(fn, POLICY, sleep=waited.append, draw=lambda: 1.0)
    assert fn.calls == 4
    assert waited == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("error", [ProviderRejectedError("401 unauthorized"), ProviderRejectedError("400"),
                                   InvalidInputError("bad"), ValueError("bug")])
def test_other_errors_are_never_retried(error: Exception) -> None:
    waited: list[float] = []
    fn = Script(error)
    with pytest.raises(type(error)):
        with_retries(fn, POLICY, sleep=waited.append)
    assert fn.calls == 1
    assert waited == []


def test_retry_after_is_honoured() -> None:
    waited: list[float] = []
    fn = Script(TransientError("429", retry_after_s=3.0))
    assert with_retries(fn, POLICY, sleep=waited.append, draw=lambda: 0.0) == "ok"
    assert waited == [3.0]


def test_a_retry_after_beyond_the_longest_delay_is_not_waited_for() -> None:
    waited: list[float] = []
    fn = Script(TransientError("429", retry_after_s=3600.0))
    with pytest.raises(TransientError):
        with_retries(fn, POLICY, sleep=waited.append)
    assert (fn.calls, waited) == (1, [])


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0.0, max_value=1.0),
       st.floats(min_value=0.001, max_value=5.0), st.floats(min_value=0.001, max_value=60.0))
def test_backoff_is_bounded_and_grows(retry: int, draw: float, base: float, ceiling: float) -> None:
    policy = RetryPolicy(retries=50, base_delay_s=base, max_delay_s=ceiling)
    delay = backoff_s(policy, retry, lambda: draw)
    cap = min(ceiling, base * 2 ** (retry - 1))
    assert 0.0 <= delay <= cap + 1e-9
    assert backoff_s(policy, retry + 1, lambda: draw) >= delay - 1e-9


def breaker(tmp_path: Path) -> CircuitBreaker:
    clock = iter(range(1_000_000, 10_000_000, 10))
    return CircuitBreaker(SQLiteStore(tmp_path / "b.db"), "llm:x", BreakerPolicy(threshold=2, cooldown_s=300),
                          lambda: next(clock))


def test_the_breaker_counts_one_failure_per_call_not_per_try(tmp_path: Path) -> None:
    guard = breaker(tmp_path)
    fn = Script(*(TransientError("down") for _ in range(20)))
    for _ in range(2):
        with pytest.raises(TransientError):
            resilient_call(fn, POLICY, guard, sleep=lambda _s: None)
    assert fn.calls == 8
    assert guard.state().state == "open"
    with pytest.raises(CircuitOpenError):
        resilient_call(fn, POLICY, guard, sleep=lambda _s: None)
    assert fn.calls == 8


def test_success_and_rejection_are_recorded(tmp_path: Path) -> None:
    guard = breaker(tmp_path)
    assert resilient_call(Script(TransientError("blip")), POLICY, guard, sleep=lambda _s: None) == "ok"
    assert guard.state().last_latency_ms is not None
    with pytest.raises(ProviderRejectedError):
        resilient_call(Script(ProviderRejectedError("403 forbidden")), POLICY, guard,
                       describe=lambda exc: f"described: {exc}")
    state = guard.state()
    assert (state.state, state.last_error) == ("closed", "described: 403 forbidden")
