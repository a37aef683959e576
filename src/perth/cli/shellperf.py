"""``perth shellperf``: measure, compare and govern shell start-up (thin: logic is in perth.shellperf)."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format
from perth.cli.progress import Progress

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.runtime import Runtime
    from perth.shellperf.governance import Assessment
    from perth.shellperf.records import Run, RunSpec, Sample

DESCRIPTION = (
    "Measure how fast an interactive login shell starts, in a pseudo-terminal, with zsh-bench's definitions:"
    " first_prompt_ms, first_command_ms, command_lag_ms, input_lag_ms and exit_ms, plus in-shell segments."
    " Runs are kept in a ledger, compared with baselines, checked against budgets and governed"
    " (observe, warn, gate). A value that was not observed stays missing. See docs/shellperf.md.")


class SampleProgress(Progress):
    """``shellperf zsh: 3 samples`` on a terminal, nothing when piped."""

    def advance(self, done: int, _total: int, _sample: Sample) -> None:
        """Called by the runner after each sample."""
        self.count = done
        if self.enabled:
            self._draw()


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth shellperf`` and its subcommands."""
    parser = sub.add_parser(name, help=help_text, description=DESCRIPTION)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _register_run(actions)
    _register_instrument(actions)
    _register_baseline(actions)
    _register_compare(actions)
    _register_reports(actions)
    _register_bench_fn(actions)


def _measure_options(parser: argparse.ArgumentParser, *, ab: bool = False) -> None:
    parser.add_argument("--shell", choices=("zsh", "bash", "fish"), help="Shell to measure (default shellperf.shell).")
    parser.add_argument("--shell-path", metavar="PATH", help="The shell binary (default: found on PATH).")
    if ab:
        parser.add_argument("--rc", action="append", default=[], metavar="FILE", required=True,
                            help="An rc file; give it twice: A then B.")
    else:
        parser.add_argument("--rc", metavar="FILE", help="Measure this rc file instead of the login configuration.")
        parser.add_argument("--zdotdir", metavar="DIR", help="zsh only: measure the configuration in DIR.")
        parser.add_argument("--norc", action="store_true", help="Start the shell without any start-up file.")
    parser.add_argument("--env", action="append", default=[], metavar="K=V",
                        help="Add a variable to the shell's clean environment (repeatable).")
    parser.add_argument("-n", "--samples", type=int, help="Counted samples (default shellperf.samples).")
    parser.add_argument("--warmup", type=int, help="Discarded warm-up starts (default shellperf.warmup).")
    parser.add_argument("--spawns", type=int, metavar="K",
                        help="Starts per sample; each metric of a sample is the median of its K starts, so that one"
                             " start slowed by the machine does not make the sample (default shellperf.spawns).")
    parser.add_argument("--timeout-ms", type=int, help="Per-sample time limit (default shellperf.timeout_ms).")
    parser.add_argument("--presses", type=int, default=5, help="Enters per sample for command_lag_ms (default 5).")
    parser.add_argument("--keys", type=int, default=5, help="Keystrokes per sample for input_lag_ms (default 5).")
    parser.add_argument("--no-exit", action="store_true", help="Skip the exit_ms proxy (`shell -lic exit`).")
    parser.add_argument("--git", choices=("no", "yes", "empty"), default="no",
                        help="Start the shell inside a git repository: yes = 10,000 committed files (as zsh-bench's"
                             " default), empty = no files; no (default) = a plain directory.")


def _register_run(actions: Any) -> None:
    for name, text in (("run", "Measure the shell's start-up, record the run and apply governance."),
                       ("ci", "A CI gate: measure under the strict ci profile, write badges and a report.")):
        parser = actions.add_parser(name, help=text, description=text + (
            " Exit 5 when the governance mode is gate and the verdict is FAIL (a FAIL delta, an exceeded"
            " budget, or a partial run under a strict profile); exit 4 when the shell is not installed."))
        _measure_options(parser)
        parser.add_argument("--label", default="", help="Ledger scope name (default: shell and configuration).")
        parser.add_argument("--baseline", metavar="NAME", help="Baseline to compare with (default shellperf.baseline).")
        if name == "run":
            parser.add_argument("--profile", choices=("explore", "streak", "governance", "ci"),
                                help="Goal profile (default shellperf.profile); explore is not recorded.")
            parser.add_argument("--replay", metavar="DIR", help="Keep each sample's timestamped byte stream in DIR.")
        else:
            parser.add_argument("--badges", metavar="DIR", help="Write the badges (SVG and endpoint JSON) here.")
            parser.add_argument("--report", metavar="FILE", help="Write the Markdown report here (for a PR comment).")
        add_format(parser)
        parser.set_defaults(handler=run_measure)
    ab = actions.add_parser("ab", help="Compare two rc files, measured interleaved (A B, B A, ...).",
                            description="Compare two rc files, measured interleaved (A B, B A, ...) so that drift"
                                        " hits both alike; B is classified against A. Nothing is recorded.")
    _measure_options(ab, ab=True)
    add_format(ab)
    ab.set_defaults(handler=run_ab)


