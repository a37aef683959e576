"""Schedule and event triggers: ``perth workflow enable FILE`` registers a file's ``triggers:``, and
``perth daemon`` fires them (:func:`fire`, every few seconds).

A run is started from the file as it was when it was enabled (enable it again after editing it).

- **schedule**: a cron expression (croniter) in a time zone.  Each trigger keeps the next fire time
  (``next_at``).  When the daemon looks and that time has passed, every fire time up to now is
  due: the latest one runs if it is at most :data:`GRACE_MS` old (the daemon is merely a turn late);
  older ones were *missed* (no daemon ran then): ``missed: skip`` (the default) drops them,
  ``missed: once`` runs once to catch up, however many there were.  Either way they are counted.
- **event**: a Perth event type, with a condition over the CloudEvents envelope
  (``data.verdict == 'FAIL'``).  Each trigger keeps the ``seq`` of the last outbox event it read,
  so each event is looked at once, and the run it starts is created in the same unit of work as
  the cursor moves: one event never starts two runs.
"""

from __future__ import annotations

import json

from perth.errors import InvalidInputError, PerthError
from perth.record import Record, replace
from perth.workflows.model import TriggerState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from perth.events.records import StoredEvent
    from perth.runtime import Runtime
    from perth.workflows.model import Trigger, WorkflowRun, WorkflowSpec

#: How late a fire time may be looked at and still count as on time (not missed).
GRACE_MS = 60_000
#: At most this many fire times are counted between two looks (a schedule every minute, a year off).
MAX_DUE = 100_000
EVENT_BATCH = 500


class Fired(Record):
    """What one look at the triggers did: runs started (with their trigger), misses, errors."""

    started: tuple[tuple[str, str], ...] = ()
    missed: int = 0
    errors: tuple[str, ...] = ()


def _trigger_of(state: TriggerState) -> Trigger:
    from perth.workflows.loader import from_data

    return from_data(state.spec).triggers[state.position]


def enable(rt: Runtime, spec: WorkflowSpec, *, user: str) -> list[TriggerState]:
    """Register ``spec``'s triggers (replacing those of a workflow of the same name)."""
    from perth.workflows.loader import to_data
    from perth.workflows.runs import _refuse_secrets

    if not spec.triggers:
        raise InvalidInputError(f"workflow {spec.name} has no triggers:",
                                "add a schedule or an event under triggers: (see docs/workflows.md)")
    _refuse_secrets(rt, to_data(spec), "the workflow file")
    now = rt.clock()
    seq = rt.store.outbox.stats().last_seq if "outbox" in rt.store.capabilities else 0
    states = [TriggerState(workflow=spec.name, position=index, kind=trigger.kind, path=spec.path,
                           spec={**to_data(spec), "path": spec.path}, enabled_by=user, enabled_at=now,
                           next_at=next_time(trigger, now) if trigger.kind == "schedule" else None,
                           event_seq=seq)
              for index, trigger in enumerate(spec.triggers)]
    rt.store.workflows.put_triggers(spec.name, states)
    return states


def disable(rt: Runtime, name: str) -> int:
    """Unregister a workflow's triggers; how many there were (NotFoundError when none)."""
    from perth.errors import NotFoundError

    dropped = rt.store.workflows.drop_triggers(name)
    if not dropped:
        raise NotFoundError(f"workflow {name!r} has no enabled triggers", "list them with `perth workflow triggers`")
    return dropped


def next_time(trigger: Trigger, after_ms: int) -> int:
    """The first fire time of a schedule strictly after ``after_ms`` (UTC ms)."""
    from datetime import datetime

    from perth.ops.extras import require
    from perth.workflows.loader import zone

    require("croniter", "workflows")
    from croniter import croniter  # type: ignore[import-untyped,unused-ignore]

    start = datetime.fromtimestamp(after_ms / 1000, tz=zone(trigger.timezone))
    found: datetime = croniter(trigger.cron, start).get_next(datetime)
    return int(found.timestamp() * 1000)


def due_times(trigger: Trigger, next_at: int, now: int) -> list[int]:
    """The fire times from ``next_at`` up to ``now`` (at most :data:`MAX_DUE`)."""
    due: list[int] = []
    moment = next_at
    while moment <= now and len(due) < MAX_DUE:
        due.append(moment)
        moment = next_time(trigger, moment)
    return due


