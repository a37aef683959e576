"""``perth features``: declare shell features, build the timed loader, check budgets (logic in perth.features)."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.features.registry import Registry
    from perth.runtime import Runtime

DESCRIPTION = (
    "Declare shell features in TOML ([features.NAME] tables: phase, depends_on, source or snippet, enabled,"
    " budget_ms, platforms, shells), resolve them into a deterministic order and generate a zsh or bash loader"
    " that times each feature with the shellperf library, contains failures, defers postprompt and idle"
    " features until after the first prompt, and runs compinit once. Declarations come from features.toml in"
    " the config directory and from --file. See docs/features.md.")


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth features`` and its subcommands."""
    parser = sub.add_parser(name, help=help_text, description=DESCRIPTION)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _register_build(actions)
    _register_reads(actions)
    _register_switches(actions)
    text = "Propose declarations from an existing .zshrc (one feature per plugin-manager or source line)."
    imp = actions.add_parser("import", help=text, description=text + (
        " The features keep the file's order (each depends on the one before); the lines left in the .zshrc are"
        " listed as comments. Nothing is changed in the .zshrc."))
    imp.add_argument("--zshrc", required=True, metavar="FILE", help="The .zshrc to read.")
    imp.add_argument("-o", "--output", metavar="FILE", help="Write the proposal here (default: standard output).")
    imp.set_defaults(handler=run_import)


def _common(parser: argparse.ArgumentParser, *, switches: bool = True) -> None:
    parser.add_argument("--file", action="append", default=[], metavar="FILE",
                        help="Also read declarations from FILE (repeatable).")
    parser.add_argument("--shell", choices=("zsh", "bash"), default="zsh", help="Target shell (default zsh).")
    if switches:
        parser.add_argument("--enable", action="append", default=[], metavar="NAME",
                            help="Enable a feature for this command (over the user file; repeatable).")
        parser.add_argument("--disable", action="append", default=[], metavar="NAME",
                            help="Disable a feature for this command (over the user file; repeatable).")


def _register_build(actions: Any) -> None:
    text = "Generate the loader: a shell file to source from the rc file."
    parser = actions.add_parser("build", help=text, description=text + (
        " It sources the enabled features in order, times each (SEGMENT lines when PERTH_SEGMENT_LOG is set),"
        " reports a failing or missing feature once on stderr and skips it, runs postprompt features after the"
        " first prompt and idle ones later, and runs compinit once (zsh). Refused while `check` finds problems."))
    _common(parser)
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="Write the loader here (default: standard output); for zsh also FILE.zwc, compiled.")
    add_format(parser, "text; the report printed with -o")
    parser.set_defaults(handler=run_build)


def _register_reads(actions: Any) -> None:
    status = actions.add_parser("status", help="Each feature's phase, state and last measured ms against its budget.",
                                description="Each feature's phase, state (and which switch decided it), last"
                                            " measured milliseconds in the latest recorded shellperf run, and"
                                            " budget.")
    _common(status)
    status.add_argument("--scope", help="Use the latest shellperf run of this scope (default: the latest run).")
    add_format(status)
    status.set_defaults(handler=run_status)
    graph = actions.add_parser("graph", help="Draw the dependency graph (DOT, Mermaid or JSON).",
                               description="Draw the dependency graph: nodes in load order, edges from a dependency"
                                           " to its dependent, disabled features dashed. Stable output.")
    _common(graph)
    graph.add_argument("--format", "-f", choices=("dot", "json", "mermaid"), default="dot",
                       help="Output format (default dot).")
    graph.set_defaults(handler=run_graph)
    check = actions.add_parser("check", help="Report cycles, unknown dependencies and budgets exceeded.",
                               description="Report cycles, unknown dependencies, dependencies in a later phase,"
                                           " unknown switches, and budgets exceeded according to the latest recorded"
                                           " shellperf run (segments named after the features). Exit 5 in gate mode"
                                           " when anything is found.")
    _common(check)
    check.add_argument("--scope", help="Use the latest shellperf run of this scope (default: the latest run).")
    check.add_argument("--mode", choices=("observe", "warn", "gate"), default="warn",
                       help="observe: report; warn: report and warn on stderr; gate: exit 5 on findings"
                            " (default warn).")
    add_format(check)
    check.set_defaults(handler=run_check)


