"""Documents of ``perth workflow`` (schemas ``perth.workflow.*.v1``) and the run's graph (Mermaid, DOT)."""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from perth.ops.model import Job, JobLogLine
    from perth.workflows.metrics import Summary, WorkflowMetrics
    from perth.workflows.model import StepRun, StepSpec, TriggerState, WorkflowRun, WorkflowSpec


def _iso(ms: int | None) -> str | None:
    return None if ms is None else to_iso(ms)


def step_json(step: StepRun, verified: Mapping[str, str | None] | None = None) -> dict[str, object]:
    """A step's state in the JSON contracts (``verified``: each decision's signature check, by step)."""
    return {"id": step.step_id, "status": step.status, "attempts": step.attempts, "job_id": step.job_id,
            "child_run_id": step.child_run_id, "outputs": dict(step.outputs),
            "started_at": _iso(step.started_at), "finished_at": _iso(step.finished_at), "error": step.error,
            "approval": None if step.requested_at is None else {
                "requested_by": step.requested_by, "requested_at": _iso(step.requested_at),
                "decision": step.decision, "decided_by": step.decided_by, "decided_at": _iso(step.decided_at),
                "note": step.note, "signature": (verified or {}).get(step.step_id)}}


def run_json(run: WorkflowRun, steps: Sequence[StepRun],
             verified: Mapping[str, str | None] | None = None) -> dict[str, object]:
    """A run in the JSON contracts."""
    return {"id": run.id, "name": run.name, "path": run.path, "status": run.status, "inputs": dict(run.inputs),
            "started_by": run.started_by, "created_at": _iso(run.created_at), "finished_at": _iso(run.finished_at),
            "cancel_requested": run.cancel_requested, "engine": run.engine, "trigger": run.trigger,
            "parent_run_id": run.parent_run_id, "outputs": dict(run.outputs),
            "steps": [step_json(s, verified) for s in steps]}


def _gate(step: StepRun, verified: Mapping[str, str | None] | None = None) -> str:
    if step.decision:
        check = (verified or {}).get(step.step_id)
        return f"{step.decision} by {step.decided_by}" + (f": {step.note}" if step.note else "") \
            + (" (SIGNATURE INVALID)" if check == "invalid" else "")
    return "waiting for approval" if step.status == "waiting" else ""


def _outputs(step: StepRun) -> str:
    return ", ".join(f"{k}={v}" for k, v in step.outputs.items())


def run_view(run: WorkflowRun, steps: Sequence[StepRun], action: str = "show",
             verified: Mapping[str, str | None] | None = None) -> Document:
    """``perth workflow run|show|retry|cancel|resume``: one run and its steps."""
    pairs = [("id", run.id), ("workflow", run.name), ("status", run.status), ("started by", run.started_by),
             ("trigger", run.trigger), ("engine", run.engine), ("created", to_local(run.created_at))]
    if run.parent_run_id:
        pairs.append(("nested in", run.parent_run_id))
    if run.finished_at:
        pairs.append(("duration", f"{(run.finished_at - run.created_at) / 1000:.2f} s"))
    pairs += [(f"output {name}", value[:200]) for name, value in run.outputs.items()]
    rows = [(s.step_id, s.status, str(s.attempts), ("run " + s.child_run_id[-8:]) if s.child_run_id
             else (s.job_id or "-")[-8:], (_gate(s, verified) if (verified or {}).get(s.step_id) == "invalid"
                                           else s.error or _gate(s) or _outputs(s))[:90]) for s in steps]
    blocks: list[Block] = [Fields(pairs, title="Run"), Table(("step", "status", "attempts", "job", "note"), rows)]
    return Document("perth.workflow.run.v1", {"action": action, "run": run_json(run, steps, verified)},
                    title=f"Workflow {run.name} ({run.short_id})", blocks=blocks)


def list_view(runs: Sequence[WorkflowRun]) -> Document:
    """``perth workflow list``."""
    rows = [(r.short_id, r.name, r.status, r.started_by, to_local(r.created_at)) for r in runs]
    blocks: list[Block] = [Table(("id", "workflow", "status", "started by", "created"), rows)] if rows else \
        [Note("No workflow runs. Start one with `perth workflow run FILE`.")]
    data = {"count": len(runs), "runs": [{"id": r.id, "name": r.name, "status": r.status, "started_by": r.started_by,
                                          "created_at": _iso(r.created_at), "finished_at": _iso(r.finished_at)}
                                         for r in runs]}
    return Document("perth.workflow.list.v1", data, title="Workflow runs", blocks=blocks)


