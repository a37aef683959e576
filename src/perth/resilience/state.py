"""The persisted state of a circuit breaker: a record the store's breaker port keeps."""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.resilience.policy import BreakerPolicy

BREAKER_STATES: tuple[str, ...] = ("closed", "open", "half_open")


class BreakerState(Record):
    """The persisted state of one breaker.

    Attributes:
        name: the dependency (``llm:anthropic``...).
        state: ``closed``, ``open`` or ``half_open``.
        failures: consecutive failures (reset by a success or a rejection).
        opened_at: when it last opened (UTC ms).
        probe_until: a half-open trial call is in flight until then (UTC ms).
        last_error: the last failure or rejection, one redacted line.
        last_latency_ms: duration of the last call that reached the dependency.
        last_success_at, last_failure_at: UTC ms.
        updated_at: last change (UTC ms).
    """

    name: str
    state: str = "closed"
    failures: int = 0
    opened_at: int | None = None
    probe_until: int | None = None
    last_error: str | None = None
    last_latency_ms: int | None = None
    last_success_at: int | None = None
    last_failure_at: int | None = None
    updated_at: int = 0

    def retry_at(self, policy: BreakerPolicy) -> int | None:
        """When an open breaker lets a trial call through (UTC ms)."""
        if self.state != "open" or self.opened_at is None:
            return None
        return self.opened_at + int(policy.cooldown_s * 1000)
