"""Reading workflow files: YAML, validated against the published schema ``workflow.schema.json``.

Every error names the file, the line and the key (``nightly.yml:7: steps[1].needs: ...``), and
the graph is checked too: unknown or duplicate step ids, and cycles in ``needs``.
"""

from __future__ import annotations

import json
import os

from perth.errors import InvalidInputError, NotFoundError
from perth.ops.extras import require
from perth.workflows.model import Approval, StepSpec, Trigger, WorkflowSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "workflow.schema.json")
_Path = tuple[object, ...]


def schema() -> dict[str, Any]:
    """The published JSON Schema of workflow files."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _lines(node: Any, path: _Path, found: dict[_Path, int]) -> dict[_Path, int]:
    """The line (1-based) of every key and item of a composed YAML node, by its path."""
    import yaml

    found.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found[(*path, key.value)] = key.start_mark.line + 1
            _lines(value, (*path, key.value), found)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), found)
    return found


def _key(path: Iterable[object]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _fail(where: str, lines: Mapping[_Path, int], path: _Path, message: str) -> InvalidInputError:
    line = next((lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in lines), 1)
    return InvalidInputError(f"{where}:{line}: {_key(path)}: {message}",
                             "fix the workflow file (its schema: perth workflow validate --schema)")


def parse(text: str, where: str = "<workflow>", base_dir: str = ".", _stack: tuple[str, ...] = ()) -> WorkflowSpec:
    """Parse and validate a workflow's YAML text (nested workflow files are read relative to ``base_dir``)."""
    require("yaml", "workflows")
    require("jsonschema", "workflows")
    import jsonschema
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise InvalidInputError(f"{where}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})",
                                "fix the YAML syntax") from None
    lines = _lines(node, (), {}) if node is not None else {}
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        first = _specific(errors[0])
        raise _fail(where, lines, tuple(first.absolute_path), _message(first))
    spec = _build(data, where, lines, base_dir, _stack)
    _check_graph(spec, data, where, lines)
    _check_expressions(spec, where, lines)
    _check_triggers(spec, where, lines)
    return spec


def _specific(error: Any) -> Any:
    """For ``oneOf`` (a trigger is a schedule or an event), the error inside the branch the item meant."""
    if error.validator != "oneOf" or not isinstance(error.instance, dict):
        return error
    for sub in sorted(error.context or (), key=lambda e: -len(e.absolute_path)):
        branch = error.validator_value[sub.schema_path[0]]
        if branch.get("required") and all(key in error.instance for key in branch["required"]):
            return _specific(sub)
    return error


def _message(error: Any) -> str:
    """A schema error in one line (a step with neither or both of ``job`` and ``workflow`` says so)."""
    if error.validator == "oneOf" and isinstance(error.instance, dict) and "id" in error.instance:
        return "a step has exactly one of job: or workflow:"
    return str(error.message)


