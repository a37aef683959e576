"""Tables of workflows (SQLite ``m016_workflows`` and
``m017_workflow_triggers``, PostgreSQL ``m005_ports`` and ``m006_workflow_triggers``): the workflows port.

Written once in the SQL both engines share.  A claim is one conditional ``UPDATE``: on PostgreSQL a
second runner's update waits for the first one's row lock and re-checks the condition, so two
runners never both hold a run.
"""

from __future__ import annotations

from perth.store.sql_json import from_json, to_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.store.sql import SqlDatabase
    from perth.workflows.model import StepRun, TriggerState, WorkflowRun

_RUN = ("id", "name", "path", "spec", "inputs", "status", "started_by", "created_at", "finished_at",
        "cancel_requested", "runner_owner", "runner_until", "engine", "outputs", "parent_run_id", "trigger")
_STEP = ("run_id", "step_id", "position", "status", "job_id", "attempts", "round_attempts", "started_at",
         "finished_at", "error", "requested_by", "requested_at", "decision", "decided_by", "decided_at", "note",
         "outputs", "child_run_id", "signature")
_TRIGGER = ("workflow", "position", "kind", "path", "spec", "enabled_by", "enabled_at", "next_at", "event_seq",
            "last_at", "last_run_id", "fired", "missed")


def _run(row: Sequence[Any]) -> WorkflowRun:
    from perth.workflows.model import WorkflowRun

    values = dict(zip(_RUN, row, strict=True))
    values["spec"] = from_json(values["spec"]) or {}
    values["inputs"] = from_json(values["inputs"]) or {}
    values["outputs"] = from_json(values["outputs"]) or {}
    values["cancel_requested"] = bool(values["cancel_requested"])
    return WorkflowRun(**values)


def _run_params(run: WorkflowRun) -> tuple[Any, ...]:
    return (run.id, run.name, run.path, to_json(dict(run.spec)), to_json(dict(run.inputs)), run.status,
            run.started_by, run.created_at, run.finished_at, int(run.cancel_requested), run.runner_owner,
            run.runner_until, run.engine, to_json(dict(run.outputs)), run.parent_run_id, run.trigger)


def _step(row: Sequence[Any]) -> StepRun:
    from perth.workflows.model import StepRun

    values = dict(zip(_STEP, row, strict=True))
    values["outputs"] = from_json(values["outputs"]) or {}
    return StepRun(**values)


def _step_params(step: StepRun) -> tuple[Any, ...]:
    return tuple(to_json(dict(step.outputs)) if n == "outputs" else getattr(step, n) for n in _STEP)


def _trigger(row: Sequence[Any]) -> TriggerState:
    from perth.workflows.model import TriggerState

    values = dict(zip(_TRIGGER, row, strict=True))
    values["spec"] = from_json(values["spec"]) or {}
    return TriggerState(**values)


