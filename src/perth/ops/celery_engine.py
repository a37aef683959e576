"""The distributed engine: the same jobs on Celery, RabbitMQ as broker, Redis as result backend.

``perth job run KIND --engine celery ...`` stores the job (as always: redacted, with its idempotency
key) and sends it as the task ``perth.ops.run`` with the job's id as task id to the queue
``ops.celery_queue``.  ``perth worker run --engine celery`` runs a Celery worker (thread pool)
that executes it with the job kind's worker and returns the outcome; ``perth job show|list|run
--wait`` fold the outcomes from the result backend into the store.

Delivery when a worker dies: ``task_acks_late`` (the message is acknowledged only after the job
ran), ``task_reject_on_worker_lost`` (a pool process that died puts it back) and a prefetch of 1,
so the message of a worker killed mid-job (kill -9: its broker connection closes) is redelivered
to another worker.  Before running a redelivered job, the worker kills what is left of the dead
worker's attempt on this host (its process group, found by the lease marker), so two attempts
never run at once here.  Transient failures are retried with Celery's own retry (backoff with
jitter), up to the job's attempts; rejections are never retried.
"""

from __future__ import annotations

import json
import os
import random
import socket

from perth.ops.attempt import BaseIO
from perth.ops.model import Job

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from celery import Celery  # type: ignore[import-untyped]

    from perth.config import Settings
    from perth.ops.output import OutputSink
    from perth.ops.port import WorkResult
    from perth.runtime import Runtime

TASK = "perth.ops.run"
#: The job fields a Celery worker reports back (with its log lines).
RESULT_FIELDS = ("status", "exit_code", "output", "output_bytes", "output_path", "error", "error_kind", "attempt",
                 "result", "started_at", "finished_at", "lease_owner")
_WORKER_SETTINGS: Settings | None = None


_APPS: dict[tuple[str, str, str], Celery] = {}


def make_app(settings: Settings) -> Celery:
    """The Celery application for these settings (broker, backend, queue, delivery guarantees); one per process."""
    key = (str(settings.get("ops.celery_broker")), str(settings.get("ops.celery_backend")),
           str(settings.get("ops.celery_queue")))
    if key not in _APPS:
        _APPS[key] = _new_app(settings)
    return _APPS[key]


def _new_app(settings: Settings) -> Celery:
    from perth.ops.extras import require

    require("celery")
    from celery import Celery

    app = Celery("perth", broker=str(settings.get("ops.celery_broker")),
                 backend=str(settings.get("ops.celery_backend")))
    queue = str(settings.get("ops.celery_queue"))
    app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
                    task_track_started=True, task_default_queue=queue, task_serializer="json",
                    result_serializer="json", accept_content=["json"], result_expires=7 * 86400,
                    broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
                    task_acks_on_failure_or_timeout=True, broker_heartbeat=10)
    app.task(name=TASK, bind=True)(_run_task)
    return app


def send(rt: Runtime, job: Job) -> None:
    """Send a stored job to the Celery queue (task id = job id)."""
    from perth.errors import TransientError

    app = make_app(rt.settings)
    try:
        app.send_task(TASK, args=[_job_json(job)], task_id=job.id, queue=str(rt.settings.get("ops.celery_queue")))
    except Exception as exc:  # kombu raises many types for an unreachable broker
        raise TransientError(f"cannot send the job to the Celery broker: {type(exc).__name__}",
                             "check ops.celery_broker and that RabbitMQ runs") from exc


def revoke(rt: Runtime, job: Job) -> None:
    """Ask Celery not to start the job (a running attempt ends by itself or at its timeout)."""
    make_app(rt.settings).control.revoke(job.id)


def _job_json(job: Job) -> dict[str, Any]:
    values = {name: getattr(job, name) for name in Job._fields}
    return {**values, "args": list(job.args), "_logs": []}


def collect(rt: Runtime, job: Job) -> Job:
    """Fold the task's state from the result backend into the stored job."""
    from perth.record import replace

    if job.final or job.engine != "celery":
        return job
    result = make_app(rt.settings).AsyncResult(job.id)
    state = result.state
    if state == "SUCCESS":
        data = result.result
        done = replace(job, **{k: v for k, v in data.items() if k in RESULT_FIELDS})
    elif state == "FAILURE":
        done = replace(job, status="dead", error=str(rt.redact(str(result.result), "ops")), error_kind="error",
                       finished_at=rt.clock())
    elif state in ("STARTED", "RETRY"):
        done = replace(job, status="running" if state == "STARTED" else "queued")
    else:
        return job
    if done != job:
        rt.store.jobs.update(done)
        if state == "SUCCESS":
            _store_logs(rt, done, result.result.get("logs", []))
            from perth.ops.executor import job_finished

            job_finished(rt, done)
    return done


def _store_logs(rt: Runtime, job: Job, lines: list[list[Any]]) -> None:
    from perth.ops.model import JobLogLine

    rt.store.job_logs.append([JobLogLine(job_id=job.id, seq=0, at=int(at), attempt=int(attempt), level=str(level),
                                         text=str(rt.redact(str(text), "ops"))) for at, attempt, level, text in lines])