def _register_switches(actions: Any) -> None:
    for verb in ("enable", "disable"):
        text = f"{verb.capitalize()} a feature in the user switches file (features-switches.toml)."
        parser = actions.add_parser(verb, help=text, description=text + (
            " The environment (PERTH_FEATURES_ENABLE/DISABLE) and --enable/--disable still take precedence;"
            " disabling a feature disables its dependents, and the report says so. Rebuild the loader afterwards."))
        parser.add_argument("name", help="The feature.")
        _common(parser, switches=False)
        add_format(parser)
        parser.set_defaults(handler=run_switch)


def _registry(args: argparse.Namespace, rt: Runtime) -> Registry:
    from perth.features.registry import load_registry

    return load_registry(rt, args.file, getattr(args, "enable", ()), getattr(args, "disable", ()))


def run_build(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the loader to a file or standard output."""
    from perth.features.registry import build
    from perth.features.views import build_view

    rt = ctx.runtime()
    built = build(_registry(args, rt), args.shell, args.output)
    if args.output:
        ctx.emit(build_view(built.resolution, args.output, built.compiled), args)
        return 0
    sys.stdout.write(built.text)
    for state in sorted((s for s in built.resolution.states.values() if not s.enabled), key=lambda s: s.name):
        print(f"perth: not loaded: {state.name}: {state.reason}", file=sys.stderr)
    return 0


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show every feature's state."""
    from perth.features.registry import check
    from perth.features.views import status_view

    rt = ctx.runtime()
    registry = _registry(args, rt)
    ctx.emit(status_view(check(rt, registry, args.shell, scope=args.scope), dict(registry.features)), args)
    return 0


def run_graph(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the graph."""
    from perth.features.graph import graph_data, to_dot, to_mermaid
    from perth.features.views import graph_view
    from perth.views.document import render

    registry = _registry(args, ctx.runtime())
    resolution = registry.resolve(args.shell)
    if args.format == "json":
        print(render(graph_view(graph_data(registry.features, resolution)), "json"))
    else:
        print((to_dot if args.format == "dot" else to_mermaid)(registry.features, resolution))
    return 0


def run_check(args: argparse.Namespace, ctx: CliContext) -> int:
    """Check the declarations and the budgets."""
    from perth.features.registry import check
    from perth.features.views import check_view

    rt = ctx.runtime()
    report = check(rt, _registry(args, rt), args.shell, mode=args.mode, scope=args.scope)
    ctx.emit(check_view(report), args)
    if report.mode != "observe":
        prefix = "perth: gate failed:" if report.exit_code else "perth: warning:"
        for finding in report.findings:
            print(f"{prefix} {finding}", file=sys.stderr)
    return report.exit_code


def run_switch(args: argparse.Namespace, ctx: CliContext) -> int:
    """Enable or disable a feature in the user layer."""
    from perth.features.registry import set_switch
    from perth.features.views import switch_view

    rt = ctx.runtime()
    on = args.action == "enable"
    resolution = set_switch(rt, _registry(args, rt), args.name, on, args.shell)
    ctx.emit(switch_view(args.name, on, resolution), args)
    return 0


def run_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Propose declarations from a .zshrc."""
    from perth.features.importer import proposal_text

    proposal, text = proposal_text(ctx.runtime(), args.zshrc)
    if args.output:
        from perth.files import write_atomic

        write_atomic(args.output, [text], mode=0o644)
        print(f"perth: wrote {len(proposal.features)} proposed feature(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
