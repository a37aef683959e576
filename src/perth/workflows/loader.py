"""Reading workflow files: YAML, validated against the published schema ``workflow.schema.json``.

Every error names the file, the line and the key (``nightly.yml:7: steps[1].needs: ...``), and
the graph is checked too: unknown or duplicate step ids, and cycles in ``needs``.
"""

from __future__ import annotations

import json
import os

from perth.errors import InvalidInputError, NotFoundError
from perth.ops.extras import require
from perth.workflows.model import Approval, StepSpec, WorkflowSpec

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


def parse(text: str, where: str = "<workflow>") -> WorkflowSpec:
    """Parse and validate a workflow's YAML text."""
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
        first = errors[0]
        raise _fail(where, lines, tuple(first.absolute_path), first.message)
    spec = _build(data, where)
    _check_graph(spec, data, where, lines)
    return spec


def load(path: str) -> WorkflowSpec:
    """Read, parse and validate a workflow file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise NotFoundError(f"no workflow file {path}", "give the path of a .yml workflow file") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}", "check the path and its permissions") from None
    from perth.record import replace

    return replace(parse(text, os.path.basename(path)), path=os.path.abspath(path))


def _build(data: Mapping[str, Any], where: str) -> WorkflowSpec:
    steps = []
    for raw in [*data["steps"], *({**r, "on_failure": True} for r in data.get("on_failure") or ())]:
        job = raw["job"]
        gate = raw.get("approval")
        approval = None if gate is None else Approval(
            approvers=tuple(gate["approvers"]), four_eyes=bool(gate.get("four_eyes", False)),
            timeout_s=float(gate.get("timeout", 86400.0)))
        steps.append(StepSpec(
            id=raw["id"], kind=job["kind"], args=tuple(str(a) for a in job.get("args", ())),
            target=job.get("target", "local"), options=dict(job.get("options", {})),
            needs=tuple(raw.get("needs", ())), attempts=int(raw.get("retry", {}).get("attempts", 1)),
            timeout_s=None if raw.get("timeout") is None else float(raw["timeout"]), approval=approval,
            on_failure=bool(raw.get("on_failure", False))))
    inputs = {name: "" if body.get("default") is None else str(body["default"])
              for name, body in (data.get("inputs") or {}).items()}
    return WorkflowSpec(name=data["name"], steps=tuple(steps), inputs=inputs,
                        max_parallel=int(data.get("max_parallel", 4)), description=data.get("description", ""))


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
    """Replace ``${{ inputs.NAME }}`` in a job argument."""
    import re

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in inputs:
            raise InvalidInputError(f"unknown input {name!r} in {text!r}", "declare it under inputs:")
        return inputs[name]

    return re.sub(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}", one, text)


def to_data(spec: WorkflowSpec) -> dict[str, Any]:
    """The spec back in the file's shape (what a run stores; :func:`from_data` reads it)."""
    steps: list[dict[str, Any]] = []
    handlers: list[dict[str, Any]] = []
    for step in spec.steps:
        raw: dict[str, Any] = {"id": step.id, "job": {"kind": step.kind, "args": list(step.args),
                                                      "target": step.target, "options": dict(step.options)},
                               "needs": list(step.needs), "retry": {"attempts": step.attempts}}
        if step.timeout_s is not None:
            raw["timeout"] = step.timeout_s
        if step.approval is not None:
            raw["approval"] = {"approvers": list(step.approval.approvers), "four_eyes": step.approval.four_eyes,
                               "timeout": step.approval.timeout_s}
        (handlers if step.on_failure else steps).append(raw)
    return {"name": spec.name, "description": spec.description, "max_parallel": spec.max_parallel,
            "inputs": {name: {"default": value} for name, value in spec.inputs.items()}, "steps": steps,
            "on_failure": handlers}


def from_data(data: Mapping[str, Any]) -> WorkflowSpec:
    """A spec from :func:`to_data`'s shape."""
    return _build(data, "<stored run>")
