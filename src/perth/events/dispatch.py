"""The dispatcher: drains the outbox to every configured transport, in order, at least once.

Each transport has a cursor (the last ``seq`` it confirmed).  A round publishes the events after
it in batches; the cursor moves only after the broker confirmed a batch, so a crash (even
``kill -9``) mid-batch re-sends that batch: receivers de-duplicate by event id
(:mod:`perth.events.consume`).  Failures:

- the broker cannot be reached (:class:`~perth.errors.TransientError`): retried at once with
  backoff and jitter (``events.retries``), then the transport backs off (``next_at``) and its
  circuit breaker (``events:<name>``, state in the store) counts a failure; an outage never
  dead-letters anything, the events wait in the outbox;
- the broker refuses one event (:class:`EventRejectedError`): the events before it are confirmed;
  after ``events.max_attempts`` refusals the event moves to the dead-letter table and the
  transport goes on with the next one.

Only one dispatcher runs at a time (a lock file under the state directory): ``perth daemon``'s
task and ``perth events flush`` never interleave their cursors.
"""

from __future__ import annotations

import os

from perth.errors import CircuitOpenError, ConflictError, TransientError
from perth.events.records import DeliveryCursor
from perth.events.transports.port import EventRejectedError
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from perth.events.records import StoredEvent
    from perth.events.transports.port import Transport
    from perth.resilience.breaker import CircuitBreaker
    from perth.resilience.policy import RetryPolicy
    from perth.runtime import Runtime

BREAKER_PREFIX = "events:"


class DrainReport(Record):
    """One transport's round: events confirmed, events dead-lettered, why it stopped early."""

    transport: str
    delivered: int = 0
    dead: int = 0
    stopped: str | None = None


def retry_policy(rt: Runtime) -> RetryPolicy:
    from perth.resilience.policy import RetryPolicy

    get = rt.settings.get_int
    return RetryPolicy(retries=get("events.retries"), base_delay_s=get("events.backoff_ms") / 1000,
                       max_delay_s=get("events.backoff_max_ms") / 1000)


def breaker_for(rt: Runtime, name: str) -> CircuitBreaker:
    """The circuit breaker of one transport (shared by every Perth process through the store)."""
    from perth.resilience.breaker import CircuitBreaker
    from perth.resilience.policy import BreakerPolicy

    get = rt.settings.get_int
    policy = BreakerPolicy(threshold=get("events.breaker_threshold"),
                           cooldown_s=float(get("events.breaker_cooldown_s")))
    return CircuitBreaker(rt.store, BREAKER_PREFIX + name, policy, rt.clock,
                          probe_ms=get("events.timeout_s") * 1000 * (get("events.retries") + 2))


