"""A circuit breaker per dependency, its state kept in the store.

One-shot processes (every ``perth summarize``) share the breaker through the store, so a
dead provider costs three timeouts in all, not three per invocation::

    closed --(threshold consecutive failures)--> open --(cooldown elapsed)--> half_open
    half_open --(trial call succeeds)--> closed
    half_open --(trial call fails)--> open (cooldown starts again)

Only one process at a time makes the half-open trial call: it claims the trial in the same
transaction that reads the state (``probe_until``); others fail fast until the claim expires.
A request the dependency *rejected* (bad key, bad request) proves it is up: it closes the
breaker and is recorded as the last error, without counting as a failure.
"""

from __future__ import annotations

from perth.errors import CircuitOpenError
from perth.record import replace
from perth.resilience.state import BREAKER_STATES, BreakerState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.resilience.policy import BreakerPolicy
    from perth.store.port import Store

__all__ = ["BREAKER_STATES", "BreakerState", "CircuitBreaker"]

class CircuitBreaker:
    """Admits or refuses calls to one dependency and records their outcomes in the store."""

    def __init__(self, store: Store, name: str, policy: BreakerPolicy, clock: Callable[[], int],
                 probe_ms: int = 60_000) -> None:
        self.store = store
        self.name = name
        self.policy = policy
        self.clock = clock
        self.probe_ms = probe_ms

    def state(self) -> BreakerState:
        """The current state (closed when never used)."""
        return self.store.breakers.get(self.name) or BreakerState(name=self.name)

    def refusal(self, current: BreakerState | None = None) -> CircuitOpenError | None:
        """The error :meth:`admit` would raise now, or None (read-only: claims no trial call)."""
        current = current or self.state()
        now = self.clock()
        retry_at = current.retry_at(self.policy)
        if current.state == "open" and retry_at is not None and now < retry_at:
            return self._open_error(current, retry_at)
        if current.state == "half_open" and current.probe_until is not None and now < current.probe_until:
            return self._open_error(current, current.probe_until)
        return None

    def admit(self) -> None:
        """Let a call through, or raise :class:`CircuitOpenError` without calling."""
        with self.store.unit():
            current = self.state()
            if current.state == "closed":
                return
            refusal = self.refusal(current)
            if refusal is not None:
                raise refusal
            now = self.clock()
            self.store.breakers.put(replace(current, state="half_open", probe_until=now + self.probe_ms,
                                           updated_at=now))

    def record_success(self, latency_ms: int) -> BreakerState:
        """The call succeeded: close the breaker."""
        return self._update(lambda s, now: replace(
            s, state="closed", failures=0, opened_at=None, probe_until=None, last_latency_ms=latency_ms,
            last_success_at=now))

    def record_rejection(self, error: str, latency_ms: int) -> BreakerState:
        """The dependency answered but refused the request: it is up, the request is wrong."""
        return self._update(lambda s, now: replace(
            s, state="closed", failures=0, opened_at=None, probe_until=None, last_error=error,
            last_latency_ms=latency_ms, last_failure_at=now))

    def record_failure(self, error: str, latency_ms: int | None = None) -> BreakerState:
        """The call failed (after its retries): count it, and open the breaker at the threshold."""
        def fail(s: BreakerState, now: int) -> BreakerState:
            failures = s.failures + 1
            opens = s.state == "half_open" or failures >= self.policy.threshold
            return replace(s, state="open" if opens else "closed", failures=failures,
                           opened_at=now if opens else s.opened_at, probe_until=None, last_error=error,
                           last_latency_ms=latency_ms if latency_ms is not None else s.last_latency_ms,
                           last_failure_at=now)
        return self._update(fail)

    def reset(self) -> BreakerState:
        """Close the breaker by hand (``perth providers reset``)."""
        return self._update(lambda s, now: replace(s, state="closed", failures=0, opened_at=None,
                                                   probe_until=None))

    def _update(self, change: Callable[[BreakerState, int], BreakerState]) -> BreakerState:
        with self.store.unit():
            now = self.clock()
            updated = replace(change(self.state(), now), updated_at=now)
            self.store.breakers.put(updated)
        return updated

    def _open_error(self, current: BreakerState, retry_at: int) -> CircuitOpenError:
        from perth.clock import to_local

        seconds = max(0, (retry_at - self.clock()) // 1000)
        last = f"; last error: {current.last_error}" if current.last_error else ""
        return CircuitOpenError(
            f"{self.name} is failing fast: its circuit breaker opened after {current.failures} consecutive"
            f" failures{last}",
            f"it will be tried again in {seconds} s (at {to_local(retry_at)}); `perth providers reset` to retry now",
        )
