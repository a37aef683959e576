"""Run a call under a circuit breaker and a retry policy (retries via tenacity).

Retried: :class:`perth.errors.TransientError` (timeouts, connection errors, HTTP 429 and
5xx), waiting the server's Retry-After when it gave one, else exponential backoff with full
jitter.  Never retried: anything else, notably :class:`perth.errors.ProviderRejectedError`
(HTTP 400, 401, 403, 404).  The breaker sees one outcome per call, after its retries.
"""

from __future__ import annotations

import random
import time

from perth.errors import PerthError, ProviderRejectedError, TransientError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from tenacity import RetryCallState

    from perth.resilience.breaker import CircuitBreaker
    from perth.resilience.policy import RetryPolicy

    T = TypeVar("T")


class Attempt(Record):
    """One try of a call: its number, how long it took, and its error (None when it succeeded)."""

    number: int
    elapsed_ms: int
    error: str | None = None


def backoff_s(policy: RetryPolicy, retry_number: int, draw: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff before the ``retry_number``-th retry (1-based)."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * float(2 ** (retry_number - 1)))
    return ceiling * draw()


def _retry_after(state: RetryCallState) -> float | None:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    if isinstance(error, TransientError) and error.retry_after_s is not None:
        return float(error.retry_after_s)
    return None


class _Schedule:
    """tenacity's ``stop`` and ``wait`` for a :class:`RetryPolicy`; ``run`` records each attempt."""

    def __init__(self, policy: RetryPolicy, draw: Callable[[], float]) -> None:
        self.policy = policy
        self.draw = draw
        self.attempts: list[Attempt] = []

    def run(self, fn: Callable[[], T]) -> T:
        started = time.monotonic()
        number = len(self.attempts) + 1
        try:
            result = fn()
        except BaseException as exc:
            message = exc.message if isinstance(exc, PerthError) else repr(exc)
            self.attempts.append(Attempt(number=number, error=message, elapsed_ms=_ms_since(started)))
            raise
        self.attempts.append(Attempt(number=number, elapsed_ms=_ms_since(started)))
        return result

    def stop(self, state: RetryCallState) -> bool:
        if state.attempt_number > self.policy.retries:
            return True
        after = _retry_after(state)
        return after is not None and after > self.policy.max_delay_s

    def wait(self, state: RetryCallState) -> float:
        after = _retry_after(state)
        seconds = after if after is not None else backoff_s(self.policy, state.attempt_number, self.draw)
        return min(seconds, self.policy.max_delay_s)


def with_retries(fn: Callable[[], T], policy: RetryPolicy, *, sleep: Callable[[float], Any] = time.sleep,
                 draw: Callable[[], float] = random.random,
                 attempts: list[Attempt] | None = None) -> T:
    """Call ``fn``, retrying transient failures as the policy says; re-raises the last error."""
    from tenacity import Retrying, retry_if_exception_type

    schedule = _Schedule(policy, draw)
    retrying = Retrying(stop=schedule.stop, wait=schedule.wait, sleep=sleep, reraise=True,
                        retry=retry_if_exception_type(TransientError))
    try:
        result: T = retrying(schedule.run, fn)
        return result
    finally:
        if attempts is not None:
            attempts.extend(schedule.attempts)


def resilient_call(fn: Callable[[], T], policy: RetryPolicy, breaker: CircuitBreaker | None = None, *,
                   sleep: Callable[[float], Any] = time.sleep, draw: Callable[[], float] = random.random,
                   attempts: list[Attempt] | None = None,
                   describe: Callable[[BaseException], str] = str) -> T:
    """``fn`` under the breaker (fail fast when open) and the retry policy.

    ``describe`` turns an error into the one line the breaker keeps (the caller redacts it).
    """
    if breaker is not None:
        breaker.admit()
    started = time.monotonic()
    try:
        result = with_retries(fn, policy, sleep=sleep, draw=draw, attempts=attempts)
    except ProviderRejectedError as exc:
        if breaker is not None:
            breaker.record_rejection(describe(exc), _ms_since(started))
        raise
    except Exception as exc:
        if breaker is not None:
            breaker.record_failure(describe(exc), _ms_since(started))
        raise
    if breaker is not None:
        breaker.record_success(_ms_since(started))
    return result


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
