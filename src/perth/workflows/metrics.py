"""Workflow metrics, read from what the runner stores: runs by status, step durations, retries per
step, approval wait times, the job queue's depth and what the triggers did (``perth workflow metrics``)."""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.runtime import Runtime
    from perth.workflows.model import StepRun


class Summary(Record):
    """Count, mean and maximum of a series of milliseconds (0 when empty)."""

    count: int = 0
    mean_ms: float = 0.0
    max_ms: int = 0


class StepMetrics(Record):
    """One step id over the runs: its settled runs, durations and retries."""

    step: str
    runs: int
    duration: Summary
    retries: int


class WorkflowMetrics(Record):
    """Everything ``perth workflow metrics`` shows."""

    runs_by_status: dict[str, int]
    steps: tuple[StepMetrics, ...]
    approval_wait: Summary
    queue_depth: dict[str, int]
    triggers: dict[str, int] = {}  # noqa: RUF012


def summary(values: Sequence[int]) -> Summary:
    """Count, mean and maximum."""
    if not values:
        return Summary()
    return Summary(count=len(values), mean_ms=sum(values) / len(values), max_ms=max(values))


def collect(rt: Runtime, since: int = 0) -> WorkflowMetrics:
    """The metrics of the runs created at or after ``since`` (ms); queue depth is now."""
    history = rt.store.workflows.step_history(since)
    by_step: dict[str, list[StepRun]] = {}
    for step in history:
        by_step.setdefault(step.step_id, []).append(step)
    steps = tuple(StepMetrics(
        step=name, runs=sum(s.final for s in runs),
        duration=summary([s.finished_at - s.started_at for s in runs if s.finished_at and s.started_at]),
        retries=sum(max(0, s.attempts - 1) for s in runs)) for name, runs in sorted(by_step.items()))
    waits = [s.decided_at - s.requested_at for s in history if s.decided_at and s.requested_at]
    jobs = rt.store.jobs.counts()
    registered = rt.store.workflows.triggers()
    return WorkflowMetrics(runs_by_status=rt.store.workflows.counts(), steps=steps, approval_wait=summary(waits),
                           queue_depth={"queued": jobs.get("queued", 0), "running": jobs.get("running", 0)},
                           triggers={"enabled": len(registered), "fired": sum(t.fired for t in registered),
                                     "missed": sum(t.missed for t in registered)})
