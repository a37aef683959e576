"""Starting and managing workflow runs: start, find, retry a step, cancel, approve or reject a gate.

Approvals are decisions of a known identity: the operating-system user running the command
(read from the process's user id, not from the environment); it must be in the step's approver
list (a user name, or ``@group`` for the members of a Unix group), and with ``four_eyes`` it may
not be the user who started the run (that user, when listed, may still reject it).
"""

from __future__ import annotations

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.record import replace
from perth.workflows.model import FINAL_STEP, StepRun, WorkflowRun

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.ops.model import Job, JobLogLine
    from perth.runtime import Runtime
    from perth.workflows.model import Approval, WorkflowSpec


def local_user() -> str:
    """The name of the user this process runs as (by its effective user id)."""
    import os
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid:{os.geteuid()}"


def start(rt: Runtime, spec: WorkflowSpec, given: Mapping[str, str]) -> WorkflowRun:
    """Store a new run of ``spec`` with its inputs (defaults overridden by ``given``); every step pending."""
    from perth.ids import uuid7
    from perth.ops.registry import worker_for
    from perth.workflows.loader import expand, substitute, to_data

    inputs = substitute(spec, given)
    for step in spec.steps:
        worker_for(step.kind)
        for arg in step.args:
            _refuse_secret(rt, expand(arg, inputs), f"step {step.id}: an argument")
    _refuse_secrets(rt, to_data(spec), "the workflow file")
    _refuse_secrets(rt, inputs, "an input")
    now = rt.clock()
    run = WorkflowRun(id=uuid7(now), name=spec.name, path=spec.path, spec=to_data(spec), inputs=dict(inputs),
                      started_by=local_user(), created_at=now)
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


def find(rt: Runtime, ref: str) -> WorkflowRun:
    """A run by id or the end of its id."""
    found = rt.store.workflows.resolve(ref.strip())
    if not found:
        raise NotFoundError(f"no workflow run {ref!r}", "list runs with `perth workflow list`")
    if len(found) > 1 and found[0].id != ref:
        raise InvalidInputError(f"{ref!r} matches {len(found)} runs", "give more characters of the id")
    return found[0]


def _step(rt: Runtime, run: WorkflowRun, step_id: str) -> StepRun:
    for step in rt.store.workflows.steps(run.id):
        if step.step_id == step_id:
            return step
    raise NotFoundError(f"run {run.short_id} has no step {step_id!r}", "see its steps with `perth workflow show RUN`")


def retry(rt: Runtime, run: WorkflowRun, step_id: str | None = None) -> WorkflowRun:
    """Make failed (or the named) steps pending again, with the steps skipped because of them; nothing else re-runs."""
    steps = rt.store.workflows.steps(run.id)
    retryable = {"failed", "rejected", "cancelled"}
    if step_id is not None:
        chosen = _step(rt, run, step_id)
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
                                                       decided_by=None, decided_at=None, note=None))
        fresh = replace(run, status="running", finished_at=None, cancel_requested=False)
        rt.store.workflows.update(fresh)
    return fresh


def cancel(rt: Runtime, run: WorkflowRun) -> WorkflowRun:
    """Ask the run to stop: steps not started are cancelled, running jobs are stopped."""
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
        job = rt.store.jobs.get(step.job_id) if step.status == "running" and step.job_id else None
        if job is not None and not job.final:
            jobs.cancel(rt, job)
    return fresh


def may_decide(approval: Approval, user: str, requested_by: str | None, *, approving: bool = True) -> str | None:
    """Why ``user`` may not decide the gate (None when they may); four eyes bind approvals, not rejections."""
    import grp

    groups: set[str] = set()
    for name in approval.approvers:
        if name.startswith("@"):
            try:
                if user in grp.getgrnam(name[1:]).gr_mem:
                    groups.add(name)
            except KeyError:
                continue
    if user not in approval.approvers and not groups:
        return f"{user} is not an approver of this step (approvers: {', '.join(approval.approvers)})"
    if approving and approval.four_eyes and user == requested_by:
        return f"{user} started this run and the step needs four eyes: another approver must decide"
    return None


def decide(rt: Runtime, run: WorkflowRun, step_id: str, *, approve: bool, note: str = "",
           user: str | None = None) -> StepRun:
    """Record an approval decision on a waiting gate, as ``user`` (the local user)."""
    from perth.workflows.loader import from_data

    user = user or local_user()
    spec = {s.id: s for s in from_data(run.spec).steps}
    with rt.store.unit():
        step = _step(rt, run, step_id)
        approval = spec[step_id].approval
        if approval is None:
            raise ConflictError(f"step {step_id} has no approval gate", "only steps with `approval:` are approved")
        if step.status != "waiting" or step.decision is not None:
            raise ConflictError(f"step {step_id} is {step.status}, not waiting for approval",
                                "see the run with `perth workflow show RUN`")
        refused = may_decide(approval, user, step.requested_by, approving=approve)
        if refused:
            raise ConflictError(refused, "ask one of the step's approvers")
        decided = replace(step, decision="approved" if approve else "rejected", decided_by=user,
                          decided_at=rt.clock(), note=str(rt.redact(note, "ops")) if note else None)
        rt.store.workflows.update_step(decided)
    return decided


def step_logs(rt: Runtime, run: WorkflowRun) -> list[tuple[StepRun, Job | None, list[JobLogLine]]]:
    """Each step with its current job and that job's log lines (redacted when they were stored)."""
    found = []
    for step in rt.store.workflows.steps(run.id):
        job = rt.store.jobs.get(step.job_id) if step.job_id else None
        found.append((step, job, rt.store.job_logs.read(job.id) if job else []))
    return found


def is_final(step: StepRun) -> bool:
    """True when a step will not change by itself."""
    return step.status in FINAL_STEP


def spawn_resume(run: WorkflowRun) -> int:
    """Drive the run in a detached ``perth workflow resume`` process; returns its pid."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-c", "from perth.cli.main import run; run()", "workflow", "resume", run.id],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return process.pid