def _register_instrument(actions: Any) -> None:
    text = "Print the timing library to source at the top of an rc file."
    parser = actions.add_parser("instrument", help=text, description=text + (
        " Its begin/end/wrap/mark helpers write SEGMENT lines only when PERTH_SEGMENT_LOG is set"
        " (the harness sets it); otherwise they are empty functions."))
    parser.add_argument("shell", choices=("zsh", "bash"), help="The shell whose library to print.")
    parser.set_defaults(handler=run_instrument)


def _register_baseline(actions: Any) -> None:
    text = "Save, list, show and delete baselines (named reference runs)."
    parser = actions.add_parser("baseline", help=text, description=text)
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True, help="What to do with baselines.")
    save = verbs.add_parser("save", help="Name a recorded run (default: the latest) as a baseline.",
                            description="Name a recorded run (default: the latest) as a baseline.")
    save.add_argument("name", help="Baseline name, e.g. main.")
    save.add_argument("--run", default="latest", help="Run id or short id (default latest).")
    save.add_argument("--note", default="", help="Why this run is the reference.")
    save.add_argument("--replace", action="store_true", help="Move an existing baseline of this name.")
    listing = verbs.add_parser("list", help="List baselines, newest first.",
                               description="List baselines, newest first.")
    listing.add_argument("--scope", help="Only baselines of this scope.")
    show = verbs.add_parser("show", help="Show a baseline and its statistics.",
                            description="Show a baseline and its statistics.")
    show.add_argument("name", help="Baseline name.")
    delete = verbs.add_parser("delete", help="Delete a baseline (its run stays in the ledger).",
                              description="Delete a baseline (its run stays in the ledger).")
    delete.add_argument("name", help="Baseline name.")
    for verb in (save, listing, show, delete):
        add_format(verb)
        verb.set_defaults(handler=run_baseline)


def _register_compare(actions: Any) -> None:
    text = "Compare a recorded run with a baseline: per-metric deltas classified OK, WARN or FAIL."
    parser = actions.add_parser("compare", help=text, description=text + (
        " A delta is WARN or FAIL only above the percent thresholds, the absolute floor and the noise"
        " (shellperf.warn_percent, fail_percent, floor_ms, noise_factor x MAD). Exit 5 in gate mode on FAIL."))
    parser.add_argument("--baseline", metavar="NAME", help="Baseline (default shellperf.baseline, else the newest).")
    parser.add_argument("--run", default="latest", help="Run id or short id (default latest).")
    add_format(parser)
    parser.set_defaults(handler=run_compare)


def _register_reports(actions: Any) -> None:
    report = actions.add_parser("report", help="Report a recorded run; optionally draw the ledger's trend chart.",
                                description="Report a recorded run (statistics, deltas, budgets, governance) as a"
                                            " table, JSON, Markdown for a pull request, or llm; --chart draws the"
                                            " scope's trend (SVG, or PNG with cairosvg).")
    report.add_argument("run", nargs="?", default="latest", help="Run id or short id (default latest).")
    report.add_argument("--chart", metavar="FILE", help="Write the trend chart of the run's scope (.svg or .png).")
    report.add_argument("--limit", type=int, default=100, help="Runs in the chart (default 100).")
    add_format(report)
    report.set_defaults(handler=run_report)
    ledger = actions.add_parser("ledger", help="List recorded runs, newest first.",
                                description="List recorded runs, newest first, with their medians and verdicts.")
    ledger.add_argument("--scope", help="Only runs of this scope.")
    ledger.add_argument("--limit", type=int, default=20, help="Runs listed (default 20).")
    add_format(ledger)
    ledger.set_defaults(handler=run_ledger)
    gov = actions.add_parser("governance", help="Show the mode, the recommendation and the streaks of a scope.",
                             description="Show the governance mode, the recommended mode and the streaks of a scope.")
    gov.add_argument("--scope", help="Scope (default: the latest run's).")
    add_format(gov)
    gov.set_defaults(handler=run_governance)
    badge = actions.add_parser("badge", help="Write badges (first prompt, drift, budget, governance).",
                               description="Write shields.io endpoint JSON and standalone SVG badges for the latest"
                                           " run: first prompt, drift against the baseline, budget, governance.")
    badge.add_argument("--out", required=True, metavar="DIR", help="Directory for the badge files.")
    badge.add_argument("--scope", help="Scope (default: the latest run's).")
    add_format(badge)
    badge.set_defaults(handler=run_badge)


