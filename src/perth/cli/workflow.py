"""``perth workflow``: run, list, show, logs, resume, retry, cancel, approve, reject, metrics, validate, graph,
enable, disable, triggers."""

from __future__ import annotations

import argparse
import os
from datetime import UTC

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.runtime import Runtime
    from perth.views.document import Document
    from perth.workflows.model import StepRun, WorkflowRun, WorkflowSpec


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth workflow`` and its actions."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " A workflow file (YAML, see docs/workflows.md) is a DAG of operations jobs; every state change of a run"
        " is stored, so a run resumes after a crash and retries only its failed steps."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = _action(actions, "run", "Start a run of a workflow file and wait for it (or --detach).", run_flow)
    run.add_argument("file", help="The workflow file (.yml).")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="An input (repeatable).")
    run.add_argument("--engine", choices=("embedded", "celery"), default="embedded",
                     help="Where the steps' jobs run: here (embedded, default) or on Celery workers"
                          " (`perth worker run --engine celery`).")
    _detach(run)
    listing = _action(actions, "list", "List runs, newest first.", list_runs)
    listing.add_argument("--status", choices=("running", "succeeded", "failed", "cancelled"), help="Only this status.")
    listing.add_argument("--limit", type=int, default=50, help="At most this many (default 50).")
    _action(actions, "show", "Show a run and its steps.", show_run).add_argument("run", help="Run id (or its end).")
    _action(actions, "logs", "Show the log lines and output tails of a run's step jobs.",
            run_logs).add_argument("run", help="Run id (or its end).")
    resume = _action(actions, "resume", "Drive a run again (after its runner died, or once detached).", resume_run)
    resume.add_argument("run", help="Run id (or its end).")
    _detach(resume)
    retry = _action(actions, "retry", "Run the failed steps of a run again (only them and what they blocked).",
                    retry_run)
    retry.add_argument("run", help="Run id (or its end).")
    retry.add_argument("--step", metavar="STEP", help="Only this step (failed, rejected or cancelled).")
    _detach(retry)
    _action(actions, "cancel", "Cancel a run: stop its running jobs, cancel the steps not started.",
            cancel_run).add_argument("run", help="Run id (or its end).")
    for verb, text in (("approve", "Approve a step waiting at its gate, as the local user."),
                       ("reject", "Reject a step waiting at its gate, as the local user.")):
        gate = _action(actions, verb, text, decide_step)
        gate.add_argument("run", help="Run id (or its end).")
        gate.add_argument("step", help="The step's id.")
        gate.add_argument("--note", default="", help="Why (recorded with the decision).")
    _action(actions, "metrics", "Runs by status, step durations, retries per step, approval waits, queue depth.",
            show_metrics).add_argument("--since", metavar="ISO", help="Only runs created since (e.g. 2026-12-01).")
    validate = _action(actions, "validate", "Check a workflow file against the schema (or print the schema).",
                       validate_file)
    validate.add_argument("file", nargs="?", help="The workflow file.")
    validate.add_argument("--schema", action="store_true", help="Print the published JSON Schema instead.")
    enable = _action(actions, "enable", "Register a workflow file's triggers (schedules, events); `perth daemon`"
                     " fires them.", enable_flow)
    enable.add_argument("file", help="The workflow file (.yml) with triggers:.")
    _action(actions, "disable", "Unregister a workflow's triggers.", disable_flow).add_argument(
        "name", help="The workflow's name.")
    _action(actions, "triggers", "List the registered triggers: next time, runs started, times missed.",
            list_triggers)
    graph = actions.add_parser("graph", help="Draw a workflow's DAG (a file, or a run with its steps' status).",
                               description="Draw a workflow's DAG as Mermaid or Graphviz DOT.")
    graph.add_argument("source", help="A workflow file, or a run id.")
    graph.add_argument("--format", "-f", choices=("mermaid", "dot", "json"), default="mermaid",
                       help="mermaid (default), dot, or json (perth.workflow.graph.v1 with the Mermaid text).")
    graph.set_defaults(handler=graph_flow)


