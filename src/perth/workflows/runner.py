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

from perth.errors import ConflictError, PerthError
from perth.record import replace
from perth.workflows.model import FINAL_STEP, WorkflowRun

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.ops.model import Job
    from perth.runtime import Runtime
    from perth.workflows.model import StepRun, StepSpec, WorkflowSpec

_BAD = frozenset({"failed", "skipped", "rejected", "cancelled"})
#: Step statuses that make a run fail (a step skipped by its condition does not).
_FAILING = frozenset({"failed", "rejected", "cancelled"})


class _Followers:
    """Threads that run (or wait for) one step's job, or drive its nested run, each with their outcomes."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._lock = threading.Lock()
        self.active: set[str] = set()
        self.done: dict[str, Job | WorkflowRun] = {}

    def follow_child(self, step_id: str, child_id: str) -> None:
        self.active.add(step_id)
        threading.Thread(target=self._drive_child, args=(step_id, child_id), name=f"perth-step-{step_id}",
                         daemon=True).start()

    def _drive_child(self, step_id: str, child_id: str) -> None:
        """Drive the nested run here (waiting while a dead runner's claim on it runs out)."""
        from perth.runtime import Runtime

        rt = Runtime(self._rt.settings, environ=self._rt.environ)
        child: WorkflowRun | None = None
        try:
            while True:
                child = rt.store.workflows.get(child_id)
                if child is None or child.status != "running":
                    break
                try:
                    child = drive(rt, child)
                    break
                except ConflictError:
                    time.sleep(0.2)
        finally:
            rt.close()
        with self._lock:
            if child is not None:
                self.done[step_id] = child

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

    def take(self) -> dict[str, Job | WorkflowRun]:
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
            if not rt.store.workflows.claim(run.id, owner, rt.clock(), rt.clock() + lease_ms):
                raise ConflictError(f"run {run.short_id} was taken over by another runner (this one was stalled)",
                                    "follow it with `perth workflow show RUN`")
    finally:
        rt.store.workflows.release(run.id, owner)


class _Driver:
    """One turn's moves over a run: gates, starts, skips (the runner's state: its spec and followers)."""

    def __init__(self, rt: Runtime, spec: WorkflowSpec, followers: _Followers) -> None:
        self.rt = rt
        self.spec = spec
        self.followers = followers

    def settle(self, run: WorkflowRun, done: dict[str, Job | WorkflowRun]) -> None:
        """Write the outcome (and outputs) of the steps whose jobs or nested runs finished; a failed one with
        attempts left goes again (a nested run retries its own failed steps)."""
        from perth.workflows.runs import job_outputs, redact_outputs, retry

        steps = {s.step_id: s for s in self.rt.store.workflows.steps(run.id)}
        policy = {s.id: s.attempts for s in self.spec.steps}
        for step_id, finished in done.items():
            step = steps[step_id]
            if isinstance(finished, WorkflowRun):
                status = {"succeeded": "succeeded", "cancelled": "cancelled"}.get(finished.status, "failed")
                made = replace(step, attempts=step.attempts + 1, round_attempts=step.round_attempts + 1,
                               outputs=redact_outputs(self.rt, finished.outputs),
                               error=None if status == "succeeded" else
                               f"nested run {finished.short_id} {finished.status}")
                if status == "failed" and made.round_attempts < policy[step_id] and not run.cancel_requested:
                    retry(self.rt, finished)
                    _write(self.rt, made)
                    self.followers.follow_child(step_id, finished.id)
                    continue
                _write(self.rt, replace(made, status=status, finished_at=finished.finished_at or self.rt.clock()))
                continue
            job = finished
            status = {"succeeded": "succeeded", "cancelled": "cancelled"}.get(job.status, "failed")
            made = replace(step, attempts=step.attempts + job.attempt, round_attempts=step.round_attempts + job.attempt,
                           outputs=job_outputs(self.rt, job),
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
            if step.status == "running" and step.step_id not in self.followers.active:
                if step.child_run_id:  # resumed: drive the nested run its last runner started
                    self.followers.follow_child(step.step_id, step.child_run_id)
                elif step.job_id:  # resumed: follow the job its last runner started
                    self.followers.follow(step.step_id, step.job_id)
            if run.cancel_requested or (step_spec.on_failure and not self.handling(steps)):
                continue
            needs = [steps[n].status for n in step_spec.needs]
            if step.status == "pending" and step_spec.when is not None:
                if all(s in FINAL_STEP for s in needs):
                    step = self.condition(run, step_spec, step, steps)
            elif step.status == "pending" and any(s in _BAD for s in needs):
                step = _write(self.rt, replace(step, status="skipped", finished_at=now,
                                               error="a step it needs did not succeed"))
            elif step.status == "pending" and all(s == "succeeded" for s in needs):
                step = self.gate_or_start(run, step_spec, step)
            elif step.status == "waiting":
                step = self.waiting(run, step_spec, step)
            steps[step.step_id] = step

    def condition(self, run: WorkflowRun, step_spec: StepSpec, step: StepRun, steps: dict[str, StepRun]) -> StepRun:
        """A step with ``when``: its needs are final; it starts if the condition holds, else it is skipped."""
        from perth.workflows.expr import condition
        from perth.workflows.runs import context

        now = self.rt.clock()
        try:
            holds = condition(str(step_spec.when), context(run, list(steps.values())))
        except PerthError as exc:
            return _write(self.rt, replace(step, status="failed", finished_at=now, error=f"when: {exc.message}"))
        if not holds:
            return _write(self.rt, replace(step, status="skipped", finished_at=now,
                                           error=f"its condition is false: {step_spec.when}"))
        return self.gate_or_start(run, step_spec, step)

    def handling(self, steps: dict[str, StepRun]) -> bool:
        """Whether the on_failure steps may move: every other step is final (they are skipped if none failed)."""
        main = [steps[s.id] for s in self.spec.steps if not s.on_failure]
        if not all(s.final for s in main):
            return False
        if not any(s.status in _FAILING for s in main):
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
            from perth.workflows.runs import sign_decision

            return _write(self.rt, sign_decision(self.rt, replace(
                step, status="rejected", decision="rejected", decided_by="perth (timeout)", decided_at=now,
                finished_at=now, error=f"nobody approved it within {approval.timeout_s:g} s")))
        return step

    def start(self, run: WorkflowRun, step_spec: StepSpec, step: StepRun) -> StepRun:
        """Submit the step's job (idempotent by run, step and attempts so far), or create its nested run, and
        follow it; bounded by ``max_parallel``.  Arguments are rendered from the earlier steps' outputs."""
        if len(self.followers.active) >= self.spec.max_parallel:
            return step
        from perth.workflows.expr import render
        from perth.workflows.runs import context

        scope = context(run, self.rt.store.workflows.steps(run.id))
        first = step.started_at if step.round_attempts and step.started_at else self.rt.clock()  # a retry keeps it
        try:
            if step_spec.workflow is not None:
                return self.start_child(run, step_spec, step, {k: render(v, scope) for k, v in
                                                               step_spec.with_inputs.items()}, first)
            from perth.ops.service import JobSpec, submit

            options = {k: render(v, scope) if isinstance(v, str) else v for k, v in step_spec.options.items()}
            job = submit(self.rt, JobSpec(
                kind=step_spec.kind, args=tuple(render(a, scope) for a in step_spec.args),
                target=render(step_spec.target, scope), options=options, timeout_s=step_spec.timeout_s,
                max_attempts=max(1, step_spec.attempts - step.round_attempts), engine=run.engine,
                idempotency_key=f"workflow:{run.id}:{step.step_id}:{step.attempts}"))
        except PerthError as exc:  # an argument rendered from an output that holds a secret, a bad expression...
            return _write(self.rt, replace(step, status="failed", started_at=first, finished_at=self.rt.clock(),
                                           error=exc.message))
        started = _write(self.rt, replace(step, status="running", job_id=job.id, started_at=first))
        self.followers.follow(step.step_id, job.id)
        return started

    def start_child(self, run: WorkflowRun, step_spec: StepSpec, step: StepRun, inputs: dict[str, str],
                    first: int) -> StepRun:
        """Create the nested run and mark the step running with it, in one unit (a crash leaves neither)."""
        from perth.workflows.loader import from_data
        from perth.workflows.runs import retry, start

        assert step_spec.workflow is not None  # noqa: S101 - only nested steps come here
        earlier = self.rt.store.workflows.get(step.child_run_id) if step.child_run_id else None
        if earlier is not None and earlier.status in ("failed", "cancelled"):
            try:  # `perth workflow retry` of a nested step: its child retries only its own failed steps
                with self.rt.store.unit():
                    retry(self.rt, earlier)
                    started = _write(self.rt, replace(step, status="running", job_id=None, started_at=first))
                self.followers.follow_child(step.step_id, earlier.id)
                return started
            except ConflictError:
                pass  # nothing in it to retry: a new child run
        with self.rt.store.unit():
            child = start(self.rt, from_data(step_spec.workflow), inputs, engine=run.engine,
                          trigger=f"workflow:{run.id}:{step.step_id}", parent_run_id=run.id,
                          started_by=run.started_by)
            started = _write(self.rt, replace(step, status="running", child_run_id=child.id, job_id=None,
                                              started_at=first))
        self.followers.follow_child(step.step_id, child.id)
        return started


def _write(rt: Runtime, step: StepRun) -> StepRun:
    rt.store.workflows.update_step(step)
    return step


def _finish(rt: Runtime, spec: WorkflowSpec, run: WorkflowRun, steps: list[StepRun]) -> WorkflowRun:
    """The run's end: cancelled, else succeeded unless a step outside ``on_failure`` failed or was rejected
    (or cancelled); its outputs rendered from its steps' outputs."""
    from perth.workflows.expr import render
    from perth.workflows.runs import context, redact_outputs

    main = {s.id for s in spec.steps if not s.on_failure}
    if run.cancel_requested:
        status = "cancelled"
    else:
        status = "failed" if any(s.status in _FAILING for s in steps if s.step_id in main) else "succeeded"
    scope = context(run, steps)
    outputs: dict[str, str] = {}
    for name, source in spec.outputs.items():
        try:
            outputs[name] = render(source, scope)
        except PerthError as exc:
            outputs[name] = f"(error: {exc.message})"
    done = replace(run, status=status, finished_at=rt.clock(), outputs=redact_outputs(rt, outputs))
    rt.store.workflows.update(done)
    return done
