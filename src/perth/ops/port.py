"""The worker port: what every worker kind implements, and what it gets to run one attempt.

A worker runs one attempt of a job and either returns a :class:`WorkResult` or raises:

* :class:`perth.errors.TransientError` (target down, connection reset; :class:`JobTimeoutError`)
  — the attempt failed, the job is retried after a backoff while attempts are left;
* :class:`perth.errors.ProviderRejectedError` (authentication failed, host key unknown)
  — never retried: the job goes to the dead-letter queue at once;
* :class:`JobCancelledError` — the job was cancelled, or its worker lost the lease;
* any other :class:`perth.errors.PerthError` — a permanent error: dead-lettered.
"""

from __future__ import annotations

from typing import Protocol

from perth.errors import PerthError, TransientError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import threading

    from perth.ops.model import Job
    from perth.ops.output import OutputSink


class JobTimeoutError(TransientError):
    """An attempt ran past the job's timeout (its processes were killed)."""


class JobCancelledError(PerthError):
    """The attempt was stopped: the job was cancelled or its lease was lost."""


class WorkResult(Record):
    """One attempt's outcome: ``ok`` False means the job ran and failed (a non-zero exit)."""

    ok: bool = True
    exit_code: int | None = None
    result: dict[str, object] = {}  # noqa: RUF012 - never mutated


class JobIO(Protocol):
    """What a worker gets besides the job: output, log, stop signal, deadline."""

    @property
    def output(self) -> OutputSink:
        """Where the job's output goes (redacted, bounded in memory, all of it in a private file)."""

    @property
    def stop(self) -> threading.Event:
        """Set when the attempt must stop (cancelled, or the lease was lost)."""

    @property
    def deadline(self) -> float:
        """``time.monotonic()`` value at which the attempt times out."""

    def log(self, text: str, level: str = "info") -> None:
        """Add a line to the job's log (redacted before it is stored)."""

    def started_processes(self, pid: int, pgid: int) -> None:
        """Record the attempt's process group, so it can be stopped if this worker dies."""

    def environment(self, names: tuple[str, ...]) -> dict[str, str]:
        """The worker's environment restricted to the allow-listed names (plus ``ops.env_allow``)."""

    def setting(self, key: str) -> object:
        """A configuration value (``ops.ssh_host_keys``...)."""


class Worker(Protocol):
    """One kind of work (``shell``, ``pty``, ``ssh``...)."""

    @property
    def kind(self) -> str:
        """The job kind this worker runs."""

    @property
    def remote(self) -> bool:
        """True when the work reaches another host or service (a circuit breaker guards its target)."""

    def check(self, job: Job) -> None:
        """Refuse a job whose arguments or options this worker cannot run (InvalidInputError)."""

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Run one attempt (see the module docstring for the errors it raises)."""
