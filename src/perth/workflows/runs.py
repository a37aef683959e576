"""Runs in the store: start one (manually, from a trigger, or nested in a step), retry its failed
steps, cancel it, hand it to a detached runner; and what its expressions see.

Nothing secret is stored in a run: its file, inputs and static arguments are refused when they hold
a secret, and step outputs pass through the secret filter before they are stored (and so before
anything shows them or passes them on).
"""

from __future__ import annotations

import re

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.record import replace
from perth.workflows.model import StepRun, WorkflowRun

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from perth.ops.model import Job
    from perth.runtime import Runtime
    from perth.workflows.model import WorkflowSpec

ENGINES = ("embedded", "celery")
#: A line of a step's output that sets one of its outputs: ``::output NAME=VALUE``.
OUTPUT_LINE = re.compile(r"^::output ([A-Za-z_][A-Za-z0-9_-]*)=(.*?)\r?$", re.MULTILINE)
MAX_OUTPUTS = 64
MAX_OUTPUT_CHARS = 4096


def local_user() -> str:
    """The name of the user this process runs as (by its effective user id)."""
    import os
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid:{os.geteuid()}"


def start(rt: Runtime, spec: WorkflowSpec, given: Mapping[str, str], *, engine: str = "embedded",
          trigger: str = "manual", parent_run_id: str | None = None, started_by: str | None = None) -> WorkflowRun:
    """Store a new run of ``spec`` with its inputs (defaults overridden by ``given``); every step pending."""
    from perth.ids import uuid7
    from perth.ops.registry import worker_for
    from perth.workflows.loader import substitute, to_data

    if engine not in ENGINES:
        raise InvalidInputError(f"unknown engine {engine!r}", f"one of: {', '.join(ENGINES)}")
    if engine == "celery":
        from perth.ops.extras import require

        require("celery", "ops")
    inputs = substitute(spec, given)
    for step in spec.steps:
        if step.workflow is None:
            worker_for(step.kind)
    _refuse_secrets(rt, to_data(spec), "the workflow file")
    _refuse_secrets(rt, inputs, "an input")
    now = rt.clock()
    run = WorkflowRun(id=uuid7(now), name=spec.name, path=spec.path, spec=to_data(spec), inputs=dict(inputs),
                      started_by=started_by or local_user(), created_at=now, engine=engine, trigger=trigger,
                      parent_run_id=parent_run_id)
    rt.store.workflows.create(run, [StepRun(run_id=run.id, step_id=s.id, position=i) for i, s in enumerate(spec.steps)])
    return run


def _refuse_secret(rt: Runtime, text: str, what: str) -> None:
    safe = str(rt.redact(text, "ops"))
    if safe != text:
        raise InvalidInputError(f"{what} holds a secret ({safe[:80]})",
                                "never put secrets in a workflow: pass them to its jobs with options: {env: [NAME]}")


def _refuse_secrets(rt: Runtime, value: object, what: str) -> None:
    """Refuse any string (key or value) in ``value`` that holds a secret: a run stores its file and inputs."""
    if isinstance(value, str):
        _refuse_secret(rt, value, what)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_secret(rt, str(key), what)
            _refuse_secrets(rt, item, what)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_secrets(rt, item, what)


def step_of(rt: Runtime, run: WorkflowRun, step_id: str) -> StepRun:
    """One step of a run (NotFoundError names the run)."""
    for step in rt.store.workflows.steps(run.id):
        if step.step_id == step_id:
            return step
    raise NotFoundError(f"run {run.short_id} has no step {step_id!r}", "see its steps with `perth workflow show RUN`")


def retry(rt: Runtime, run: WorkflowRun, step_id: str | None = None) -> WorkflowRun:
    """Make failed (or the named) steps pending again, with the steps skipped because of them; nothing else re-runs.

    A failed nested-workflow step keeps its child run: the child retries its own failed steps.
    """
    steps = rt.store.workflows.steps(run.id)
    retryable = {"failed", "rejected", "cancelled"}
    if step_id is not None:
        chosen = step_of(rt, run, step_id)
        if chosen.status not in retryable:
            raise ConflictError(f"step {step_id} is {chosen.status}",
                                "only failed, rejected or cancelled steps are retried")
        targets = {step_id}
    else:
        targets = {s.step_id for s in steps if s.status in retryable}
        if not targets:
            raise ConflictError(f"run {run.short_id} has no failed step", "nothing to retry")
    from perth.workflows.loader import from_data

    spec = from_data(run.spec)
    needs = {s.id: s.needs for s in spec.steps}
    targets |= {s.id for s in spec.steps if s.on_failure}  # they run again if the run fails again
    changed = True
    while changed:  # the steps skipped because of a retried one wait for it again
        more = {s.step_id for s in steps if s.status == "skipped" and set(needs[s.step_id]) & targets}
        changed = not more <= targets
        targets |= more
    with rt.store.unit():
        for step in steps:
            if step.step_id in targets:
                rt.store.workflows.update_step(replace(step, status="pending", job_id=None, finished_at=None,
                                                       round_attempts=0, error=None, requested_by=None,
                                                       requested_at=None, decision=None,
                                                       decided_by=None, decided_at=None, note=None, outputs={},
                                                       signature=None))
        fresh = replace(rt.store.workflows.get(run.id) or run, status="running", finished_at=None,
                        cancel_requested=False)
        rt.store.workflows.update(fresh)
    return fresh