class _Round:
    """One drain of one transport."""

    def __init__(self, rt: Runtime, transport: Transport, sleep: Callable[[float], object],
                 draw: Callable[[], float]) -> None:
        self.rt = rt
        self.transport = transport
        self.name = transport.name
        self.sleep = sleep
        self.draw = draw
        self.policy = retry_policy(rt)
        self.breaker = breaker_for(rt, self.name)
        self.max_attempts = rt.settings.get_int("events.max_attempts")
        self.report = DrainReport(transport=self.name)

    def run(self, batch_size: int, max_batches: int | None) -> DrainReport:
        cursor = self.rt.store.outbox.cursor(self.name)
        if cursor.next_at > self.rt.clock():
            return replace(self.report, stopped=f"backing off after: {cursor.last_error}")
        batches = 0
        while max_batches is None or batches < max_batches:
            batch = self.rt.store.outbox.after(cursor.delivered_seq, batch_size)
            if not batch:
                break
            batches += 1
            cursor, stop = self._publish(cursor, batch)
            if stop:
                return replace(self.report, stopped=stop)
        return self.report

    def _publish(self, cursor: DeliveryCursor, batch: Sequence[StoredEvent]) -> tuple[DeliveryCursor, str | None]:
        from perth.resilience.call import resilient_call

        try:
            resilient_call(lambda: self.transport.publish(batch), self.policy, self.breaker, sleep=self.sleep,
                           draw=self.draw, describe=self._describe)
        except CircuitOpenError as exc:
            return cursor, exc.what
        except EventRejectedError as exc:
            return self._rejected(cursor, batch, exc)
        except TransientError as exc:
            return self._failed(cursor, self._describe(exc)), self._describe(exc)
        self.report = replace(self.report, delivered=self.report.delivered + len(batch))
        return self._save(replace(cursor, delivered_seq=batch[-1].seq, attempts=0, next_at=0, last_error=None)), None

    def _rejected(self, cursor: DeliveryCursor, batch: Sequence[StoredEvent],
                  exc: EventRejectedError) -> tuple[DeliveryCursor, str | None]:
        error = self._describe(exc)
        confirmed = batch[:exc.index]
        head = batch[exc.index]
        self.report = replace(self.report, delivered=self.report.delivered + len(confirmed))
        if confirmed:
            cursor = replace(cursor, delivered_seq=confirmed[-1].seq, attempts=0)
        attempts = cursor.attempts + 1
        if attempts < self.max_attempts:
            return self._failed(cursor, error), error
        now = self.rt.clock()
        with self.rt.store.unit():
            self.rt.store.outbox.bury(self.name, head, attempts, error, now)
            cursor = self._save(replace(cursor, delivered_seq=head.seq, attempts=0, next_at=0, last_error=error))
        self.report = replace(self.report, dead=self.report.dead + 1)
        return cursor, None

    def _failed(self, cursor: DeliveryCursor, error: str) -> DeliveryCursor:
        from perth.resilience.call import backoff_s

        attempts = cursor.attempts + 1
        wait_ms = int(backoff_s(self.policy, attempts, self.draw) * 1000)
        return self._save(replace(cursor, attempts=attempts, next_at=self.rt.clock() + wait_ms, last_error=error))

    def _save(self, cursor: DeliveryCursor) -> DeliveryCursor:
        cursor = replace(cursor, updated_at=self.rt.clock())
        self.rt.store.outbox.put_cursor(cursor)
        return cursor

    def _describe(self, exc: BaseException) -> str:
        text = getattr(exc, "what", None) or repr(exc)
        return str(self.rt.redact(text, "event"))


def _lock_path(rt: Runtime) -> str:
    return os.path.join(rt.settings.paths.state_dir, "events-dispatch.lock")


class DispatchLock:
    """Only one dispatcher at a time (``flock`` on ``events-dispatch.lock``; freed when the process dies)."""

    def __init__(self, rt: Runtime) -> None:
        import fcntl

        path = _lock_path(rt)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise ConflictError("another dispatcher is draining the outbox (perth daemon or perth events flush)",
                                "wait for it: it delivers the same events") from None

    def release(self) -> None:
        os.close(self.fd)


def drain(rt: Runtime, transports: Sequence[Transport], *, batch_size: int | None = None,
          max_batches: int | None = None, sleep: Callable[[float], object] | None = None,
          draw: Callable[[], float] | None = None) -> list[DrainReport]:
    """Deliver what each transport has not confirmed yet; one report per transport."""
    import random
    import time

    size = batch_size or rt.settings.get_int("events.batch_size")
    lock = DispatchLock(rt)
    try:
        return [_Round(rt, t, sleep or time.sleep, draw or random.random).run(size, max_batches) for t in transports]
    finally:
        lock.release()


def flush(rt: Runtime, transports: Mapping[str, Transport] | None = None) -> list[DrainReport]:
    """Drain to the configured transports (``perth events flush`` and the daemon's task), then prune."""
    from perth.events.transports import open_transports

    opened = dict(transports) if transports is not None else open_transports(rt.settings)
    try:
        reports = drain(rt, list(opened.values()))
        prune(rt, opened)
        return reports
    finally:
        if transports is None:
            for transport in opened.values():
                transport.close()


def prune(rt: Runtime, transports: Mapping[str, object]) -> int:
    """Drop events every transport confirmed that are older than ``events.retention_days``."""
    stats = rt.store.outbox.stats()
    upto = min((rt.store.outbox.cursor(name).delivered_seq for name in transports), default=stats.last_seq)
    before = rt.clock() - rt.settings.get_int("events.retention_days") * 86_400_000
    return rt.store.outbox.prune(before, upto)


def pending(rt: Runtime, name: str) -> Iterator[StoredEvent]:
    """The events a transport has not confirmed yet (oldest first)."""
    seq = rt.store.outbox.cursor(name).delivered_seq
    while batch := rt.store.outbox.after(seq, 1000):
        yield from batch
        seq = batch[-1].seq
