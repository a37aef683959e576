"""The embedded executor: lease due jobs from the store's durable queue and run them.

Each worker thread has its own runtime (its own store connection and secret filter).  A loop
turn first *reaps* expired leases — the job of a worker that died (kill -9) or hung: its
leftover process group is killed, then the job is queued again or, after its last attempt,
dead-lettered — and then leases the oldest due job and runs one attempt of it under a heartbeat.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time

from perth.ops.attempt import AttemptIO, Heartbeat, outcome, write_log
from perth.ops.output import OutputSink
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.config import Settings
    from perth.ops.model import Job
    from perth.ops.port import WorkResult
    from perth.runtime import Runtime


class PoolStats(Record):
    """What a run of the worker pool did."""

    ran: int = 0
    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    dead: int = 0
    cancelled: int = 0
    reaped: int = 0


def owner_name(slot: int) -> str:
    """``host:pid:slot``: who holds a lease."""
    return f"{socket.gethostname()}:{os.getpid()}:{slot}"


def output_path(rt: Runtime, job: Job) -> str:
    """The private file holding an attempt's full (redacted) output."""
    return os.path.join(rt.settings.paths.state_dir, "jobs", job.id, f"attempt-{job.attempt}.out")


def job_finished(rt: Runtime, job: Job) -> None:
    """A job reached a final status: its log line and the ``perth.job.finished`` event, together."""
    from perth.events.emit import emit

    with rt.store.unit():
        write_log(rt, job, f"finished: {job.status}" + (f" ({job.error})" if job.error else ""))
        emit(rt, "perth.job.finished", job)


def lease(rt: Runtime, owner: str, *, kinds: tuple[str, ...] = (), job_id: str | None = None) -> Job | None:
    """Lease the oldest due job (or ``job_id``) for ``owner``."""
    from perth.ids import uuid7

    now = rt.clock()
    until = now + rt.settings.get_int("ops.lease_s") * 1000
    return rt.store.jobs.lease(owner, uuid7(now), now, until, kinds=kinds, job_id=job_id)


def execute(rt: Runtime, job: Job, *, draw: Callable[[], float] = random.random) -> Job:
    """Run one attempt of a leased job and settle its outcome; returns the job's new state."""
    from perth.ops.registry import worker_for

    limit = rt.settings.get_int("ops.output_limit_kb") * 1024
    job = replace(job, output_path=output_path(rt, job))
    sink = OutputSink(job.output_path, limit, rt.secret_filter)
    io = AttemptIO(rt, job, sink)
    write_log(rt, job, f"attempt {job.attempt}/{job.max_attempts} started by {job.lease_owner}")
    result: WorkResult | None = None
    error: BaseException | None = None
    with Heartbeat(rt, job, io, rt.settings.get_int("ops.lease_s") * 1000):
        try:
            worker = worker_for(job.kind)
            result = _guarded(rt, job, lambda: worker.run(io.job, io), worker.remote)
        except Exception as exc:  # every failure is classified by outcome(); nothing escapes a worker thread
            error = exc
    tail = sink.close()
    job = replace(io.job, output=tail, output_bytes=sink.bytes)
    settled = outcome(rt, job, result, error, stop_reason=io.stop_reason, draw=draw())
    if not rt.store.jobs.settle(settled, job.lease_token or ""):
        write_log(rt, job, "the lease was lost before the attempt ended; its outcome is discarded", "warning")
        return rt.store.jobs.get(job.id) or settled
    if settled.status == "queued":
        write_log(rt, settled, f"attempt {job.attempt} failed ({settled.error}); retried after a backoff",
                  "warning")
    elif settled.final:
        job_finished(rt, settled)
    return settled


def _guarded(rt: Runtime, job: Job, call: Callable[[], WorkResult], remote: bool) -> WorkResult:
    """The call under the target's circuit breaker (remote kinds only); outcomes are recorded in the store."""
    if not remote:
        return call()
    from perth.resilience.breaker import CircuitBreaker
    from perth.resilience.call import resilient_call
    from perth.resilience.policy import BreakerPolicy, RetryPolicy

    policy = BreakerPolicy(threshold=rt.settings.get_int("ops.breaker_threshold"),
                           cooldown_s=float(rt.settings.get_int("ops.breaker_cooldown_s")))
    breaker = CircuitBreaker(rt.store, f"ops:{job.kind}:{job.target}", policy, rt.clock)
    return resilient_call(call, RetryPolicy(retries=0), breaker, describe=lambda e: str(rt.redact(str(e), "ops")))


