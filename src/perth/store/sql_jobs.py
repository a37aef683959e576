"""Tables of operations jobs (SQLite ``m015_jobs``, PostgreSQL ``m005_ports``): the jobs and job_logs ports.

Written once in the SQL both engines share.  Leasing selects the oldest due job and marks it
running with the new token in one transaction; how the engine keeps two workers from taking the
same job is its own (:meth:`SqlJobs._claim`): on SQLite the ``BEGIN IMMEDIATE`` transaction
serializes writers, on PostgreSQL (:mod:`perth.store.pg_jobs`) the row is taken with
``FOR UPDATE SKIP LOCKED``, so concurrent workers skip each other's rows instead of waiting.
A lease is fenced by its token: heartbeats and outcomes of a worker that lost it change nothing.
"""

from __future__ import annotations

from perth.store.sql_json import from_json, json_list, to_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.ops.model import Job, JobLogLine, JobQuery
    from perth.store.sql import SqlDatabase

_FIELDS = ("id", "kind", "target", "args", "options", "status", "engine", "idempotency_key", "timeout_s",
           "max_attempts", "attempt", "created_at", "available_at", "started_at", "finished_at", "lease_owner",
           "lease_token", "lease_until", "runner", "cancel_requested", "exit_code", "output", "output_bytes",
           "output_path", "error", "error_kind", "result")
_COLUMNS = ", ".join(_FIELDS)
_PLACEHOLDERS = ", ".join("?" * len(_FIELDS))
_JSON = frozenset({"options", "runner", "result"})


def _job(row: Sequence[Any]) -> Job:
    from perth.ops.model import Job

    values = dict(zip(_FIELDS, row, strict=True))
    values["args"] = json_list(values["args"])
    for name in _JSON:
        values[name] = from_json(values[name]) or {}
    values["cancel_requested"] = bool(values["cancel_requested"])
    return Job(**values)


def _params(job: Job) -> tuple[Any, ...]:
    values: list[Any] = []
    for name in _FIELDS:
        value = getattr(job, name)
        if name == "args":
            value = to_json(list(value))
        elif name in _JSON:
            value = to_json(dict(value))
        elif name == "cancel_requested":
            value = int(value)
        values.append(value)
    return tuple(values)