def load(path: str, _stack: tuple[str, ...] = ()) -> WorkflowSpec:
    """Read, parse and validate a workflow file (and the workflow files its steps nest)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise NotFoundError(f"no workflow file {path}", "give the path of a .yml workflow file") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}", "check the path and its permissions") from None
    from perth.record import replace

    full = os.path.abspath(path)
    spec = parse(text, os.path.basename(path), os.path.dirname(full), (*_stack, full))
    return replace(spec, path=full)


def _nested(raw: str, where: str, lines: Mapping[_Path, int], place: _Path, *, base_dir: str,
            stack: tuple[str, ...]) -> dict[str, Any]:
    """The validated data of a nested workflow file (relative to the file that nests it); no cycles."""
    full = os.path.abspath(os.path.join(base_dir, os.path.expanduser(raw)))
    if full in stack:
        chain = " -> ".join(os.path.basename(p) for p in (*stack[stack.index(full):], full))
        raise _fail(where, lines, place, f"workflows nest each other: {chain}")
    try:
        child = load(full, stack)
    except NotFoundError:
        raise _fail(where, lines, place, f"no workflow file {full}") from None
    return {**to_data(child), "path": full}


def _build(data: Mapping[str, Any], where: str, lines: Mapping[_Path, int] | None = None, base_dir: str = ".",
           stack: tuple[str, ...] = ()) -> WorkflowSpec:
    steps = []
    main = len(data["steps"])
    raws = [*data["steps"], *({**r, "on_failure": True} for r in data.get("on_failure") or ())]
    for index, raw in enumerate(raws):
        job = raw.get("job") or {}
        gate = raw.get("approval")
        approval = None if gate is None else Approval(
            approvers=tuple(gate["approvers"]), four_eyes=bool(gate.get("four_eyes", False)),
            timeout_s=float(gate.get("timeout", 86400.0)))
        nested = raw.get("workflow")
        if isinstance(nested, str):
            place: _Path = ("on_failure", index - main, "workflow") if index >= main else ("steps", index, "workflow")
            nested = _nested(nested, where, lines or {}, place, base_dir=base_dir, stack=stack)
        steps.append(StepSpec(
            id=raw["id"], kind="workflow" if nested is not None else job["kind"],
            args=tuple(str(a) for a in job.get("args", ())),
            target=job.get("target", "local"), options=dict(job.get("options", {})),
            needs=tuple(raw.get("needs", ())), attempts=int(raw.get("retry", {}).get("attempts", 1)),
            timeout_s=None if raw.get("timeout") is None else float(raw["timeout"]), approval=approval,
            on_failure=bool(raw.get("on_failure", False)), when=raw.get("when"), workflow=nested,
            with_inputs={str(k): _scalar(v) for k, v in (raw.get("with") or {}).items()}))
    inputs = {name: "" if body.get("default") is None else _scalar(body["default"])
              for name, body in (data.get("inputs") or {}).items()}
    triggers = tuple(_trigger(raw) for raw in data.get("triggers") or ())
    return WorkflowSpec(name=data["name"], steps=tuple(steps), inputs=inputs,
                        max_parallel=int(data.get("max_parallel", 4)), description=data.get("description", ""),
                        outputs={str(k): str(v) for k, v in (data.get("outputs") or {}).items()}, triggers=triggers)


def _scalar(value: object) -> str:
    """A YAML scalar as text (booleans as ``true``/``false``, as expressions print them)."""
    from perth.workflows.expr import text

    return text(value)


def _trigger(raw: Mapping[str, Any]) -> Trigger:
    inputs = {str(k): _scalar(v) for k, v in (raw.get("inputs") or {}).items()}
    if "schedule" in raw:
        return Trigger(kind="schedule", cron=str(raw["schedule"]), timezone=str(raw.get("timezone", "UTC")),
                       missed=str(raw.get("missed", "skip")), inputs=inputs)
    return Trigger(kind="event", event=str(raw["event"]), when=raw.get("when"), inputs=inputs)


def _upstream(spec: WorkflowSpec) -> dict[str, set[str]]:
    """Every step's transitive ``needs`` (an on_failure step also sees every main step)."""
    needs = {s.id: s.needs for s in spec.steps}
    main = {s.id for s in spec.steps if not s.on_failure}
    found: dict[str, set[str]] = {}

    def visit(step_id: str) -> set[str]:
        if step_id not in found:
            found[step_id] = set()
            for need in needs[step_id]:
                found[step_id] |= {need, *visit(need)}
        return found[step_id]

    for step in spec.steps:
        visit(step.id)
        if step.on_failure:
            found[step.id] |= main
    return found


#: What ``steps.ID`` offers to expressions.
STEP_FIELDS = ("outputs", "status", "attempts")


class _Checker:
    """Parses the expressions of one file and checks what they read (errors located in the file)."""

    def __init__(self, spec: WorkflowSpec, where: str, lines: Mapping[_Path, int]) -> None:
        self.spec = spec
        self.where = where
        self.lines = lines

    def check(self, source: str, place: _Path, allowed: set[str] | str, *, whole: bool = False) -> None:
        """``source`` (a condition when ``whole``, else a text with ``${{ }}``) reads only what it may.

        ``allowed``: the steps it may read, or the kind of trigger (``event``, ``schedule``) it belongs to.
        """
        from perth.workflows.expr import ExpressionError, parse, paths, templates

        for expression in [source] if whole else templates(source):
            try:
                tree = parse(expression)
            except ExpressionError as exc:
                raise _fail(self.where, self.lines, place, exc.message) from None
            for path in paths(tree):
                problem = _trigger_reference(allowed, path) if isinstance(allowed, str) \
                    else _reference(self.spec, path, allowed)
                if problem:
                    raise _fail(self.where, self.lines, place, f"{'.'.join(path)}: {problem}")

    def step(self, step: StepSpec, base: _Path, allowed: set[str]) -> None:
        if step.when is not None:
            self.check(step.when, (*base, "when"), allowed, whole=True)
        for n, arg in enumerate(step.args):
            self.check(arg, (*base, "job", "args", n), allowed)
        self.check(step.target, (*base, "job", "target"), allowed)
        for name, value in step.options.items():
            if isinstance(value, str):
                self.check(value, (*base, "job", "options", name), allowed)
        for name, value in step.with_inputs.items():
            self.check(value, (*base, "with", name), allowed)
        declared = dict(step.workflow.get("inputs") or {}) if step.workflow is not None else {}  # type: ignore[call-overload]
        for name in step.with_inputs:
            if name not in declared:
                raise _fail(self.where, self.lines, (*base, "with", name), f"the nested workflow has no input"
                            f" {name!r} (its inputs: {', '.join(declared) or 'none'})")