def validate_view(spec: WorkflowSpec) -> Document:
    """``perth workflow validate``: the file is valid; its steps."""
    steps = [{"id": s.id, "kind": s.kind, "needs": list(s.needs), "attempts": s.attempts,
              "approval": s.approval is not None} for s in spec.steps]
    text = [f"{s.id} ({s.kind})" + (f" needs {', '.join(s.needs)}" if s.needs else "") for s in spec.steps]
    return Document("perth.workflow.validate.v1", {"valid": True, "name": spec.name, "path": spec.path,
                                                   "inputs": dict(spec.inputs), "steps": steps},
                    title=f"Workflow {spec.name}: valid", blocks=[Items(text, title="Steps")])


def schema_view(schema: dict[str, object]) -> Document:
    """``perth workflow validate --schema``: the published JSON Schema."""
    import json

    return Document("perth.workflow.schema.v1", {"json_schema": schema}, title="Workflow file schema",
                    blocks=[Items(json.dumps(schema, indent=2).splitlines())])


def _status(steps: Sequence[StepRun] | None) -> dict[str, str]:
    return {s.step_id: s.status for s in steps or ()}


def mermaid(spec: WorkflowSpec, steps: Sequence[StepRun] | None = None) -> str:
    """The DAG as a Mermaid flowchart (with each step's status when a run is given)."""
    status = _status(steps)
    lines = ["flowchart TD"]
    for step in spec.steps:
        label = _label(step, status).replace('"', "#quot;").replace("\n", "<br>")
        shape = ('[["', '"]]') if step.workflow is not None else ('{{"', '"}}') if step.approval else ('["', '"]')
        lines.append(f"    {_node(step.id)}{shape[0]}{label}{shape[1]}")
    lines += [f"    {_node(need)} --> {_node(step.id)}" for step in spec.steps for need in step.needs]
    return "\n".join(lines)


def dot(spec: WorkflowSpec, steps: Sequence[StepRun] | None = None) -> str:
    """The DAG in Graphviz DOT."""
    status = _status(steps)
    lines = [f'digraph "{spec.name}" {{', "    rankdir=TB;"]
    for step in spec.steps:
        label = _label(step, status).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        shape = "box3d" if step.workflow is not None else "diamond" if step.approval else "box"
        lines.append(f'    "{step.id}" [label="{label}", shape={shape}];')
    lines += [f'    "{need}" -> "{step.id}";' for step in spec.steps for need in step.needs]
    return "\n".join([*lines, "}"])


def _label(step: StepSpec, status: dict[str, str]) -> str:
    """A step's label: id, nested workflow, condition, approval gate, status in a run."""
    parts = [step.id]
    if step.workflow is not None:
        parts.append(f"workflow {step.workflow.get('name', '?')}")
    if step.when:
        parts.append(f"when {step.when}")
    if step.approval is not None:
        parts.append("approval: " + ", ".join(step.approval.approvers))
    if step.on_failure:
        parts.append("on failure")
    if step.id in status:
        parts.append(f"({status[step.id]})")
    return "\n".join(parts)


def _node(step_id: str) -> str:
    return "s_" + step_id.replace("-", "_")


def graph_view(spec: WorkflowSpec, kind: str, text: str) -> Document:
    """``perth workflow graph --format json``: the graph's text and its edges."""
    edges = [[need, step.id] for step in spec.steps for need in step.needs]
    return Document("perth.workflow.graph.v1", {"name": spec.name, "graph_format": kind, "graph": text,
                                                "nodes": [s.id for s in spec.steps], "edges": edges},
                    title=f"Graph of {spec.name}", blocks=[Items(text.splitlines())])


def decision_view(run: WorkflowRun, step: StepRun) -> Document:
    """``perth workflow approve|reject``: the recorded decision."""
    data = {"run_id": run.id, "step": step.step_id, "decision": step.decision, "decided_by": step.decided_by,
            "decided_at": _iso(step.decided_at), "note": step.note}
    return Document("perth.workflow.decision.v1", data, title=f"Step {step.step_id} of {run.short_id}",
                    blocks=[Note(f"{step.decision} by {step.decided_by}" + (f": {step.note}" if step.note else ""))])