class CeleryIO(BaseIO):
    """The JobIO of an attempt in a Celery worker: log lines kept for the result, the runner in a local file."""

    def __init__(self, rt: Runtime, job: Job, output: OutputSink) -> None:
        super().__init__(rt, job, output)
        self.lines: list[list[Any]] = []

    def log(self, text: str, level: str = "info") -> None:
        """Keep a redacted log line for the result."""
        self.lines.append([self.rt.clock(), self.job.attempt, level, str(self.rt.redact(text, "ops"))])

    def started_processes(self, pid: int, pgid: int) -> None:
        """Write the runner file (host, pgid, lease marker) a redelivery on this host reads."""
        os.makedirs(os.path.dirname(_runner_path(self.rt, self.job)), mode=0o700, exist_ok=True)
        with open(_runner_path(self.rt, self.job), "w") as handle:
            json.dump({"host": socket.gethostname(), "pgid": pgid, "token": self.job.lease_token}, handle)


def _runner_path(rt: Runtime, job: Job) -> str:
    return os.path.join(rt.settings.paths.state_dir, "jobs", job.id, "celery-runner.json")


def _reap_local(rt: Runtime, job: Job, io: CeleryIO) -> None:
    """Kill what is left of an earlier attempt of this job on this host (its worker died)."""
    from perth.ops.process import kill_orphaned_attempt

    try:
        with open(_runner_path(rt, job)) as handle:
            runner = json.load(handle)
    except (OSError, ValueError):
        return
    mine = runner.get("host") == socket.gethostname()
    if mine and kill_orphaned_attempt(int(runner["pgid"]), str(runner["token"])):
        io.log("killed the processes of an earlier attempt whose worker died", "warning")


def _run_task(task: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The Celery task: one attempt of the job; retries transient failures through Celery."""
    from perth.runtime import Runtime

    assert _WORKER_SETTINGS is not None  # noqa: S101 - set by run_worker before the worker starts
    rt = Runtime(_WORKER_SETTINGS)
    try:
        return _attempt(rt, task, data)
    finally:
        rt.close()


def _attempt(rt: Runtime, task: Any, data: dict[str, Any]) -> dict[str, Any]:
    from perth.errors import CircuitOpenError, TransientError
    from perth.ids import uuid7
    from perth.ops.attempt import backoff_ms, outcome
    from perth.ops.executor import output_path
    from perth.ops.registry import worker_for
    from perth.record import replace

    redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
    earlier = list(data.get("_logs", []))
    job = Job(**{**{k: v for k, v in data.items() if k != "_logs"}, "args": tuple(data["args"])})
    job = replace(job, status="running", attempt=task.request.retries + 1, lease_token=uuid7(rt.clock()),
                  lease_owner=f"celery:{task.request.hostname}", started_at=rt.clock())
    job = replace(job, output_path=output_path(rt, job))
    from perth.ops.output import OutputSink

    sink = OutputSink(job.output_path, rt.settings.get_int("ops.output_limit_kb") * 1024, rt.secret_filter)
    io = CeleryIO(rt, job, sink)
    io.lines = earlier
    if redelivered:
        io.log("redelivered: the worker that had this job stopped before finishing it", "warning")
    _reap_local(rt, job, io)
    io.log(f"attempt {job.attempt}/{job.max_attempts} started by {job.lease_owner}")
    result: WorkResult | None = None
    error: BaseException | None = None
    try:
        result = worker_for(job.kind).run(job, io)
    except Exception as exc:  # classified by outcome()
        error = exc
    job = replace(job, output=sink.close(), output_bytes=sink.bytes)
    settled = outcome(rt, job, result, error, stop_reason="", draw=random.random())  # noqa: S311 - jitter, not a secret
    if settled.status == "queued" and isinstance(error, (TransientError, CircuitOpenError)):
        io.log(f"attempt {job.attempt} failed ({settled.error}); retried after a backoff", "warning")
        delay_s = backoff_ms(rt, job.attempt, random.random()) / 1000  # noqa: S311 - jitter
        raise task.retry(args=[{**data, "_logs": io.lines}], countdown=delay_s, max_retries=job.max_attempts - 1)
    io.log(f"finished: {settled.status}" + (f" ({settled.error})" if settled.error else ""))
    return {**{k: getattr(settled, k) for k in RESULT_FIELDS}, "logs": io.lines}


def run_worker(settings: Settings, concurrency: int) -> int:
    """Run a Celery worker in this process until it is stopped; returns its exit status."""
    global _WORKER_SETTINGS  # noqa: PLW0603 - the worker process's settings, read by the task
    _WORKER_SETTINGS = settings
    app = make_app(settings)
    name = f"perth-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(["worker", "--pool", "threads", "--concurrency", str(concurrency), "--hostname", name,
                     "--queues", str(settings.get("ops.celery_queue")), "--without-gossip", "--without-mingle",
                     "--loglevel", "WARNING"])
    return 0