def _check_expressions(spec: WorkflowSpec, where: str, lines: Mapping[_Path, int]) -> None:
    """Every expression parses and reads only declared inputs and steps that ran before it."""
    upstream = _upstream(spec)
    main = sum(not s.on_failure for s in spec.steps)
    checker = _Checker(spec, where, lines)
    for index, step in enumerate(spec.steps):
        checker.step(step, ("on_failure", index - main) if step.on_failure else ("steps", index), upstream[step.id])
    for name, value in spec.outputs.items():
        checker.check(value, ("outputs", name), {s.id for s in spec.steps})
    for index, trigger in enumerate(spec.triggers):
        if trigger.when is not None:
            checker.check(trigger.when, ("triggers", index, "when"), trigger.kind, whole=True)
        for name, value in trigger.inputs.items():
            checker.check(value, ("triggers", index, "inputs", name), trigger.kind)


def _reference(spec: WorkflowSpec, path: tuple[str, ...], allowed: set[str]) -> str | None:
    """Why an expression may not read ``path`` (None when it may)."""
    root, rest = path[0], path[1:]
    problem: str | None = None
    if root == "inputs":
        if not rest or rest[0] not in spec.inputs:
            problem = f"not a declared input (inputs: {', '.join(sorted(spec.inputs)) or 'none'})"
    elif root == "steps":
        if not rest or rest[0] not in {s.id for s in spec.steps}:
            problem = "not a step of this workflow"
        elif rest[0] not in allowed:
            problem = f"step {rest[0]} is not among the steps this one needs (add it to needs:)"
        elif len(rest) < 2 or rest[1] not in STEP_FIELDS:
            problem = f"a step offers {', '.join(STEP_FIELDS)}"
    elif root == "run":
        if len(rest) != 1 or rest[0] not in RUN_FIELDS:
            problem = f"a run offers {', '.join(RUN_FIELDS)}"
    else:
        problem = "expressions read inputs.*, steps.*, run.*"
    return problem


#: What ``run`` offers to expressions.
RUN_FIELDS = ("id", "name", "started_by", "trigger")


def _trigger_reference(kind: str, path: tuple[str, ...]) -> str | None:
    if kind == "schedule":
        return None if path == ("schedule", "time") else "a schedule trigger reads schedule.time"
    return None if path[0] in EVENT_FIELDS else f"an event trigger reads {', '.join(EVENT_FIELDS)}"


#: What an event trigger's condition and inputs read: the CloudEvents envelope.
EVENT_FIELDS = ("id", "type", "source", "time", "subject", "data")


def _check_triggers(spec: WorkflowSpec, where: str, lines: Mapping[_Path, int]) -> None:
    """Cron expressions, time zones and event types are valid; trigger inputs are declared."""
    from perth.events.types import EVENT_TYPES

    for index, trigger in enumerate(spec.triggers):
        place: _Path = ("triggers", index)
        for name in trigger.inputs:
            if name not in spec.inputs:
                raise _fail(where, lines, (*place, "inputs", name),
                            f"not a declared input (inputs: {', '.join(sorted(spec.inputs)) or 'none'})")
        if trigger.kind == "event" and trigger.event not in EVENT_TYPES:
            raise _fail(where, lines, (*place, "event"),
                        f"unknown event type {trigger.event!r} (known: {', '.join(EVENT_TYPES)})")
        if trigger.kind != "schedule":
            continue
        require("croniter", "workflows")
        from croniter import croniter  # type: ignore[import-untyped,unused-ignore]

        if not croniter.is_valid(trigger.cron):
            raise _fail(where, lines, (*place, "schedule"),
                        f"{trigger.cron!r} is not a cron expression (e.g. '0 2 * * *': at 02:00 every day)")
        try:
            zone(trigger.timezone)
        except InvalidInputError as exc:
            raise _fail(where, lines, (*place, "timezone"), exc.message) from None


