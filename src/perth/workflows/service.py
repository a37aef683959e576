"""Starting and managing workflow runs: start, find, retry a step, cancel, approve or reject a gate.

:func:`decide` is the one entry point for an approval decision (the CLI calls it as the local user;
the HTTP API calls it with the identity its per-user token proves).

Approvals are signed decisions of a known identity (HMAC-SHA256 with this installation's key, over
run, step, decision, who, when, requester and note: ``perth workflow show`` says whether each
recorded decision still matches its signature): the operating-system user running the command
(read from the process's user id, not from the environment); it must be in the step's approver
list (a user name, or ``@group`` for the members of a Unix group), and with ``four_eyes`` it may
not be the user who started the run (that user, when listed, may still reject it).
"""

from __future__ import annotations

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.record import replace
from perth.workflows.model import FINAL_STEP, StepRun, WorkflowRun
from perth.workflows.runs import cancel, local_user, retry, sign_decision, spawn_resume, start, step_of

__all__ = ["cancel", "carry_on", "decide", "find", "is_final", "local_user", "may_decide", "retry", "spawn_resume",
           "start", "step_logs"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job, JobLogLine
    from perth.runtime import Runtime
    from perth.workflows.model import Approval


def find(rt: Runtime, ref: str) -> WorkflowRun:
    """A run by id or the end of its id."""
    found = rt.store.workflows.resolve(ref.strip())
    if not found:
        raise NotFoundError(f"no workflow run {ref!r}", "list runs with `perth workflow list`")
    if len(found) > 1 and found[0].id != ref:
        raise InvalidInputError(f"{ref!r} matches {len(found)} runs", "give more characters of the id")
    return found[0]


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
        step = step_of(rt, run, step_id)
        approval = spec[step_id].approval
        if approval is None:
            raise ConflictError(f"step {step_id} has no approval gate", "only steps with `approval:` are approved")
        if step.status != "waiting" or step.decision is not None:
            raise ConflictError(f"step {step_id} is {step.status}, not waiting for approval",
                                "see the run with `perth workflow show RUN`")
        refused = may_decide(approval, user, step.requested_by, approving=approve)
        if refused:
            raise ConflictError(refused, "ask one of the step's approvers")
        decided = sign_decision(rt, replace(step, decision="approved" if approve else "rejected", decided_by=user,
                                            decided_at=rt.clock(), note=str(rt.redact(note, "ops")) if note else None))
        rt.store.workflows.update_step(decided)
    return decided


def carry_on(rt: Runtime, run_id: str) -> int | None:
    """After a decision: when the run is still running and no runner holds it (none claimed it, or
    its claim ran out), hand it to a detached ``perth workflow resume``; its pid, or ``None``."""
    current = rt.store.workflows.get(run_id)
    if current is None or current.status != "running" or (current.runner_until or 0) >= rt.clock():
        return None
    return spawn_resume(current, rt.environ)


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
