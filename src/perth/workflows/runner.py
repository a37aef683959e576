"""The DAG runner: drive a stored run until every step is final, storing every state change.

One runner holds a run at a time (a claim renewed every turn, expiring after ``ops.lease_s``).
Each turn it reads the run from the store, settles the steps whose jobs finished, opens approval
gates, times them out, starts the steps whose ``needs`` succeeded (at most ``max_parallel`` at
once), and skips those whose ``needs`` did not.  A step's job is an operations job (its retry
policy is the job's attempts) run on the embedded executor by a thread of the runner.  Because
everything is in the store, a runner killed with ``kill -9`` is replaced by ``perth workflow
resume``: it follows the jobs still running (the executor recovers those of the dead runner once
their lease runs out) and carries on; steps already settled are never run again.
"""

from __future__ import annotations

import os
import socket
import threading
import time

from perth.errors import ConflictError
from perth.record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.ops.model import Job
    from perth.runtime import Runtime
    from perth.workflows.model import StepRun, StepSpec, WorkflowRun, WorkflowSpec

_BAD = frozenset({"failed", "skipped", "rejected", "cancelled"})


class _Followers:
    """Threads that run (or wait for) one step's job each, with their outcomes."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._lock = threading.Lock()
        self.active: set[str] = set()
        self.done: dict[str, Job] = {}

    def follow(self, step_id: str, job_id: str) -> None:
        self.active.add(step_id)
        threading.Thread(target=self._wait, args=(step_id, job_id), name=f"perth-step-{step_id}", daemon=True).start()

    def _wait(self, step_id: str, job_id: str) -> None:
        from perth.ops.service import wait
        from perth.runtime import Runtime

        rt = Runtime(self._rt.settings, environ=self._rt.environ)
        try:
            job = rt.store.jobs.get(job_id)
            if job is not None:
                job = wait(rt, job, poll_s=0.05)
        finally:
            rt.close()
        with self._lock:
            if job is not None:
                self.done[step_id] = job

    def take(self) -> dict[str, Job]:
        with self._lock:
            done, self.done = self.done, {}
        self.active -= set(done)
        return done


def owner_name() -> str:
    """``host:pid:workflow``: who drives a run."""
    return f"{socket.gethostname()}:{os.getpid()}:workflow"


def drive(rt: Runtime, run: WorkflowRun, *, tick: Callable[[WorkflowRun, list[StepRun]], None] | None = None,
          poll_s: float = 0.05) -> WorkflowRun:
    """Run ``run`` until it is final; returns it (raises ConflictError when another runner holds it)."""
    from perth.workflows.loader import from_data

    owner = owner_name()
    lease_ms = rt.settings.get_int("ops.lease_s") * 1000
    if not rt.store.workflows.claim(run.id, owner, rt.clock(), rt.clock() + lease_ms):
        raise ConflictError(f"run {run.short_id} is being run by {run.runner_owner or 'another runner'}",
                            "wait for it (`perth workflow show RUN`), or cancel it")
    spec = from_data(run.spec)
    followers = _Followers(rt)
    driver = _Driver(rt, spec, followers)
    try:
        while True:
            current = rt.store.workflows.get(run.id) or run
            driver.settle(current, followers.take())
            if current.status == "running":
                driver.advance(current)
            steps = rt.store.workflows.steps(run.id)
            if current.status != "running" or (not followers.active and all(s.final for s in steps)):
                return _finish(rt, spec, current, steps) if current.status == "running" else current
            if tick is not None:
                tick(current, steps)
            time.sleep(poll_s)
            rt.store.workflows.claim(run.id, owner, rt.clock(), rt.clock() + lease_ms)
    finally:
        rt.store.workflows.release(run.id, owner)


class _Driver:
    """One turn's moves over a run: gates, starts, skips (the runner's state: its spec and followers)."""

    def __init__(self, rt: Runtime, spec: WorkflowSpec, followers: _Followers) -> None:
        self.rt = rt
        self.spec = spec
        self.followers = followers

    def settle(self, run: WorkflowRun, done: dict[str, Job]) -> None:
        """Write the outcome of the steps whose jobs finished; a failed one with attempts left goes again."""
        steps = {s.step_id: s for s in self.rt.store.workflows.steps(run.id)}
        policy = {s.id: s.attempts for s in self.spec.steps}
        for step_id, job in done.items():
            step = steps[step_id]
            status = {"succeeded": "succeeded", "cancelled": "cancelled"}.get(job.status, "failed")
            made = replace(step, attempts=step.attempts + job.attempt, round_attempts=step.round_attempts + job.attempt,
                           error=None if status == "succeeded" else job.error or job.status)
            if status == "failed" and made.round_attempts < policy[step_id] and not run.cancel_requested:
                _write(self.rt, replace(made, status="pending", job_id=None))  # retried on this turn
                continue
            _write(self.rt, replace(made, status=status, finished_at=job.finished_at or self.rt.clock()))

    def advance(self, run: WorkflowRun) -> None:
        """Open, time out or pass gates; start ready steps; skip blocked ones; follow running ones."""
        steps = {s.step_id: s for s in self.rt.store.workflows.steps(run.id)}
        now = self.rt.clock()
        for step_spec in self.spec.steps:
            step = steps[step_spec.id]
            if step.status == "running" and step.step_id not in self.followers.active and step.job_id:
                self.followers.follow(step.step_id, step.job_id)  # resumed: follow the job its last runner started
            if run.cancel_requested or (step_spec.on_failure and not self.handling(steps)):
                continue
            needs = [steps[n].status for n in step_spec.needs]
            if step.status == "pending" and any(s in _BAD for s in needs):
                step = _write(self.rt, replace(step, status="skipped", finished_at=now,
                                               error="a step it needs did not succeed"))
            elif step.status == "pending" and all(s == "succeeded" for s in needs):
                step = self.gate_or_start(run, step_spec, step)
            elif step.status == "waiting":
                step = self.waiting(run, step_spec, step)
            steps[step.step_id] = step

    def handling(self, steps: dict[str, StepRun]) -> bool:
        """Whether the on_failure steps may move: every other step is final (they are skipped if all succeeded)."""
        main = [steps[s.id] for s in self.spec.steps if not s.on_failure]
        if not all(s.final for s in main):
            return False
        if all(s.status == "succeeded" for s in main):
            for spec in self.spec.steps:
                if spec.on_failure and steps[spec.id].status == "pending":
                    steps[spec.id] = _write(self.rt, replace(steps[spec.id], status="skipped",
                                                             finished_at=self.rt.clock(), error="the run did not fail"))
            return False
        return True

    def gate_or_start(self, run: WorkflowRun, step_spec: StepSpec, step: StepRun) -> StepRun:
        """An approval gate opens (waiting), or the step starts (a gate already approved stays so on a retry)."""
        if step_spec.approval is not None and step.decision != "approved":
            return _write(self.rt, replace(step, status="waiting", requested_by=run.started_by,
                                           requested_at=self.rt.clock()))
        return self.start(run, step_spec, step)

    def waiting(self, run: WorkflowRun, step_spec: StepSpec, step: StepRun) -> StepRun:
        """A gate: approved (start), rejected, or timed out (rejected)."""
        now = self.rt.clock()
        if step.decision == "approved":
            return self.start(run, step_spec, step)
        if step.decision == "rejected":
            return _write(self.rt, replace(step, status="rejected", finished_at=now,
                                           error=f"rejected by {step.decided_by}"))
        approval = step_spec.approval
        if approval is not None and step.requested_at is not None \
                and now > step.requested_at + approval.timeout_s * 1000:
            return _write(self.rt, replace(step, status="rejected", decision="rejected", decided_by="perth (timeout)",
                                           decided_at=now, finished_at=now,
                                           error=f"nobody approved it within {approval.timeout_s:g} s"))
        return step

    def start(self, run: WorkflowRun, step_spec: StepSpec, step: StepRun) -> StepRun:
        """Submit the step's job (idempotent by run, step and attempts so far) and follow it; bounded."""
        from perth.ops.service import JobSpec, submit
        from perth.workflows.loader import expand

        if len(self.followers.active) >= self.spec.max_parallel:
            return step
        job = submit(self.rt, JobSpec(
            kind=step_spec.kind, args=tuple(expand(a, run.inputs) for a in step_spec.args), target=step_spec.target,
            options=dict(step_spec.options), timeout_s=step_spec.timeout_s,
            max_attempts=max(1, step_spec.attempts - step.round_attempts),
            idempotency_key=f"workflow:{run.id}:{step.step_id}:{step.attempts}"))
        first = step.started_at if step.round_attempts and step.started_at else self.rt.clock()  # a retry keeps it
        started = _write(self.rt, replace(step, status="running", job_id=job.id, started_at=first))
        self.followers.follow(step.step_id, job.id)
        return started


def _write(rt: Runtime, step: StepRun) -> StepRun:
    rt.store.workflows.update_step(step)
    return step


def _finish(rt: Runtime, spec: WorkflowSpec, run: WorkflowRun, steps: list[StepRun]) -> WorkflowRun:
    """The run's end: cancelled, else succeeded only if every step outside ``on_failure`` did."""
    main = {s.id for s in spec.steps if not s.on_failure}
    if run.cancel_requested:
        status = "cancelled"
    else:
        status = "succeeded" if all(s.status == "succeeded" for s in steps if s.step_id in main) else "failed"
    done = replace(run, status=status, finished_at=rt.clock())
    rt.store.workflows.update(done)
    return done