def reap(rt: Runtime) -> int:
    """Recover the jobs of dead workers (expired leases); returns how many."""
    from perth.ops.process import kill_orphaned_attempt

    count = 0
    for job in rt.store.jobs.expired(rt.clock()):
        pgid = job.runner.get("pgid")
        if isinstance(pgid, int) and job.runner.get("host") == socket.gethostname() and job.lease_token:
            kill_orphaned_attempt(pgid, job.lease_token)
        message = f"the worker {job.lease_owner} stopped renewing its lease (it died or hung)"
        last = job.attempt >= job.max_attempts
        now = rt.clock()
        changed = replace(job, status="dead" if last else "queued", available_at=now, lease_until=None,
                          finished_at=now if last else None, error=message, error_kind="lease_lost")
        if rt.store.jobs.settle(changed, job.lease_token or ""):
            count += 1
            write_log(rt, changed, message + ("; dead-lettered after its last attempt" if last else "; queued again"),
                      "warning")
            if last:
                job_finished(rt, changed)
    return count


def run_here(rt: Runtime, job_id: str) -> Job | None:
    """Lease ``job_id`` and run one attempt in this thread; None when it is not leasable now."""
    job = lease(rt, owner_name(0), job_id=job_id)
    return None if job is None else execute(rt, job)


class Pool:
    """``concurrency`` worker threads leasing and running jobs until ``stop`` is set.

    With ``drain``, the threads leave when no job is queued or running any more.
    """

    def __init__(self, settings: Settings, *, concurrency: int, stop: threading.Event | None = None,
                 kinds: tuple[str, ...] = (), drain: bool = False, report: Callable[[str], None] | None = None,
                 environ: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.concurrency = concurrency
        self.stop = stop or threading.Event()
        self.kinds = kinds
        self.drain = drain
        self.report = report or (lambda _line: None)
        self.environ = environ
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._polling = False
        self._empty_until = 0.0
        self._drained = False
        self.stats = PoolStats()
        self._threads: list[threading.Thread] = []

    def start(self) -> Pool:
        """Start the threads."""
        for slot in range(self.concurrency):
            thread = threading.Thread(target=self._loop, args=(slot,), name=f"perth-worker-{slot}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def join(self) -> PoolStats:
        """Wait for every thread to leave (after ``stop``, or when drained)."""
        for thread in self._threads:
            thread.join()
        return self.stats

    def run(self) -> PoolStats:
        """Start, then wait."""
        return self.start().join()

    def _loop(self, slot: int) -> None:
        from perth.runtime import Runtime

        rt = Runtime(self.settings, environ=self.environ)
        poll_s = self.settings.get_int("ops.poll_ms") / 1000
        try:
            while not self.stop.is_set():
                job = self._claim(rt, slot, poll_s)
                if job is not None:
                    self._run(rt, job)
                elif self._drained:
                    return
        finally:
            rt.close()

    def _claim(self, rt: Runtime, slot: int, poll_s: float) -> Job | None:
        """Reap and lease one job, one idle thread of the pool at a time.

        Idle threads take turns at the queue: after a poll that found nothing the next one waits
        ``ops.poll_ms`` (so an idle pool queries the store once per interval, not once per thread),
        and after a poll that leased a job the next one polls at once (there may be more).
        """
        with self._idle:
            while self._polling or time.monotonic() < self._empty_until:
                if self.stop.is_set() or self._drained:
                    return None
                self._idle.wait(poll_s if self._polling else self._empty_until - time.monotonic())
            self._polling = True
        job = None
        try:
            reaped = reap(rt)
            if reaped:
                self._count(reaped=reaped)
                self.report(f"recovered {reaped} job(s) of a dead worker")
            job = lease(rt, owner_name(slot), kinds=self.kinds)
            if job is None and self.drain and not self._pending(rt):
                self._drained = True
        finally:
            with self._idle:
                self._polling = False
                if job is None:
                    self._empty_until = time.monotonic() + poll_s
                self._idle.notify_all() if self._drained else self._idle.notify()
        return job

    def _run(self, rt: Runtime, job: Job) -> None:
        """Run one attempt of a leased job and count its outcome."""
        self.report(f"job {job.short_id} ({job.kind}) attempt {job.attempt} started")
        done = execute(rt, job)
        key = "retried" if done.status == "queued" else done.status
        self._count(ran=1, **{key: 1})
        self.report(f"job {job.short_id} {done.status}" + (f": {done.error}" if done.error else ""))

    def _pending(self, rt: Runtime) -> bool:
        counts = rt.store.jobs.counts()
        return bool(counts.get("queued") or counts.get("running"))

    def _count(self, **changes: int) -> None:
        with self._lock:
            values = {name: getattr(self.stats, name) + changes.get(name, 0) for name in PoolStats._fields}
            self.stats = PoolStats(**values)
