"""The jobs ports: the durable queue of operations jobs with leases, and their log lines (ops).

A job is leased by one worker at a time: :meth:`JobQueue.lease` hands out a queued, due job
with a fresh lease token; the worker extends the lease with :meth:`JobQueue.heartbeat` and
writes its outcome with :meth:`JobQueue.settle`, which only succeeds while the token is still
the job's (a worker that lost its lease cannot overwrite the job's new attempt).
"""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job, JobLogLine, JobQuery


class JobQueue(Protocol):
    """Persistence of jobs: enqueue, lease, heartbeat, settle, and the dead-letter queue."""

    def enqueue(self, job: Job) -> Job:
        """Add a job; with an idempotency key already used, return that job instead."""

    def get(self, job_id: str) -> Job | None:
        """One job by id."""

    def resolve(self, prefix: str) -> list[Job]:
        """The jobs whose id ends with (or equals) ``prefix``."""

    def query(self, query: JobQuery) -> list[Job]:
        """Jobs matching the query, newest first."""

    def lease(self, owner: str, token: str, now: int, until: int, *, kinds: tuple[str, ...] = (),
              job_id: str | None = None) -> Job | None:
        """Claim the oldest due queued embedded job (or ``job_id``): running, attempt + 1, leased until ``until``."""

    def heartbeat(self, job_id: str, token: str, until: int) -> str:
        """Extend a lease: ``ok``, ``cancel`` (extended, but cancellation was asked) or ``lost``."""

    def expired(self, now: int) -> list[Job]:
        """Running embedded jobs whose lease ran out (their worker died or hung)."""

    def settle(self, job: Job, token: str) -> bool:
        """Write ``job`` if its lease token is still ``token``; False when the lease was lost."""

    def update(self, job: Job) -> None:
        """Write ``job`` unconditionally (cancel, retry, dead-letter by hand)."""

    def delete(self, job_id: str) -> bool:
        """Drop a job and its log; False when it did not exist."""

    def counts(self) -> dict[str, int]:
        """How many jobs have each status."""


class JobLogRepo(Protocol):
    """A job's log lines, in order."""

    def append(self, lines: list[JobLogLine]) -> None:
        """Add log lines (their ``seq`` is assigned by the store when 0)."""

    def read(self, job_id: str, *, after: int = 0, limit: int = 1000) -> list[JobLogLine]:
        """The job's lines with ``seq > after``, oldest first."""