def cancel(rt: Runtime, run: WorkflowRun) -> WorkflowRun:
    """Ask the run to stop: steps not started are cancelled, running jobs are stopped, nested runs cancelled."""
    from perth.ops import service as jobs

    if run.status != "running":
        raise ConflictError(f"run {run.short_id} already {run.status}", "nothing to cancel")
    now = rt.clock()
    with rt.store.unit():
        fresh = replace(rt.store.workflows.get(run.id) or run, cancel_requested=True)
        rt.store.workflows.update(fresh)
        for step in rt.store.workflows.steps(run.id):
            if step.status in ("pending", "waiting"):
                rt.store.workflows.update_step(replace(step, status="cancelled", finished_at=now,
                                                       error="cancelled by the user"))
    for step in rt.store.workflows.steps(run.id):
        if step.status != "running":
            continue
        child = rt.store.workflows.get(step.child_run_id) if step.child_run_id else None
        if child is not None and child.status == "running":
            cancel(rt, child)
        job = rt.store.jobs.get(step.job_id) if step.job_id else None
        if job is not None and not job.final:
            jobs.cancel(rt, job)
    return fresh


def context(run: WorkflowRun, steps: Sequence[StepRun]) -> dict[str, object]:
    """What a run's expressions read: ``inputs``, ``run`` and ``steps.ID.{outputs,status,attempts}``."""
    return {"inputs": dict(run.inputs),
            "run": {"id": run.id, "name": run.name, "started_by": run.started_by, "trigger": run.trigger},
            "steps": {s.step_id: {"status": s.status, "outputs": dict(s.outputs), "attempts": s.attempts}
                      for s in steps}}


def job_outputs(rt: Runtime, job: Job) -> dict[str, str]:
    """A finished job's outputs: what its worker reported (``result``) and its ``::output NAME=VALUE`` lines.

    Every value passes through the secret filter (the job's output already did when it was stored).
    """
    from perth.workflows.expr import text

    found: dict[str, str] = {str(k): text(v) for k, v in job.result.items()
                             if isinstance(v, str | int | float | bool) and re.fullmatch(r"[A-Za-z_][\w-]*", str(k))}
    for match in OUTPUT_LINE.finditer(job.output or ""):
        found[match.group(1)] = match.group(2)
    return redact_outputs(rt, found)


def redact_outputs(rt: Runtime, found: Mapping[str, str]) -> dict[str, str]:
    """Outputs bounded in number and size, through the secret filter."""
    return {name: str(rt.redact(value[:MAX_OUTPUT_CHARS], "ops"))
            for name, value in list(found.items())[:MAX_OUTPUTS]}


def spawn_resume(run: WorkflowRun, environ: Mapping[str, str] | None = None) -> int:
    """Drive the run in a detached ``perth workflow resume`` process; returns its pid."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-c", "from perth.cli.main import run; run()", "workflow", "resume", run.id],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env=None if environ is None else dict(environ))
    return process.pid


def _signing_key(rt: Runtime) -> bytes:
    """This installation's key for approval decisions (created once, readable by its owner only)."""
    import os
    import secrets

    from perth.files import private_dirs, write_atomic

    path = os.path.join(rt.settings.paths.state_dir, "workflows", "approval.key")
    try:
        with open(path, "rb") as handle:
            return handle.read().strip()
    except FileNotFoundError:
        private_dirs(os.path.dirname(path))
        write_atomic(path, [secrets.token_hex(32)])
        with open(path, "rb") as handle:
            return handle.read().strip()


def _decision_digest(key: bytes, step: StepRun) -> str:
    import hashlib
    import hmac
    import json

    fields = [step.run_id, step.step_id, step.decision, step.decided_by, step.decided_at, step.requested_by,
              step.note]
    return "v1=" + hmac.new(key, json.dumps(fields).encode(), hashlib.sha256).hexdigest()


def sign_decision(rt: Runtime, step: StepRun) -> StepRun:
    """The step with its decision signed: HMAC-SHA256 over run, step, decision, who, when, requester, note."""
    return replace(step, signature=_decision_digest(_signing_key(rt), step))


def decision_signature(rt: Runtime, step: StepRun) -> str | None:
    """``valid`` or ``invalid`` for a recorded decision (``None`` when there is none)."""
    import hmac

    if step.decision is None:
        return None
    if not step.signature:
        return "invalid"
    return "valid" if hmac.compare_digest(step.signature, _decision_digest(_signing_key(rt), step)) else "invalid"