def _register_bench_fn(actions: Any) -> None:
    text = "Micro-benchmark shell functions: per-call microseconds, median of batches."
    parser = actions.add_parser("bench-fn", help=text, description=text + (
        " The rc file is sourced by a shell started without start-up files; an empty function is timed"
        " too, as the loop's own cost."))
    parser.add_argument("functions", nargs="+", metavar="FUNC", help="Functions to time.")
    parser.add_argument("--shell", choices=("zsh", "bash"), default="zsh", help="Shell (default zsh).")
    parser.add_argument("--rc", required=True, metavar="FILE", help="File that defines the functions.")
    parser.add_argument("--calls", type=int, default=1000, help="Calls per batch (default 1000).")
    parser.add_argument("--batches", type=int, default=7, help="Batches (default 7).")
    add_format(parser)
    parser.set_defaults(handler=run_bench_fn)


def _spec(args: argparse.Namespace, rt: Runtime, rc: str | None = None) -> RunSpec:
    from perth.shellperf.ledger import shellperf_settings
    from perth.shellperf.records import RunSpec

    settings = shellperf_settings(rt)
    return RunSpec(
        shell=args.shell or settings.shell, shell_path=args.shell_path or "",
        rc=rc if rc is not None else getattr(args, "rc", None), zdotdir=getattr(args, "zdotdir", None),
        norc=bool(getattr(args, "norc", False)), env=tuple(args.env),
        samples=args.samples if args.samples is not None else settings.samples,
        warmup=args.warmup if args.warmup is not None else settings.warmup,
        spawns=args.spawns if args.spawns is not None else settings.spawns,
        timeout_ms=args.timeout_ms if args.timeout_ms is not None else settings.timeout_ms,
        presses=args.presses, keys=args.keys, measure_exit=not args.no_exit, label=getattr(args, "label", ""),
        git=args.git)


def _measure(args: argparse.Namespace, rt: Runtime, specs: list[RunSpec], profile: str) -> list[Run]:
    from perth.shellperf.replay import ReplayWriter
    from perth.shellperf.runner import measure_interleaved
    from perth.shellperf.terminal import PtyLauncher

    progress = SampleProgress(f"shellperf {specs[0].shell}", "samples")
    replay = getattr(args, "replay", None)
    writer = ReplayWriter(replay, lambda text: rt.redact(text, "shellperf")) if replay else None
    try:
        return measure_interleaved(specs, rt.environ, PtyLauncher(), created_at=rt.clock(), profile=profile,
                                   progress=progress.advance, replay=writer)
    finally:
        progress.close()


def _report_outcome(assessment: Assessment) -> None:
    """Warnings (warn mode) or the gate's reasons (gate mode) on stderr."""
    if assessment.verdict == "OK" or assessment.mode == "observe":
        return
    prefix = "perth: gate failed:" if assessment.exit_code else "perth: warning:"
    for reason in assessment.reasons:
        print(f"{prefix} {reason}", file=sys.stderr)


def run_measure(args: argparse.Namespace, ctx: CliContext) -> int:
    """``run`` and ``ci``: measure, evaluate, record, report."""
    from perth.shellperf.ledger import evaluate, record, redacted, shellperf_settings
    from perth.shellperf.views import run_view

    rt = ctx.runtime()
    profile = "ci" if args.action == "ci" else (args.profile or shellperf_settings(rt).profile)
    run = redacted(rt, _measure(args, rt, [_spec(args, rt)], profile)[0])
    assessment = evaluate(rt, run, args.baseline)
    record(rt, run, assessment)
    view = run_view(run, assessment)
    if args.action == "ci":
        _ci_artifacts(args, rt, run, assessment, view)
    ctx.emit(view, args)
    _report_outcome(assessment)
    return assessment.exit_code


def _ci_artifacts(args: argparse.Namespace, rt: Runtime, run: Run, assessment: Assessment, view: Any) -> None:
    from perth.shellperf.badges import badges_for, write_badges
    from perth.shellperf.ledger import shellperf_settings
    from perth.views.document import render

    if args.badges:
        badges = badges_for(shellperf_settings(rt), run, assessment.to_json(), assessment.state)
        write_badges(args.badges, badges)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as handle:
            handle.write(render(view, "markdown") + "\n")


def run_ab(args: argparse.Namespace, ctx: CliContext) -> int:
    """Measure two rc files interleaved and classify B against A."""
    from perth.errors import UsageError
    from perth.shellperf.compare import compare_runs
    from perth.shellperf.ledger import redacted, shellperf_settings
    from perth.shellperf.views import ab_view

    if len(args.rc) != 2:
        raise UsageError(f"ab needs exactly two --rc files, got {len(args.rc)}", "pass --rc A.zshrc --rc B.zshrc")
    rt = ctx.runtime()
    first, second = (redacted(rt, run) for run in _measure(args, rt, [_spec(args, rt, rc) for rc in args.rc],
                                                           "explore"))
    ctx.emit(ab_view(first, second, compare_runs(first, second, shellperf_settings(rt).thresholds)), args)
    return 0


