"""The settings of a resilient call: timeouts, retry policy, breaker policy."""

from __future__ import annotations

from perth.record import Record


class Timeouts(Record):
    """Time limits of one request: to connect, of each read, and of the whole exchange."""

    connect_s: float = 30.0
    read_s: float = 30.0
    total_s: float = 120.0


class RetryPolicy(Record):
    """Retries after transient failures: exponential backoff with full jitter.

    ``retries`` is the number of extra attempts; the n-th retry waits a random time up to
    ``min(max_delay_s, base_delay_s * 2**n)``, or the server's Retry-After when it gave one
    (a Retry-After longer than ``max_delay_s`` is not waited for: the call fails instead).
    """

    retries: int = 2
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0


class BreakerPolicy(Record):
    """When a breaker opens (consecutive failures) and how long it stays open before a trial call."""

    threshold: int = 3
    cooldown_s: float = 300.0