class SqlWorkflows:
    """The workflows port (see :class:`perth.store.ports.workflows.WorkflowRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def _runs(self, where: str, params: Sequence[Any] = ()) -> list[WorkflowRun]:
        return [_run(r) for r in self._db.rows(f"SELECT {', '.join(_RUN)} FROM workflow_runs WHERE {where}", params)]

    def create(self, run: WorkflowRun, steps: list[StepRun]) -> None:
        """Store a new run and its steps."""
        with self._db.transaction():
            self._db.run(f"INSERT INTO workflow_runs({', '.join(_RUN)}) VALUES ({', '.join('?' * len(_RUN))})",
                         _run_params(run))
            self._db.run_many(f"INSERT INTO workflow_steps({', '.join(_STEP)}) VALUES ({', '.join('?' * len(_STEP))})",
                              [_step_params(s) for s in steps])

    def get(self, run_id: str) -> WorkflowRun | None:
        """One run by id."""
        found = self._runs("id = ?", (run_id,))
        return found[0] if found else None

    def resolve(self, prefix: str) -> list[WorkflowRun]:
        """The runs whose id ends with (or equals) ``prefix``."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self._runs("id = ? OR id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 20", (prefix, f"%{escaped}"))

    def recent(self, limit: int = 50, status: str | None = None) -> list[WorkflowRun]:
        """Runs, newest first."""
        if status is None:
            return self._runs("1 = 1 ORDER BY created_at DESC, id DESC LIMIT ?", (limit,))
        return self._runs("status = ? ORDER BY created_at DESC, id DESC LIMIT ?", (status, limit))

    def update(self, run: WorkflowRun) -> None:
        """Write a run's status, cancellation, end and outputs."""
        self._db.write("UPDATE workflow_runs SET status = ?, finished_at = ?, cancel_requested = ?, outputs = ?"
                       " WHERE id = ?",
                       (run.status, run.finished_at, int(run.cancel_requested), to_json(dict(run.outputs)), run.id))

    def steps(self, run_id: str) -> list[StepRun]:
        """A run's steps, in file order."""
        rows = self._db.rows(f"SELECT {', '.join(_STEP)} FROM workflow_steps WHERE run_id = ? ORDER BY position",
                             (run_id,))
        return [_step(r) for r in rows]

    def update_step(self, step: StepRun) -> None:
        """Write a step's state."""
        self._db.write(f"UPDATE workflow_steps SET {', '.join(f'{n} = ?' for n in _STEP[3:])}"
                       " WHERE run_id = ? AND step_id = ?",
                       (*_step_params(step)[3:], step.run_id, step.step_id))

    def counts(self) -> dict[str, int]:
        """How many runs have each status."""
        return {str(s): int(n) for s, n in self._db.rows("SELECT status, COUNT(*) FROM workflow_runs GROUP BY status")}

    def step_history(self, since: int = 0) -> list[StepRun]:
        """The steps of runs created at or after ``since``, oldest run first."""
        columns = ", ".join(f"s.{n}" for n in _STEP)
        rows = self._db.rows(f"SELECT {columns} FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id"
                             " WHERE r.created_at >= ? ORDER BY r.created_at, s.run_id, s.position", (since,))
        return [_step(r) for r in rows]

    def claim(self, run_id: str, owner: str, now: int, until: int) -> bool:
        """Hold the run for ``owner`` if it is free, expired or already ``owner``'s."""
        with self._db.transaction():
            cursor = self._db.run("UPDATE workflow_runs SET runner_owner = ?, runner_until = ? WHERE id = ?"
                                  " AND (runner_owner IS NULL OR runner_owner = ? OR runner_until < ?)",
                                  (owner, until, run_id, owner, now))
        return cursor.rowcount == 1

    def release(self, run_id: str, owner: str) -> None:
        """Give the run up."""
        self._db.write("UPDATE workflow_runs SET runner_owner = NULL, runner_until = NULL"
                       " WHERE id = ? AND runner_owner = ?", (run_id, owner))

    def put_triggers(self, workflow: str, triggers: Sequence[TriggerState]) -> None:
        """Replace the registered triggers of ``workflow``."""
        with self._db.transaction():
            self._db.run("DELETE FROM workflow_triggers WHERE workflow = ?", (workflow,))
            self._db.run_many(f"INSERT INTO workflow_triggers({', '.join(_TRIGGER)})"
                              f" VALUES ({', '.join('?' * len(_TRIGGER))})",
                              [tuple(to_json(dict(t.spec)) if n == "spec" else getattr(t, n) for n in _TRIGGER)
                               for t in triggers])

    def triggers(self) -> list[TriggerState]:
        """Every registered trigger, by workflow and position."""
        rows = self._db.rows(f"SELECT {', '.join(_TRIGGER)} FROM workflow_triggers ORDER BY workflow, position")
        return [_trigger(r) for r in rows]

    def update_trigger(self, trigger: TriggerState) -> None:
        """Write what a trigger did (next time, event cursor, last run, counters)."""
        self._db.write("UPDATE workflow_triggers SET next_at = ?, event_seq = ?, last_at = ?, last_run_id = ?,"
                       " fired = ?, missed = ? WHERE workflow = ? AND position = ?",
                       (trigger.next_at, trigger.event_seq, trigger.last_at, trigger.last_run_id, trigger.fired,
                        trigger.missed, trigger.workflow, trigger.position))

    def drop_triggers(self, workflow: str) -> int:
        """Unregister the triggers of ``workflow``; how many there were."""
        with self._db.transaction():
            cursor = self._db.run("DELETE FROM workflow_triggers WHERE workflow = ?", (workflow,))
        return int(cursor.rowcount)
