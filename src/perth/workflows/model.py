"""The records of workflows (a leaf module): the parsed file, and a run with its steps.

A run and each of its steps move through these statuses, every change stored::

    run:  running --> succeeded | failed | cancelled
    step: pending --> running --> succeeded | failed | cancelled
             \\--> waiting (an approval gate) --> running | rejected (refused or timed out)
             \\--> skipped (a step it needs did not succeed)
"""

from __future__ import annotations

from perth.record import Record

RUN_STATUSES: tuple[str, ...] = ("running", "succeeded", "failed", "cancelled")
STEP_STATUSES: tuple[str, ...] = ("pending", "waiting", "running", "succeeded", "failed", "skipped", "rejected",
                                  "cancelled")
#: Step statuses that never change by themselves (``perth workflow retry`` resets failed ones).
FINAL_STEP: frozenset[str] = frozenset({"succeeded", "failed", "skipped", "rejected", "cancelled"})


class Approval(Record):
    """An approval gate: who may approve, four-eyes, and how long it waits before it is rejected."""

    approvers: tuple[str, ...]
    four_eyes: bool = False
    timeout_s: float = 86400.0


class StepSpec(Record):
    """One step of a workflow file: a job of any worker kind (or a nested workflow), run when its ``needs``
    succeeded (or, with ``when``, once they are final and the condition holds).

    ``on_failure`` steps (the file's ``on_failure:`` list) run only once every other step is final and
    one of them did not succeed; their ``needs`` name other ``on_failure`` steps.  A nested workflow
    step has ``kind`` ``workflow``, the child file's validated data in ``workflow`` and its inputs in
    ``with_inputs``.
    """

    id: str
    kind: str
    args: tuple[str, ...] = ()
    target: str = "local"
    options: dict[str, object] = {}  # noqa: RUF012 - records are immutable
    needs: tuple[str, ...] = ()
    attempts: int = 1
    timeout_s: float | None = None
    approval: Approval | None = None
    on_failure: bool = False
    when: str | None = None
    workflow: dict[str, object] | None = None
    with_inputs: dict[str, str] = {}  # noqa: RUF012


class Trigger(Record):
    """A schedule (cron, with a missed-run policy) or an event type (with a condition) that starts runs."""

    kind: str  # "schedule" | "event"
    cron: str = ""
    timezone: str = "UTC"
    missed: str = "skip"  # "skip" | "once"
    event: str = ""
    when: str | None = None
    inputs: dict[str, str] = {}  # noqa: RUF012


class WorkflowSpec(Record):
    """A validated workflow file."""

    name: str
    steps: tuple[StepSpec, ...]
    inputs: dict[str, str] = {}  # noqa: RUF012
    max_parallel: int = 4
    path: str = ""
    description: str = ""
    outputs: dict[str, str] = {}  # noqa: RUF012
    triggers: tuple[Trigger, ...] = ()


class WorkflowRun(Record):
    """One run of a workflow; ``spec`` is the validated file (inputs substituted), as stored."""

    id: str
    name: str
    path: str
    spec: dict[str, object]
    inputs: dict[str, str]
    status: str = "running"
    started_by: str = ""
    created_at: int = 0
    finished_at: int | None = None
    cancel_requested: bool = False
    runner_owner: str | None = None
    runner_until: int | None = None
    engine: str = "embedded"
    outputs: dict[str, str] = {}  # noqa: RUF012
    parent_run_id: str | None = None
    trigger: str = "manual"

    @property
    def short_id(self) -> str:
        """The last 8 characters of the id."""
        return self.id[-8:]


class StepRun(Record):
    """A step's state in a run: its current job, attempts so far, and its approval decision.

    ``attempts`` counts every attempt of the step in the run; ``round_attempts`` those since the run
    (or ``perth workflow retry``) started it, which its retry policy bounds.
    """

    run_id: str
    step_id: str
    position: int
    status: str = "pending"
    job_id: str | None = None
    attempts: int = 0
    round_attempts: int = 0
    started_at: int | None = None
    finished_at: int | None = None
    error: str | None = None
    requested_by: str | None = None
    requested_at: int | None = None
    decision: str | None = None
    decided_by: str | None = None
    decided_at: int | None = None
    note: str | None = None
    outputs: dict[str, str] = {}  # noqa: RUF012
    child_run_id: str | None = None
    signature: str | None = None

    @property
    def final(self) -> bool:
        """True when the step will not change by itself."""
        return self.status in FINAL_STEP


class TriggerState(Record):
    """A registered trigger (``perth workflow enable FILE``) and what it did: ``perth daemon`` fires it.

    ``spec`` is the workflow file's validated data when it was enabled; ``next_at`` the next cron time
    (schedules), ``event_seq`` the last outbox event it looked at (events).
    """

    workflow: str
    position: int
    kind: str
    path: str
    spec: dict[str, object]
    enabled_by: str
    enabled_at: int
    next_at: int | None = None
    event_seq: int = 0
    last_at: int | None = None
    last_run_id: str | None = None
    fired: int = 0
    missed: int = 0