def metrics_view(metrics: WorkflowMetrics) -> Document:
    """``perth workflow metrics``."""
    def summary(value: Summary) -> dict[str, object]:
        return {"count": value.count, "mean_ms": round(value.mean_ms, 1), "max_ms": value.max_ms}

    data = {"runs_by_status": dict(metrics.runs_by_status), "queue_depth": dict(metrics.queue_depth),
            "triggers": dict(metrics.triggers),
            "approval_wait": summary(metrics.approval_wait),
            "steps": [{"step": s.step, "runs": s.runs, "retries": s.retries, "duration": summary(s.duration)}
                      for s in metrics.steps]}
    pairs = [(f"runs {k}", str(v)) for k, v in sorted(metrics.runs_by_status.items())]
    pairs += [(f"jobs {k}", str(v)) for k, v in metrics.queue_depth.items()]
    pairs += [(f"triggers {k}", str(v)) for k, v in metrics.triggers.items()]
    wait = metrics.approval_wait
    pairs.append(("approval wait",
                  f"{wait.count} decided, mean {wait.mean_ms / 1000:.1f} s, max {wait.max_ms / 1000:.1f} s"))
    rows = [(s.step, str(s.runs), str(s.retries), f"{s.duration.mean_ms / 1000:.2f} s",
             f"{s.duration.max_ms / 1000:.2f} s") for s in metrics.steps]
    blocks: list[Block] = [Fields(pairs, title="Workflows"),
                           Table(("step", "runs", "retries", "mean", "max"), rows) if rows else Note("No steps yet.")]
    return Document("perth.workflow.metrics.v1", data, title="Workflow metrics", blocks=blocks)


def logs_view(run: WorkflowRun, found: Sequence[tuple[StepRun, Job | None, Sequence[JobLogLine]]]) -> Document:
    """``perth workflow logs``: each step's job log and output tail."""
    steps = [{"id": step.step_id, "status": step.status, "job_id": None if job is None else job.id,
              "output": "" if job is None else job.output,
              "lines": [{"at": to_iso(x.at), "attempt": x.attempt, "level": x.level, "text": x.text} for x in lines]}
             for step, job, lines in found]
    blocks: list[Block] = []
    for step, job, lines in found:
        text = [f"{to_local(x.at)} #{x.attempt} {x.level}: {x.text}" for x in lines]
        if job is not None and job.output:
            text += ["output:", *job.output.rstrip("\n").splitlines()[-20:]]
        blocks.append(Items(text, title=f"{step.step_id} ({step.status})") if text
                      else Note(f"{step.step_id} ({step.status}): no job yet."))
    return Document("perth.workflow.logs.v1", {"run_id": run.id, "steps": steps},
                    title=f"Logs of {run.name} ({run.short_id})", blocks=blocks)


def triggers_view(states: Sequence[TriggerState], action: str = "list") -> Document:
    """``perth workflow enable|triggers``: the registered triggers and what they did."""
    from perth.workflows.loader import from_data

    items: list[dict[str, object]] = []
    rows = []
    for state in states:
        trigger = from_data(state.spec).triggers[state.position]
        what = f"{trigger.cron} ({trigger.timezone}, missed: {trigger.missed})" if trigger.kind == "schedule" \
            else trigger.event + (f" when {trigger.when}" if trigger.when else "")
        items.append({"workflow": state.workflow, "position": state.position, "kind": state.kind, "trigger": what,
                      "path": state.path, "enabled_by": state.enabled_by, "enabled_at": _iso(state.enabled_at),
                      "next_at": _iso(state.next_at), "event_seq": state.event_seq, "last_at": _iso(state.last_at),
                      "last_run_id": state.last_run_id, "fired": state.fired, "missed": state.missed})
        rows.append((state.workflow, state.kind, what[:60], to_local(state.next_at) if state.next_at else "-",
                     str(state.fired), str(state.missed), (state.last_run_id or "-")[-8:]))
    blocks: list[Block] = [Table(("workflow", "kind", "trigger", "next", "fired", "missed", "last run"), rows)] \
        if rows else [Note("No triggers enabled. Register a file's triggers with `perth workflow enable FILE`.")]
    if action == "enable" and rows:
        blocks.append(Note("`perth daemon` fires them (see `perth daemon status`)."))
    return Document("perth.workflow.triggers.v1", {"action": action, "count": len(items), "triggers": items},
                    title="Workflow triggers", blocks=blocks)
