"""One attempt of a leased job: its I/O, its heartbeat, and the job's state after it.

:func:`outcome` is the single place that turns what a worker did (a result or an error) into
the job's next state: done, failed, retried after a backoff, dead-lettered or cancelled.
"""

from __future__ import annotations

import os
import socket
import threading
import time

from perth.errors import CircuitOpenError, PerthError, ProviderRejectedError, TransientError
from perth.ops.model import JobLogLine
from perth.ops.port import JobCancelledError, JobTimeoutError
from perth.record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job
    from perth.ops.output import OutputSink
    from perth.ops.port import WorkResult
    from perth.runtime import Runtime


class BaseIO:
    """What every :class:`perth.ops.port.JobIO` shares: output, stop event, deadline, settings, environment.

    Subclasses say where log lines and the runner go (:meth:`log`, :meth:`started_processes`).
    """

    def __init__(self, rt: Runtime, job: Job, output: OutputSink) -> None:
        self.rt = rt
        self.job = job
        self._output = output
        self._stop = threading.Event()
        self.stop_reason = ""
        self._deadline = time.monotonic() + job.timeout_s

    @property
    def output(self) -> OutputSink:
        """The attempt's output."""
        return self._output

    @property
    def stop(self) -> threading.Event:
        """Set when the attempt must stop."""
        return self._stop

    @property
    def deadline(self) -> float:
        """When the attempt times out (monotonic seconds)."""
        return self._deadline

    def setting(self, key: str) -> object:
        """A configuration value (``ops.backup_dir`` resolved: empty means ``<data dir>/backups``)."""
        value = self.rt.settings.get(key)
        if key == "ops.backup_dir" and not value:
            return os.path.join(self.rt.settings.paths.data_dir, "backups")
        return value

    def environment(self, names: tuple[str, ...]) -> dict[str, str]:
        """The allow-listed part of this process's environment."""
        allowed = (*self.rt.settings.get("ops.env_allow"), *names)  # type: ignore[misc]
        return {name: os.environ[name] for name in allowed if name in os.environ}


class AttemptIO(BaseIO):
    """The JobIO of an embedded attempt: log lines and the runner go to the store."""

    def log(self, text: str, level: str = "info") -> None:
        """Store a redacted log line."""
        write_log(self.rt, self.job, text, level)

    def started_processes(self, pid: int, pgid: int) -> None:
        """Record where the attempt's processes run (so a dead worker's group can be killed)."""
        runner: dict[str, object] = {"host": socket.gethostname(), "pid": pid, "pgid": pgid}
        job = replace(self.job, runner=runner)
        if self.rt.store.jobs.settle(job, self.job.lease_token or ""):
            self.job = job


def write_log(rt: Runtime, job: Job, text: str, level: str = "info") -> None:
    """Add one redacted line to a job's log."""
    line = JobLogLine(job_id=job.id, seq=0, at=rt.clock(), attempt=job.attempt, level=level,
                      text=str(rt.redact(text, "ops")))
    rt.store.job_logs.append([line])


class Heartbeat:
    """Extends an attempt's lease from a thread of its own (own store connection) until stopped.

    When the lease is lost or the job is cancelled, it sets the attempt's stop event.
    """

    def __init__(self, rt: Runtime, job: Job, io: AttemptIO, lease_ms: int) -> None:
        self.rt, self.job, self.io, self.lease_ms = rt, job, io, lease_ms
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"perth-heartbeat-{job.short_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        from perth.store import open_store

        interval_s = max(0.05, self.lease_ms / 3000)
        if self._done.wait(interval_s):
            return  # most attempts end before their first beat: no connection opened for them
        store = open_store(self.rt.settings)
        try:
            while True:
                state = store.jobs.heartbeat(self.job.id, self.job.lease_token or "",
                                             self.rt.clock() + self.lease_ms)
                if state != "ok":
                    self.io.stop_reason = "lease_lost" if state == "lost" else "cancelled"
                    self.io.stop.set()
                    if state == "lost":
                        return
                if self._done.wait(interval_s):
                    return
        finally:
            store.close()


def outcome(rt: Runtime, job: Job, result: WorkResult | None, error: BaseException | None, *,
            stop_reason: str, draw: float) -> Job:
    """The job's state after an attempt (``draw`` in [0, 1) is the backoff's jitter)."""
    now = rt.clock()
    done = {"finished_at": now, "lease_until": None}
    if error is None and result is not None:
        return replace(job, status="succeeded" if result.ok else "failed", exit_code=result.exit_code,
                       result=dict(result.result), error=None if result.ok else f"exited {result.exit_code}",
                       error_kind=None if result.ok else "exit", **done)
    message = _describe(rt, error)
    if isinstance(error, JobCancelledError):
        kind = stop_reason or "cancelled"
        return replace(job, status="cancelled", error=message, error_kind=kind, **done)
    if isinstance(error, (TransientError, CircuitOpenError)) and job.attempt < job.max_attempts:
        delay = backoff_ms(rt, job.attempt, draw)
        return replace(job, status="queued", available_at=now + delay, lease_owner=None, lease_until=None,
                       error=message, error_kind="timeout" if isinstance(error, JobTimeoutError) else "transient")
    kind = ("rejected" if isinstance(error, ProviderRejectedError) else
            "timeout" if isinstance(error, JobTimeoutError) else
            "transient" if isinstance(error, (TransientError, CircuitOpenError)) else "error")
    return replace(job, status="dead", error=message, error_kind=kind, **done)


def backoff_ms(rt: Runtime, retry_number: int, draw: float) -> int:
    """The delay before the ``retry_number``-th retry: the resilience layer's full-jitter backoff."""
    from perth.resilience.call import backoff_s
    from perth.resilience.policy import RetryPolicy

    policy = RetryPolicy(retries=0, base_delay_s=rt.settings.get_int("ops.backoff_ms") / 1000,
                         max_delay_s=rt.settings.get_int("ops.backoff_max_ms") / 1000)
    return int(backoff_s(policy, retry_number, lambda: draw) * 1000)


def _describe(rt: Runtime, error: BaseException | None) -> str:
    if error is None:
        return "the worker returned no result"
    text = error.message if isinstance(error, PerthError) else f"{type(error).__name__}: {error}"
    return str(rt.redact(text.splitlines()[0] if text else type(error).__name__, "ops"))