def _action(actions: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    add_format(parser)
    parser.set_defaults(handler=handler)
    return parser


def _detach(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--detach", action="store_true",
                        help="Do not wait: a background `perth workflow resume` drives the run.")


def _inputs(items: list[str]) -> dict[str, str]:
    from perth.errors import UsageError

    inputs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--input {item!r} is not NAME=VALUE", "e.g. --input dest=/backups")
        inputs[name] = value
    return inputs


def _drive(rt: Runtime, run: WorkflowRun, args: argparse.Namespace, ctx: CliContext, action: str) -> int:
    """Drive the run here (with a progress line on a terminal), or hand it to a detached runner."""
    from perth.cli.progress import StatusLine
    from perth.workflows.runner import drive
    from perth.workflows.service import spawn_resume

    if args.detach:
        spawn_resume(run, rt.environ)
        ctx.emit(_run_doc(rt, run, action), args)
        return 0
    with StatusLine() as line:
        run = drive(rt, run, tick=lambda r, steps: line.show(_progress(r, steps)))
    ctx.emit(_run_doc(rt, run, action), args)
    return 0 if run.status == "succeeded" else 1


def _run_doc(rt: Runtime, run: WorkflowRun, action: str) -> Document:
    """The run's document, with each recorded decision checked against its signature."""
    from perth.workflows.runs import decision_signature
    from perth.workflows.views import run_view

    steps = rt.store.workflows.steps(run.id)
    return run_view(run, steps, action, {s.step_id: decision_signature(rt, s) for s in steps if s.decision})


def _progress(run: WorkflowRun, steps: list[StepRun]) -> str:
    done = sum(s.final for s in steps)
    busy = ", ".join(f"{s.step_id} {s.status}" for s in steps if s.status in ("running", "waiting"))
    return f"workflow {run.name} {run.short_id}: {done}/{len(steps)} steps done" + (f"; {busy}" if busy else "")


def run_flow(args: argparse.Namespace, ctx: CliContext) -> int:
    """Start a run."""
    from perth.workflows.loader import load
    from perth.workflows.service import start

    rt = ctx.runtime()
    run = start(rt, load(args.file), _inputs(args.input), engine=args.engine)
    return _drive(rt, run, args, ctx, "run")


def list_runs(args: argparse.Namespace, ctx: CliContext) -> int:
    """List runs."""
    from perth.workflows.views import list_view

    ctx.emit(list_view(ctx.runtime().store.workflows.recent(args.limit, args.status)), args)
    return 0


def show_run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show a run."""
    from perth.workflows.service import find

    rt = ctx.runtime()
    run = find(rt, args.run)
    ctx.emit(_run_doc(rt, run, "show"), args)
    return 0


def run_logs(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show the logs of a run's jobs."""
    from perth.workflows.service import find, step_logs
    from perth.workflows.views import logs_view

    rt = ctx.runtime()
    run = find(rt, args.run)
    ctx.emit(logs_view(run, step_logs(rt, run)), args)
    return 0


def resume_run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Drive a run again."""
    from perth.workflows.service import find

    rt = ctx.runtime()
    return _drive(rt, find(rt, args.run), args, ctx, "resume")


def retry_run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Retry failed steps."""
    from perth.workflows.service import find, retry

    rt = ctx.runtime()
    return _drive(rt, retry(rt, find(rt, args.run), args.step), args, ctx, "retry")


def cancel_run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Cancel a run."""
    from perth.workflows.service import cancel, find

    rt = ctx.runtime()
    run = cancel(rt, find(rt, args.run))
    ctx.emit(_run_doc(rt, run, "cancel"), args)
    return 0


def decide_step(args: argparse.Namespace, ctx: CliContext) -> int:
    """Approve or reject a gate."""
    from perth.workflows.service import carry_on, decide, find
    from perth.workflows.views import decision_view

    rt = ctx.runtime()
    run = find(rt, args.run)
    step = decide(rt, run, args.step, approve=args.action == "approve", note=args.note)
    carry_on(rt, run.id)  # a run no runner holds goes on after the decision, as through the web
    ctx.emit(decision_view(run, step), args)
    return 0


def show_metrics(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show the metrics."""
    from perth.workflows.metrics import collect
    from perth.workflows.views import metrics_view

    since = 0
    if args.since:
        from datetime import datetime

        from perth.errors import UsageError

        try:
            moment = datetime.fromisoformat(args.since)
        except ValueError:
            raise UsageError(f"--since {args.since!r} is not an ISO date", "e.g. --since 2026-12-01") from None
        since = int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1000)
    ctx.emit(metrics_view(collect(ctx.runtime(), since)), args)
    return 0


def validate_file(args: argparse.Namespace, ctx: CliContext) -> int:
    """Validate a file, or print the schema."""
    from perth.errors import UsageError
    from perth.workflows.loader import load, schema
    from perth.workflows.views import schema_view, validate_view

    if args.schema:
        ctx.emit(schema_view(schema()), args)
        return 0
    if not args.file:
        raise UsageError("perth workflow validate needs a FILE", "or --schema to print the schema")
    ctx.emit(validate_view(load(args.file)), args)
    return 0


def _source(rt: Runtime, source: str) -> tuple[WorkflowSpec, list[StepRun] | None]:
    from perth.workflows.loader import from_data, load
    from perth.workflows.service import find

    if os.path.exists(source):
        return load(source), None
    run = find(rt, source)
    return from_data(run.spec), rt.store.workflows.steps(run.id)


def graph_flow(args: argparse.Namespace, ctx: CliContext) -> int:
    """Draw the DAG."""
    from perth.workflows.views import dot, graph_view, mermaid

    spec, steps = _source(ctx.runtime(), args.source)
    text = dot(spec, steps) if args.format == "dot" else mermaid(spec, steps)
    if args.format == "json":
        ctx.emit(graph_view(spec, "mermaid", text), argparse.Namespace(format="json"))
    else:
        print(text)
    return 0


def enable_flow(args: argparse.Namespace, ctx: CliContext) -> int:
    """Register a file's triggers."""
    from perth.workflows.loader import load
    from perth.workflows.service import local_user
    from perth.workflows.triggers import enable
    from perth.workflows.views import triggers_view

    ctx.emit(triggers_view(enable(ctx.runtime(), load(args.file), user=local_user()), "enable"), args)
    return 0


def disable_flow(args: argparse.Namespace, ctx: CliContext) -> int:
    """Unregister a workflow's triggers."""
    from perth.workflows.triggers import disable
    from perth.workflows.views import triggers_view

    rt = ctx.runtime()
    disable(rt, args.name)
    ctx.emit(triggers_view(rt.store.workflows.triggers(), "disable"), args)
    return 0


def list_triggers(args: argparse.Namespace, ctx: CliContext) -> int:
    """List the registered triggers."""
    from perth.workflows.views import triggers_view

    ctx.emit(triggers_view(ctx.runtime().store.workflows.triggers()), args)
    return 0
