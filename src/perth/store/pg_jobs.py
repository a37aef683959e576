"""What the jobs ports do differently on PostgreSQL: concurrent workers skip each other's rows.

Under ``READ COMMITTED`` two workers could read the same oldest due job; ``FOR UPDATE SKIP LOCKED``
locks the row the lease takes, and a second worker's ``SELECT`` passes over it to the next due job
instead of waiting (or taking it twice).  Numbering a job's log lines holds a transaction-scoped
advisory lock on the job, so two writers never pick the same next number.
"""

from __future__ import annotations

from perth.store.sql_jobs import SqlJobLogs, SqlJobs


class PgJobs(SqlJobs):
    """The jobs port on PostgreSQL: leases take their row with ``FOR UPDATE SKIP LOCKED``."""

    _claim = " FOR UPDATE SKIP LOCKED"


class PgJobLogs(SqlJobLogs):
    """The job_logs port on PostgreSQL: numbering a job's lines is serialized per job."""

    def _lock_log(self, job_id: str) -> None:
        """A transaction-scoped advisory lock keyed by the job (the second key space of Perth's locks)."""
        self._db.run("SELECT pg_advisory_xact_lock(CAST(? AS integer), hashtext(?))", (LOG_LOCK_SPACE, job_id))


#: The first key of the two-key advisory locks on job logs (the migrations use the one-key form).
LOG_LOCK_SPACE = 0x6A6F62  # "job"
