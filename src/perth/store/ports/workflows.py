"""The workflows port: runs of workflows and the state of their steps.

A run is driven by one runner at a time: :meth:`WorkflowRepo.claim` gives the run to ``owner``
until ``until`` when nobody holds it (or its holder's claim ran out: the runner died), so a run
killed mid-way is resumed by the next ``perth workflow resume``.
"""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.workflows.model import StepRun, TriggerState, WorkflowRun


class WorkflowRepo(Protocol):
    """Persistence of workflow runs and their steps."""

    def create(self, run: WorkflowRun, steps: list[StepRun]) -> None:
        """Store a new run and its steps."""

    def get(self, run_id: str) -> WorkflowRun | None:
        """One run by id."""

    def resolve(self, prefix: str) -> list[WorkflowRun]:
        """The runs whose id ends with (or equals) ``prefix``."""

    def recent(self, limit: int = 50, status: str | None = None) -> list[WorkflowRun]:
        """Runs, newest first."""

    def update(self, run: WorkflowRun) -> None:
        """Write a run's status, cancellation, end and outputs (not its claim)."""

    def steps(self, run_id: str) -> list[StepRun]:
        """A run's steps, in file order."""

    def update_step(self, step: StepRun) -> None:
        """Write a step's state."""

    def counts(self) -> dict[str, int]:
        """How many runs have each status."""

    def step_history(self, since: int = 0) -> list[StepRun]:
        """The steps of runs created at or after ``since`` (ms), oldest run first."""

    def claim(self, run_id: str, owner: str, now: int, until: int) -> bool:
        """Hold the run for ``owner`` until ``until`` if it is free, expired or already ``owner``'s."""

    def release(self, run_id: str, owner: str) -> None:
        """Give the run up (``owner``'s claim only)."""

    def put_triggers(self, workflow: str, triggers: Sequence[TriggerState]) -> None:
        """Replace the registered triggers of ``workflow`` (``perth workflow enable``)."""

    def triggers(self) -> list[TriggerState]:
        """Every registered trigger, by workflow and position."""

    def update_trigger(self, trigger: TriggerState) -> None:
        """Write what a trigger did (next time, event cursor, last run, counters)."""

    def drop_triggers(self, workflow: str) -> int:
        """Unregister the triggers of ``workflow`` (``perth workflow disable``); how many there were."""
