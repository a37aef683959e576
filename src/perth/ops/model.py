"""The records of operations jobs (a leaf module: records only, nothing that acts).

A job is a *kind* (which worker runs it: ``shell``, ``pty``, ``ssh``...), a *target* (what it
acts on: ``local``, ``user@host:22``...) and *arguments*, with a timeout, a number of attempts,
an idempotency key and the state of its lease while a worker runs it::

    queued --lease--> running --> succeeded | failed (ran, non-zero exit) | cancelled
                         |  \\--transient error, attempts left--> queued (after a backoff)
                         \\--last attempt failed / rejected--> dead (the dead-letter queue)

Arguments, options, output, errors and log lines are stored only after the secret filter.
"""

from __future__ import annotations

from perth.record import Record

#: Every status a job can have; ``dead`` is the dead-letter queue.
JOB_STATUSES: tuple[str, ...] = ("queued", "running", "succeeded", "failed", "dead", "cancelled")
#: Statuses a job never leaves by itself.
FINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "dead", "cancelled"})


class Job(Record):
    """One job and its last known state.

    Attributes:
        id: a UUIDv7.
        kind: the worker kind that runs it.
        target: what it acts on (``local`` for the shell and pty workers).
        args: the arguments (a shell job's argv), redacted.
        options: worker options (``cwd``, ``env`` names, ``host``...), redacted; never secret values.
        status: one of :data:`JOB_STATUSES`.
        engine: ``embedded`` (leased from this store by ``perth worker run``/the daemon) or ``celery``
            (sent to the Celery queue; its outcome is read back from the result backend).
        idempotency_key: a second job with the same key is the first job.
        timeout_s: time limit of one attempt.
        max_attempts: attempts before the job is dead-lettered (1 means no retry).
        attempt: attempts started so far.
        created_at, available_at, started_at, finished_at: UTC ms (``available_at``: not leased before).
        lease_owner, lease_token, lease_until: the worker running it and until when its lease holds.
        runner: where the attempt's processes run (``host``, ``pid``, ``pgid``), to stop them after a worker dies.
        cancel_requested: a running job is stopped at its next heartbeat.
        exit_code: the command's exit status when it has one.
        output: the tail of the output (bounded by ``ops.output_limit_kb``), redacted.
        output_bytes: the full output's size; ``output_path`` holds all of it (redacted, mode 0600).
        error: the last error, one redacted line; ``error_kind`` classifies it
            (``transient``, ``rejected``, ``timeout``, ``lease_lost``, ``cancelled``, ``error``).
        result: what the worker reported besides output (files transferred, rows...), redacted.
    """

    id: str
    kind: str
    target: str
    args: tuple[str, ...] = ()
    options: dict[str, object] = {}  # noqa: RUF012 - records are immutable; the default is never mutated
    status: str = "queued"
    engine: str = "embedded"
    idempotency_key: str | None = None
    timeout_s: float = 3600.0
    max_attempts: int = 3
    attempt: int = 0
    created_at: int = 0
    available_at: int = 0
    started_at: int | None = None
    finished_at: int | None = None
    lease_owner: str | None = None
    lease_token: str | None = None
    lease_until: int | None = None
    runner: dict[str, object] = {}  # noqa: RUF012
    cancel_requested: bool = False
    exit_code: int | None = None
    output: str = ""
    output_bytes: int = 0
    output_path: str | None = None
    error: str | None = None
    error_kind: str | None = None
    result: dict[str, object] = {}  # noqa: RUF012

    @property
    def short_id(self) -> str:
        """The last 8 characters of the id (what lists show)."""
        return self.id[-8:]

    @property
    def final(self) -> bool:
        """True when the job will not change by itself any more."""
        return self.status in FINAL_STATUSES


class JobQuery(Record):
    """Filters of ``perth job list``: statuses, kind, target; newest first."""

    statuses: tuple[str, ...] = ()
    kind: str | None = None
    target: str | None = None
    limit: int = 50


class JobLogLine(Record):
    """One line of a job's log (lifecycle and worker messages), redacted."""

    job_id: str
    seq: int
    at: int
    attempt: int
    level: str
    text: str