def zone(name: str) -> Any:
    """The time zone of an IANA name (InvalidInputError when unknown)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"unknown time zone {name!r}",
                                "use an IANA name such as UTC or Europe/Berlin") from None


def _check_graph(spec: WorkflowSpec, data: Mapping[str, Any], where: str, lines: Mapping[_Path, int]) -> None:
    seen: dict[str, int] = {}
    main = sum(not s.on_failure for s in spec.steps)
    for index, step in enumerate(spec.steps):
        if step.id in seen:
            place: _Path = ("on_failure", index - main, "id") if step.on_failure else ("steps", index, "id")
            raise _fail(where, lines, place, f"duplicate step id {step.id!r}")
        seen[step.id] = index
    for index, step in enumerate(spec.steps):
        for n, need in enumerate(step.needs):
            if need not in seen or spec.steps[seen[need]].on_failure != step.on_failure:
                place = ("on_failure", index - main, "needs", n) if step.on_failure else ("steps", index, "needs", n)
                raise _fail(where, lines, place, f"unknown step {need!r}"
                            + (" (on_failure steps need only on_failure steps)" if need in seen else ""))
    cycle = find_cycle(spec)
    if cycle:
        raise _fail(where, lines, ("steps", seen[cycle[0]], "needs"), "a cycle: " + " -> ".join(cycle))


def find_cycle(spec: WorkflowSpec) -> list[str]:
    """A cycle of ``needs`` (its step ids, first repeated at the end), or an empty list."""
    needs = {step.id: step.needs for step in spec.steps}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str]:
        state[node] = 1
        for nxt in needs.get(node, ()):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt):], node, nxt] if nxt in trail else [node, nxt]
            if nxt not in state:
                found = visit(nxt, [*trail, node])
                if found:
                    return found
        state[node] = 2
        return []

    for step in spec.steps:
        if step.id not in state:
            found = visit(step.id, [])
            if found:
                return found
    return []


def substitute(spec: WorkflowSpec, given: Mapping[str, str]) -> dict[str, str]:
    """The run's inputs: the defaults overridden by ``given``; an unknown name is refused."""
    unknown = sorted(set(given) - set(spec.inputs))
    if unknown:
        raise InvalidInputError(f"unknown input {unknown[0]!r} for workflow {spec.name}",
                                f"its inputs: {', '.join(sorted(spec.inputs)) or 'none'}")
    return {**spec.inputs, **given}


def expand(text: str, inputs: Mapping[str, str]) -> str:
    """Replace ``${{ inputs.NAME }}`` in a job argument (every expression, over the inputs alone)."""
    from perth.workflows.expr import render

    return render(text, {"inputs": dict(inputs)})


def to_data(spec: WorkflowSpec) -> dict[str, Any]:
    """The spec back in the file's shape (what a run stores; :func:`from_data` reads it).

    A nested workflow's step holds the child file's data (read when the parent was loaded), so a
    stored run never reads files again.
    """
    steps: list[dict[str, Any]] = []
    handlers: list[dict[str, Any]] = []
    for step in spec.steps:
        raw: dict[str, Any] = {"id": step.id, "needs": list(step.needs), "retry": {"attempts": step.attempts}}
        if step.workflow is not None:
            raw["workflow"] = dict(step.workflow)
            raw["with"] = dict(step.with_inputs)
        else:
            raw["job"] = {"kind": step.kind, "args": list(step.args), "target": step.target,
                          "options": dict(step.options)}
        if step.when is not None:
            raw["when"] = step.when
        if step.timeout_s is not None:
            raw["timeout"] = step.timeout_s
        if step.approval is not None:
            raw["approval"] = {"approvers": list(step.approval.approvers), "four_eyes": step.approval.four_eyes,
                               "timeout": step.approval.timeout_s}
        (handlers if step.on_failure else steps).append(raw)
    triggers = [({"schedule": t.cron, "timezone": t.timezone, "missed": t.missed} if t.kind == "schedule"
                 else {"event": t.event, **({"when": t.when} if t.when is not None else {})})
                | {"inputs": dict(t.inputs)} for t in spec.triggers]
    return {"name": spec.name, "description": spec.description, "max_parallel": spec.max_parallel,
            "inputs": {name: {"default": value} for name, value in spec.inputs.items()}, "steps": steps,
            "on_failure": handlers, "outputs": dict(spec.outputs), "triggers": triggers}


def from_data(data: Mapping[str, Any]) -> WorkflowSpec:
    """A spec from :func:`to_data`'s shape."""
    from perth.record import replace

    return replace(_build(data, "<stored run>"), path=str(data.get("path", "")))
