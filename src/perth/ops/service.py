"""Submitting and managing jobs: run, find, list, cancel, retry, and the dead-letter queue.

Nothing secret is ever stored in a job: arguments, options, target and idempotency key go
through the secret filter, and a job whose arguments *hold* a secret is refused (running it
with the secret replaced would run something else); secrets reach a job through the
environment allow-list (``--env NAME``), whose values are read by the worker at run time.
"""

from __future__ import annotations

import time

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.ops.model import FINAL_STATUSES, Job, JobQuery
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.ops.model import JobLogLine
    from perth.runtime import Runtime


class JobSpec(Record):
    """What ``perth job run`` asks for (``None``: the configured default)."""

    kind: str
    args: tuple[str, ...] = ()
    target: str = "local"
    options: dict[str, object] = {}  # noqa: RUF012 - never mutated
    idempotency_key: str | None = None
    timeout_s: float | None = None
    max_attempts: int | None = None
    engine: str = "embedded"


def _clean(rt: Runtime, text: str, what: str) -> str:
    safe = str(rt.redact(text, "ops"))
    if safe != text:
        raise InvalidInputError(f"{what} holds a secret ({safe[:80]})",
                                "never put secrets in a job: pass them through the environment with --env NAME")
    return text


def submit(rt: Runtime, spec: JobSpec) -> Job:
    """Validate, filter and enqueue a job (an existing job when its idempotency key was used)."""
    from perth.ids import uuid7
    from perth.ops.registry import worker_for

    for index, arg in enumerate(spec.args, 1):
        _clean(rt, arg, f"argument {index}")
    for name, value in spec.options.items():
        _clean(rt, f"{name}={value}", f"option {name}")
    _clean(rt, spec.target, "the target")
    if spec.idempotency_key is not None:
        _clean(rt, spec.idempotency_key, "the idempotency key")
    now = rt.clock()
    timeout = spec.timeout_s if spec.timeout_s is not None else float(rt.settings.get_int("ops.timeout_s"))
    attempts = spec.max_attempts if spec.max_attempts is not None else rt.settings.get_int("ops.max_attempts")
    if timeout <= 0 or attempts < 1:
        raise InvalidInputError("--timeout must be > 0 and --attempts >= 1", "e.g. --timeout 60 --attempts 3")
    job = Job(id=uuid7(now), kind=spec.kind, target=spec.target, args=spec.args, options=dict(spec.options),
              engine=spec.engine, idempotency_key=spec.idempotency_key, timeout_s=timeout, max_attempts=attempts,
              created_at=now, available_at=now)
    worker_for(job.kind).check(job)
    stored = rt.store.jobs.enqueue(job)
    if stored.id == job.id and job.engine == "celery":
        _send(rt, stored)
    return stored


def registered_repositories(rt: Runtime) -> list[str]:
    """The repositories of Perth's panes (not deleted) that still exist, sorted."""
    import os

    from perth.records import PaneQuery

    roots = {p.repo_root for p in rt.store.panes.query(PaneQuery()) if p.repo_root}
    return sorted(root for root in roots if os.path.isdir(root))


def submit_registered_backups(rt: Runtime, spec: JobSpec) -> list[Job]:
    """One ``backup git`` job per registered repository (``perth job run backup -- registered``)."""
    repos = registered_repositories(rt)
    if not repos:
        raise NotFoundError("no registered repository to back up",
                            "work in a repository with Perth first (its panes record it), or name one: backup git PATH")
    return [submit(rt, replace(spec, args=("git", repo))) for repo in repos]


def _send(rt: Runtime, job: Job) -> None:
    """Hand a stored job to Celery; a failure dead-letters it (it never reached a queue)."""
    from perth.errors import PerthError
    from perth.ops.celery_engine import send

    try:
        send(rt, job)
    except PerthError as exc:
        rt.store.jobs.update(replace(job, status="dead", error=str(rt.redact(exc.message, "ops")),
                                     error_kind="transient", finished_at=rt.clock()))
        raise