def _schedule(state: TriggerState, trigger: Trigger, now: int) -> tuple[TriggerState, bool, int]:
    """The trigger's new state, whether it fires now, and how many fire times it missed."""
    if state.next_at is None:
        return replace(state, next_at=next_time(trigger, now)), False, 0
    if now < state.next_at:
        return state, False, 0
    due = due_times(trigger, state.next_at, now)
    on_time = bool(due) and now - due[-1] <= GRACE_MS
    missed = len(due) - on_time
    fires = on_time or (missed > 0 and trigger.missed == "once")
    return replace(state, next_at=next_time(trigger, now), missed=state.missed + missed), fires, missed


def _envelope(event: StoredEvent) -> dict[str, object]:
    try:
        body = json.loads(event.body)
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


def _inputs(trigger: Trigger, scope: Mapping[str, object]) -> dict[str, str]:
    from perth.workflows.expr import render

    return {name: render(value, scope) for name, value in trigger.inputs.items()}


def fire(rt: Runtime, now: int | None = None, launch: Callable[[WorkflowRun], object] | None = None) -> Fired:
    """Look at every registered trigger once: start the runs that are due and hand each to ``launch``
    (by default a detached ``perth workflow resume``)."""
    from perth.workflows.runs import spawn_resume

    now = rt.clock() if now is None else now
    started: list[tuple[str, WorkflowRun]] = []
    missed = 0
    errors: list[str] = []
    for state in rt.store.workflows.triggers():
        label = f"{state.workflow}#{state.position + 1} ({state.kind})"
        try:
            trigger = _trigger_of(state)
            if state.kind == "schedule":
                runs, lost = _fire_schedule(rt, state, trigger, now)
                missed += lost
            else:
                runs, failed = _fire_events(rt, state, trigger)
                errors += [f"{label}: {rt.redact(text, 'daemon')}" for text in failed]
        except PerthError as exc:
            errors.append(f"{label}: {rt.redact(exc.message, 'daemon')}")
            continue
        started += [(label, run) for run in runs]
    for _label, run in started:
        (launch or (lambda r: spawn_resume(r, rt.environ)))(run)
    return Fired(started=tuple((label, run.id) for label, run in started), missed=missed, errors=tuple(errors))


def _start(rt: Runtime, state: TriggerState, inputs: Mapping[str, str], trigger: str) -> WorkflowRun:
    from perth.workflows.loader import from_data
    from perth.workflows.runs import start

    return start(rt, from_data(state.spec), inputs, trigger=trigger, started_by=state.enabled_by)


def _fire_schedule(rt: Runtime, state: TriggerState, trigger: Trigger, now: int) -> tuple[list[WorkflowRun], int]:
    from perth.clock import to_iso

    fresh, fires, lost = _schedule(state, trigger, now)
    runs: list[WorkflowRun] = []
    with rt.store.unit():
        if fires:
            run = _start(rt, state, _inputs(trigger, {"schedule": {"time": to_iso(now)}}),
                         f"schedule:{trigger.cron}")
            runs.append(run)
            fresh = replace(fresh, last_at=now, last_run_id=run.id, fired=fresh.fired + 1)
        if fresh != state:
            rt.store.workflows.update_trigger(fresh)
    return runs, lost


def _fire_events(rt: Runtime, state: TriggerState, trigger: Trigger) -> tuple[list[WorkflowRun], list[str]]:
    """Start a run for each new event that matches; an event that cannot start one is reported and passed."""
    from perth.workflows.expr import condition

    if "outbox" not in rt.store.capabilities:
        return [], []
    runs: list[WorkflowRun] = []
    errors: list[str] = []
    for event in rt.store.outbox.after(state.event_seq, EVENT_BATCH):
        fresh = replace(state, event_seq=event.seq)
        try:
            with rt.store.unit():
                envelope = _envelope(event)
                if event.type == trigger.event and (trigger.when is None or condition(trigger.when, envelope)):
                    run = _start(rt, state, _inputs(trigger, envelope), f"event:{event.type}:{event.id}")
                    runs.append(run)
                    fresh = replace(fresh, last_at=rt.clock(), last_run_id=run.id, fired=fresh.fired + 1)
                rt.store.workflows.update_trigger(fresh)
        except PerthError as exc:
            errors.append(f"event {event.id}: {exc.message}")
            rt.store.workflows.update_trigger(fresh)
        state = fresh
    return runs, errors


def resume_orphans(rt: Runtime, launch: Callable[[WorkflowRun], object] | None = None) -> list[str]:
    """Hand every top-level run whose runner died (its claim ran out) to a new runner; their ids."""
    from perth.workflows.runs import spawn_resume

    now = rt.clock()
    found = [run for run in rt.store.workflows.recent(500, "running")
             if run.parent_run_id is None and run.runner_owner is not None and (run.runner_until or 0) < now]
    for run in found:
        (launch or (lambda r: spawn_resume(r, rt.environ)))(run)
    return [run.id for run in found]