class SqlJobs:
    """The jobs port (see :class:`perth.store.ports.jobs.JobQueue`)."""

    #: What the engine adds to the lease's ``SELECT`` so that concurrent workers never take the same
    #: row: nothing on SQLite (its write transaction already excludes other writers).
    _claim = ""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def _select(self, where: str, params: Sequence[Any] = ()) -> list[Job]:
        return [_job(r) for r in self._db.rows(f"SELECT {_COLUMNS} FROM jobs WHERE {where}", params)]

    def enqueue(self, job: Job) -> Job:
        """Add a job; with an idempotency key already used, return that job instead."""
        with self._db.transaction():
            if job.idempotency_key is None:
                self._db.run(f"INSERT INTO jobs({_COLUMNS}) VALUES ({_PLACEHOLDERS})", _params(job))
                return job
            # a concurrent enqueue of the same key waits for the other one and then adds nothing
            added = self._db.run(f"INSERT INTO jobs({_COLUMNS}) VALUES ({_PLACEHOLDERS})"
                                 " ON CONFLICT (idempotency_key) DO NOTHING", _params(job)).rowcount
            if added:
                return job
            return self._select("idempotency_key = ?", (job.idempotency_key,))[0]

    def get(self, job_id: str) -> Job | None:
        """One job by id."""
        found = self._select("id = ?", (job_id,))
        return found[0] if found else None

    def resolve(self, prefix: str) -> list[Job]:
        """The jobs whose id ends with (or equals) ``prefix``."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self._select("id = ? OR id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 20",
                            (prefix, f"%{escaped}"))

    def query(self, query: JobQuery) -> list[Job]:
        """Jobs matching the query, newest first."""
        clauses: list[str] = ["1 = 1"]
        params: list[object] = []
        if query.statuses:
            clauses.append(f"status IN ({', '.join('?' * len(query.statuses))})")
            params += list(query.statuses)
        for name in ("kind", "target"):
            if getattr(query, name) is not None:
                clauses.append(f"{name} = ?")
                params.append(getattr(query, name))
        params.append(query.limit)
        return self._select(" AND ".join(clauses) + " ORDER BY created_at DESC, id DESC LIMIT ?", params)

    def lease(self, owner: str, token: str, now: int, until: int, *, kinds: tuple[str, ...] = (),
              job_id: str | None = None) -> Job | None:
        """Claim the oldest due queued job (or ``job_id``) for ``owner`` until ``until``."""
        where = "status = 'queued' AND engine = 'embedded' AND available_at <= ?"
        params: list[object] = [now]
        if kinds:
            where += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params += list(kinds)
        if job_id is not None:
            where += " AND id = ?"
            params.append(job_id)
        select = f"SELECT id FROM jobs WHERE {where} ORDER BY available_at, id LIMIT 1"
        if not self._db.rows(select, params):
            return None  # nothing due: an idle poll reads, without taking the write lock
        with self._db.transaction():
            rows = self._db.rows(select + self._claim, params)
            if not rows:
                return None
            self._db.run("UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = ?, lease_token = ?,"
                         " lease_until = ?, started_at = ?, runner = '{}' WHERE id = ?",
                         (owner, token, until, now, rows[0][0]))
            return self.get(rows[0][0])

    def heartbeat(self, job_id: str, token: str, until: int) -> str:
        """Extend a lease: ``ok``, ``cancel`` or ``lost``."""
        with self._db.transaction():
            cursor = self._db.run("UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_token = ?"
                                  " AND status = 'running'", (until, job_id, token))
            if cursor.rowcount == 0:
                return "lost"
            rows = self._db.rows("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,))
        return "cancel" if rows and rows[0][0] else "ok"

    def expired(self, now: int) -> list[Job]:
        """Running jobs whose lease ran out."""
        return self._select("status = 'running' AND engine = 'embedded' AND lease_until < ? ORDER BY lease_until",
                            (now,))

    def settle(self, job: Job, token: str) -> bool:
        """Write ``job`` if its lease token is still ``token``."""
        assignments = ", ".join(f"{name} = ?" for name in _FIELDS[1:])
        with self._db.transaction():
            cursor = self._db.run(f"UPDATE jobs SET {assignments} WHERE id = ? AND lease_token = ?"
                                  " AND status = 'running'", (*_params(job)[1:], job.id, token))
        return cursor.rowcount == 1

    def update(self, job: Job) -> None:
        """Write ``job`` unconditionally."""
        assignments = ", ".join(f"{name} = ?" for name in _FIELDS[1:])
        self._db.write(f"UPDATE jobs SET {assignments} WHERE id = ?", (*_params(job)[1:], job.id))

    def delete(self, job_id: str) -> bool:
        """Drop a job and its log."""
        with self._db.transaction():
            self._db.run("DELETE FROM job_logs WHERE job_id = ?", (job_id,))
            return self._db.run("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount == 1

    def counts(self) -> dict[str, int]:
        """How many jobs have each status."""
        return {str(status): int(count) for status, count in
                self._db.rows("SELECT status, COUNT(*) FROM jobs GROUP BY status")}


class SqlJobLogs:
    """The job_logs port (see :class:`perth.store.ports.jobs.JobLogRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def _lock_log(self, job_id: str) -> None:
        """Keep other writers from numbering the job's next lines until this transaction ends
        (nothing on SQLite: its write transaction already excludes them)."""

    def append(self, lines: list[JobLogLine]) -> None:
        """Add log lines, numbering those whose ``seq`` is 0 after the job's last one."""
        with self._db.transaction():
            for job_id in sorted({line.job_id for line in lines if not line.seq}):
                self._lock_log(job_id)
            next_seq: dict[str, int] = {}
            for line in lines:
                seq = line.seq
                if not seq:
                    if line.job_id not in next_seq:
                        row = self._db.rows("SELECT COALESCE(MAX(seq), 0) FROM job_logs WHERE job_id = ?",
                                            (line.job_id,))
                        next_seq[line.job_id] = int(row[0][0])
                    next_seq[line.job_id] += 1
                    seq = next_seq[line.job_id]
                self._db.run("INSERT INTO job_logs(job_id, seq, at, attempt, level, text) VALUES (?, ?, ?, ?, ?, ?)",
                             (line.job_id, seq, line.at, line.attempt, line.level, line.text))

    def read(self, job_id: str, *, after: int = 0, limit: int = 1000) -> list[JobLogLine]:
        """The job's lines with ``seq > after``, oldest first."""
        from perth.ops.model import JobLogLine

        rows = self._db.rows("SELECT job_id, seq, at, attempt, level, text FROM job_logs WHERE job_id = ? AND seq > ?"
                             " ORDER BY seq LIMIT ?", (job_id, after, limit))
        return [JobLogLine(job_id=r[0], seq=r[1], at=r[2], attempt=r[3], level=r[4], text=r[5]) for r in rows]