def find(rt: Runtime, ref: str) -> Job:
    """A job by id or the end of its id (``perth job list`` shows the last 8 characters)."""
    found = rt.store.jobs.resolve(ref.strip())
    if not found:
        raise NotFoundError(f"no job {ref!r}", "list jobs with `perth job list`")
    if len(found) > 1 and found[0].id != ref:
        raise InvalidInputError(f"{ref!r} matches {len(found)} jobs", "give more characters of the id")
    return refresh(rt, found[0])


def refresh(rt: Runtime, job: Job) -> Job:
    """The job with its Celery outcome folded in (embedded jobs are always current)."""
    if job.engine != "celery" or job.final:
        return job
    from perth.ops.celery_engine import collect

    return collect(rt, job)


def list_jobs(rt: Runtime, query: JobQuery) -> list[Job]:
    """Jobs, newest first (Celery outcomes folded in)."""
    return [refresh(rt, job) for job in rt.store.jobs.query(query)]


def logs(rt: Runtime, job: Job, after: int = 0) -> list[JobLogLine]:
    """A job's log lines."""
    return rt.store.job_logs.read(job.id, after=after)


def cancel(rt: Runtime, job: Job) -> Job:
    """Cancel a queued job now, or ask a running one to stop at its next heartbeat."""
    from perth.ops.attempt import write_log

    with rt.store.unit():
        current = rt.store.jobs.get(job.id) or job
        if current.final:
            raise ConflictError(f"job {current.short_id} already {current.status}", "nothing to cancel")
        if current.engine == "celery":
            from perth.ops.celery_engine import revoke

            revoke(rt, current)
        if current.status == "queued":
            changed = replace(current, status="cancelled", finished_at=rt.clock(), error="cancelled by the user",
                              error_kind="cancelled")
        else:
            changed = replace(current, cancel_requested=True)
        rt.store.jobs.update(changed)
        write_log(rt, changed, "cancelled by the user" if changed.final else "cancellation requested")
    return changed


def retry(rt: Runtime, job: Job) -> Job:
    """Queue a finished (failed, dead or cancelled) job again with fresh attempts."""
    from perth.ops.attempt import write_log

    if job.status not in FINAL_STATUSES - {"succeeded"}:
        raise ConflictError(f"job {job.short_id} is {job.status}", "only failed, dead or cancelled jobs are retried")
    now = rt.clock()
    changed = replace(job, status="queued", attempt=0, available_at=now, finished_at=None, cancel_requested=False,
                      lease_owner=None, lease_token=None, lease_until=None, error=None, error_kind=None,
                      exit_code=None)
    with rt.store.unit():
        rt.store.jobs.update(changed)
        write_log(rt, changed, f"queued again by hand (was {job.status})")
    if changed.engine == "celery":
        _send(rt, changed)
    return changed


def dead_letters(rt: Runtime, limit: int = 100) -> list[Job]:
    """The dead-letter queue, newest first."""
    return rt.store.jobs.query(JobQuery(statuses=("dead",), limit=limit))


def dead_letter(rt: Runtime, ref: str) -> Job:
    """One job of the dead-letter queue."""
    job = find(rt, ref)
    if job.status != "dead":
        raise ConflictError(f"job {job.short_id} is {job.status}, not in the dead-letter queue",
                            "list it with `perth job dlq list`")
    return job


def drop(rt: Runtime, job: Job) -> Job:
    """Delete a job, its log and its output files."""
    import os
    import shutil

    rt.store.jobs.delete(job.id)
    shutil.rmtree(os.path.join(rt.settings.paths.state_dir, "jobs", job.id), ignore_errors=True)
    return job


def wait(rt: Runtime, job: Job, *, poll_s: float = 0.2, timeout_s: float | None = None,
         tick: Callable[[Job], None] | None = None) -> Job:
    """Run the job here when it is due (else let the worker that has it finish); return it when final."""
    from perth.ops.executor import reap, run_here

    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        current = refresh(rt, rt.store.jobs.get(job.id) or job)
        if current.final:
            return current
        if tick is not None:
            tick(current)
        if current.engine == "embedded" and current.status == "queued" and current.available_at <= rt.clock():
            run_here(rt, current.id)
            continue
        if current.engine == "embedded" and current.status == "running":
            reap(rt)
        if deadline is not None and time.monotonic() > deadline:
            return current
        time.sleep(poll_s)