def run_instrument(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the instrumentation library."""
    from perth.shellperf.instrument import library_source

    sys.stdout.write(library_source(args.shell))
    return 0


def run_baseline(args: argparse.Namespace, ctx: CliContext) -> int:
    """``baseline save|list|show|delete``."""
    from perth.shellperf import ledger
    from perth.shellperf.views import baseline_list_view, baseline_view

    rt = ctx.runtime()
    if args.verb == "list":
        ctx.emit(baseline_list_view(rt.store.shellperf.list_baselines(scope=args.scope)), args)
        return 0
    if args.verb == "save":
        saved = ledger.save_baseline(rt, args.name, args.run, args.note, replace_existing=args.replace)
        ctx.emit(baseline_view(saved, ledger.load_entry(rt, saved.run_id).run), args)
        return 0
    baseline, entry = ledger.get_baseline(rt, args.name)
    if args.verb == "delete":
        ledger.delete_baseline(rt, args.name)
    ctx.emit(baseline_view(baseline, entry.run, deleted=args.verb == "delete"), args)
    return 0


def run_compare(args: argparse.Namespace, ctx: CliContext) -> int:
    """Compare a recorded run with a baseline (governance state is not changed)."""
    from perth.shellperf.ledger import evaluate, load_entry
    from perth.shellperf.views import compare_view

    rt = ctx.runtime()
    run = load_entry(rt, args.run).run
    assessment = evaluate(rt, run, args.baseline)
    ctx.emit(compare_view(assessment, run), args)
    _report_outcome(assessment)
    return assessment.exit_code


def run_report(args: argparse.Namespace, ctx: CliContext) -> int:
    """Report a recorded run; draw the trend chart."""
    from perth.shellperf.ledger import load_entry
    from perth.shellperf.views import run_view

    rt = ctx.runtime()
    entry = load_entry(rt, args.run)
    if args.chart:
        from perth.shellperf.chart import write_trend_chart

        history = rt.store.shellperf.list_runs(scope=entry.run.scope, limit=max(1, args.limit))
        write_trend_chart(args.chart, history, f"Shell start-up: {entry.run.scope}")
        print(f"perth: wrote the trend chart to {args.chart}", file=sys.stderr)
    ctx.emit(run_view(entry.run, recorded=entry.assessment), args)
    return 0


def run_ledger(args: argparse.Namespace, ctx: CliContext) -> int:
    """List recorded runs."""
    from perth.shellperf.views import ledger_view

    entries = ctx.runtime().store.shellperf.list_runs(scope=args.scope, limit=max(1, args.limit))
    ctx.emit(ledger_view(entries, args.scope), args)
    return 0


def _scope(rt: Runtime, scope: str | None) -> str:
    from perth.shellperf.ledger import load_entry

    return scope or load_entry(rt).run.scope


def run_governance(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show a scope's governance state."""
    from perth.shellperf.ledger import governance_state, shellperf_settings
    from perth.shellperf.views import governance_view

    rt = ctx.runtime()
    ctx.emit(governance_view(governance_state(rt, _scope(rt, args.scope)), shellperf_settings(rt)), args)
    return 0


def run_badge(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the badges of the latest run."""
    from perth.shellperf.badges import badges_for, write_badges
    from perth.shellperf.ledger import governance_state, load_entry, shellperf_settings
    from perth.shellperf.views import badges_view

    rt = ctx.runtime()
    entry = load_entry(rt, "latest", args.scope)
    state = governance_state(rt, entry.run.scope)
    badges = badges_for(shellperf_settings(rt), entry.run, entry.assessment, state)
    ctx.emit(badges_view(args.out, badges, write_badges(args.out, badges)), args)
    return 0


def run_bench_fn(args: argparse.Namespace, ctx: CliContext) -> int:
    """Time shell functions."""
    from perth.shellperf.benchfn import bench_functions
    from perth.shellperf.launch import resolve_shell
    from perth.shellperf.records import RunSpec
    from perth.shellperf.views import bench_fn_view

    rt = ctx.runtime()
    shell_path = resolve_shell(RunSpec(shell=args.shell), rt.environ)
    timings = bench_functions(args.shell, shell_path, args.rc, args.functions, calls=args.calls,
                              batches=args.batches, environ=rt.environ)
    ctx.emit(bench_fn_view(args.shell, args.rc, args.calls, args.batches, timings), args)
    return 0
