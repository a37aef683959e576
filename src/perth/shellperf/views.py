"""Documents (text, markdown, llm, json) of runs, baselines, comparisons, the ledger and governance.

Every JSON shape is a versioned contract ``perth.shellperf.<thing>.v1`` (docs/shellperf.md).
"""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.shellperf.analysis import (
    lifecycle_check,
    metric_stats,
    missing_reasons,
    provenance_counts,
    segment_stats,
)
from perth.shellperf.capabilities import CAPABILITIES
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from perth.shellperf.badges import Badge
    from perth.shellperf.benchfn import FunctionTiming
    from perth.shellperf.compare import Delta
    from perth.shellperf.governance import Assessment
    from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry, Run
    from perth.shellperf.settings import ShellperfSettings
    from perth.shellperf.stats import Stats

STAT_COLUMNS = ("name", "n", "missing", "median", "mean", "stddev", "rsd %", "mad", "p90", "p95", "min", "max",
                "outliers")


def ms(value: float | None) -> str:
    """A millisecond figure for people: ``12.35`` or ``-`` when missing."""
    return "-" if value is None else f"{value:.2f}"


def short(run_id: str) -> str:
    """The id shown to people (the random tail of the UUIDv7)."""
    return run_id[-8:]


def _stats_rows(stats: Mapping[str, Stats]) -> list[tuple[str, ...]]:
    return [(name, str(s.n), str(s.missing), ms(s.median), ms(s.mean), ms(s.stddev), ms(s.rsd), ms(s.mad),
             ms(s.p90), ms(s.p95), ms(s.min), ms(s.max), str(len(s.outliers)))
            for name, s in stats.items()]


def run_data(run: Run) -> dict[str, Any]:
    """The statistics part of ``perth.shellperf.run.v1``."""
    return {"run": run.to_json(),
            "stats": {k: v.to_json() for k, v in metric_stats(run).items()},
            "segment_stats": {k: v.to_json() for k, v in segment_stats(run).items()},
            "provenance": provenance_counts(run), "lifecycle": lifecycle_check(run),
            "missing": missing_reasons(run)}


def _run_fields(run: Run) -> Fields:
    spec = run.spec
    return Fields([("run", f"{short(run.id)} ({to_local(run.created_at)})"), ("shell", run.shell_version),
                   ("config", spec.config_name), ("scope", run.scope), ("profile", run.profile),
                   ("status", run.status + (" (not recorded)" if run.ephemeral else "")),
                   ("samples", f"{len(run.measured)} (+{spec.warmup} warm-up), timeout {spec.timeout_ms} ms"),
                   ("has", capability_summary(run))])


def capability_summary(run: Run) -> str:
    """zsh-bench's ``has_*`` flags over the counted samples: ``compsys yes, ...`` (``?``: not read)."""
    words = []
    for name in CAPABILITIES:
        seen = {s.capabilities.get(name) for s in run.measured}
        value = "yes" if seen == {True} else "no" if seen == {False} else "?" if seen <= {None} else "varies"
        words.append(f"{name.removeprefix('has_').replace('_', ' ')} {value}")
    return ", ".join(words)


def delta_table(deltas: Sequence[Delta], title: str = "Against the baseline") -> Table:
    """Deltas as a table."""
    rows = [(d.name, ms(d.baseline_ms), ms(d.current_ms), ms(d.delta_ms),
             "-" if d.delta_percent is None else f"{d.delta_percent:+.1f}%", d.classification, d.reason)
            for d in deltas]
    return Table(("name", "baseline", "current", "delta", "delta %", "class", "why"), rows, title)


def _assessment_blocks(assessment: Assessment) -> list[Block]:
    blocks: list[Block] = []
    if assessment.deltas:
        blocks.append(delta_table(assessment.deltas, f"Against baseline {assessment.baseline}"))
    else:
        blocks.append(Note("No baseline to compare with: save one with `perth shellperf baseline save NAME`."))
    rows = [(b.name, b.stage, f"{b.limit_ms:g}", ms(b.value_ms), b.status) for b in assessment.budgets]
    blocks.append(Table(("budget", "stage", "limit ms", "median ms", "status"), rows, "Budgets"))
    state = assessment.state
    blocks.append(Fields([("verdict", assessment.verdict), ("mode", f"{assessment.mode} (configured "
                          f"{assessment.configured_mode})"), ("recommended", state.recommended),
                          ("streaks", f"stable {state.stable_streak}, clean {state.clean_streak}"),
                          ("because", state.reason)], "Governance"))
    if assessment.reasons:
        blocks.append(Items(list(assessment.reasons), "Findings"))
    return blocks


def _recorded_blocks(summary: Mapping[str, Any]) -> list[Block]:
    """The verdict a ledger run got when it was recorded (from its stored JSON)."""
    rows = [(d["name"], ms(d["baseline_ms"]), ms(d["current_ms"]), ms(d["delta_ms"]),
             "-" if d["delta_percent"] is None else f"{d['delta_percent']:+.1f}%", d["classification"], d["reason"])
            for d in summary.get("deltas", [])]
    blocks: list[Block] = []
    if rows:
        blocks.append(Table(("name", "baseline", "current", "delta", "delta %", "class", "why"), rows,
                            f"Against baseline {summary.get('baseline')}"))
    budgets = [(b["name"], b["stage"], f"{b['limit_ms']:g}", ms(b["value_ms"]), b["status"])
               for b in summary.get("budgets", [])]
    blocks.append(Table(("budget", "stage", "limit ms", "median ms", "status"), budgets, "Budgets"))
    blocks.append(Fields([("verdict", str(summary.get("verdict"))), ("mode", str(summary.get("mode")))],
                         "Governance when recorded"))
    if summary.get("reasons"):
        blocks.append(Items([str(r) for r in summary["reasons"]], "Findings"))
    return blocks


def run_view(run: Run, assessment: Assessment | None = None, *,
             recorded: Mapping[str, Any] | None = None) -> Document:
    """``perth shellperf run`` and ``report``: statistics, segments, missing values, verdict."""
    data = run_data(run)
    blocks: list[Block] = [_run_fields(run), Table(STAT_COLUMNS, _stats_rows(metric_stats(run)), "Metrics (ms)")]
    segments = segment_stats(run)
    if segments:
        blocks.append(Table(STAT_COLUMNS, _stats_rows(segments), "Segments (ms)"))
    missing = data["missing"]
    if missing:
        blocks.append(Items([f"{name}: {'; '.join(reasons)}" for name, reasons in missing.items()], "Missing"))
    lifecycle = data["lifecycle"]
    if lifecycle["violations"]:
        blocks.append(Note(f"Lifecycle order broken in sample(s) {lifecycle['violations']}:"
                           " pre_plugin_total <= post_plugin_total <= prompt_ready does not hold."))
    if assessment is not None:
        data["assessment"] = assessment.to_json()
        blocks.extend(_assessment_blocks(assessment))
    elif recorded:
        data["assessment"] = dict(recorded)
        blocks.extend(_recorded_blocks(recorded))
    else:
        data["assessment"] = None
    return Document("perth.shellperf.run.v1", data, title=f"Shell start-up: {run.spec.shell}", blocks=blocks)


def baseline_view(baseline: Baseline, run: Run, *, deleted: bool = False) -> Document:
    """``perth shellperf baseline save|show|delete``."""
    stats = metric_stats(run)
    data = {"baseline": baseline.to_json(), "deleted": deleted,
            "run": {"id": run.id, "created_at": to_iso(run.created_at), "status": run.status,
                    "shell_version": run.shell_version},
            "stats": {k: v.to_json() for k, v in stats.items()},
            "segment_stats": {k: v.to_json() for k, v in segment_stats(run).items()}}
    blocks: list[Block] = [
        Fields([("name", baseline.name), ("run", short(run.id)), ("scope", baseline.scope),
                ("saved", to_local(baseline.created_at)), ("note", baseline.note)]),
        Table(STAT_COLUMNS, _stats_rows(stats), "Metrics (ms)")]
    if deleted:
        blocks.insert(0, Note(f"Deleted baseline {baseline.name} (its run stays in the ledger)."))
    return Document("perth.shellperf.baseline.v1", data, title=f"Baseline {baseline.name}", blocks=blocks)


def baseline_list_view(baselines: Sequence[Baseline]) -> Document:
    """``perth shellperf baseline list``."""
    rows = [(b.name, b.scope, short(b.run_id), to_local(b.created_at), b.note) for b in baselines]
    blocks: list[Block] = [Table(("name", "scope", "run", "saved", "note"), rows)] if baselines else [
        Note("No baselines yet: `perth shellperf baseline save NAME` names the latest run.")]
    return Document("perth.shellperf.baseline_list.v1",
                    {"baselines": [b.to_json() for b in baselines], "count": len(baselines)},
                    title="Baselines", blocks=blocks)


def _ledger_row(entry: LedgerEntry) -> dict[str, Any]:
    run = entry.run
    medians = {name: None if s.median is None else round(s.median, 3) for name, s in metric_stats(run).items()}
    return {"id": run.id, "created_at": to_iso(run.created_at), "scope": run.scope, "shell": run.spec.shell,
            "profile": run.profile, "status": run.status, "verdict": entry.verdict, "samples": len(run.measured),
            "medians": medians}


def ledger_view(entries: Sequence[LedgerEntry], scope: str | None) -> Document:
    """``perth shellperf ledger``: recorded runs, newest first."""
    runs = [_ledger_row(e) for e in entries]
    rows = [(short(r["id"]), to_local(e.run.created_at), r["scope"], r["status"], r["verdict"] or "-",
             ms(r["medians"].get("first_prompt_ms")), ms(r["medians"].get("first_command_ms")),
             ms(r["medians"].get("command_lag_ms")), ms(r["medians"].get("input_lag_ms")))
            for r, e in zip(runs, entries, strict=True)]
    columns = ("run", "time", "scope", "status", "verdict", "first prompt", "first cmd", "cmd lag", "input lag")
    blocks: list[Block] = [Table(columns, rows)] if entries else [
        Note("The ledger is empty: `perth shellperf run` records a run.")]
    return Document("perth.shellperf.ledger.v1", {"scope": scope, "runs": runs, "count": len(runs)},
                    title="Shell start-up ledger", blocks=blocks)


def governance_view(state: GovernanceState, settings: ShellperfSettings) -> Document:
    """``perth shellperf governance``: mode, recommendation and streaks of a scope."""
    mode = state.recommended if settings.mode == "auto" else settings.mode
    thresholds = {"stable_runs": settings.stable_runs, "clean_runs": settings.clean_runs,
                  "stable_rsd_percent": settings.stable_rsd_percent,
                  "warn_percent": settings.thresholds.warn_percent, "fail_percent": settings.thresholds.fail_percent,
                  "floor_ms": settings.thresholds.floor_ms, "noise_factor": settings.thresholds.noise_factor,
                  "budget_stage": settings.budget_stage}
    data = {**state.to_json(), "configured_mode": settings.mode, "mode": mode, "thresholds": thresholds}
    pairs = [("scope", state.scope), ("mode", f"{mode} (configured {settings.mode})"),
             ("recommended", state.recommended), ("stable streak", f"{state.stable_streak} of {settings.stable_runs}"),
             ("clean streak", f"{state.clean_streak} of {settings.clean_runs}"), ("runs seen", str(state.runs_seen)),
             ("because", state.reason)]
    return Document("perth.shellperf.governance.v1", data, title="Shell start-up governance", blocks=[Fields(pairs)])


def compare_view(assessment: Assessment, run: Run) -> Document:
    """``perth shellperf compare``."""
    data = {"run_id": run.id, "baseline": assessment.baseline, "verdict": assessment.verdict,
            "mode": assessment.mode, "exit_code": assessment.exit_code,
            "deltas": [d.to_json() for d in assessment.deltas]}
    blocks: list[Block] = [delta_table(assessment.deltas) if assessment.deltas else Note(
        "No baseline to compare with: save one with `perth shellperf baseline save NAME`."),
        Note(f"Verdict: {assessment.verdict} (mode {assessment.mode}).")]
    return Document("perth.shellperf.compare.v1", data, title=f"Run {short(run.id)} against the baseline",
                    blocks=blocks)


def ab_view(first: Run, second: Run, deltas: Sequence[Delta]) -> Document:
    """``perth shellperf ab``: B against A, measured interleaved."""
    from perth.shellperf.compare import worst

    data = {"a": run_data(first), "b": run_data(second), "deltas": [d.to_json() for d in deltas],
            "verdict": worst(list(deltas))}
    blocks: list[Block] = [
        Fields([("A", first.spec.config_name), ("B", second.spec.config_name),
                ("samples", f"{len(first.measured)} each, interleaved")]),
        delta_table(deltas, "B against A")]
    return Document("perth.shellperf.ab.v1", data, title="A/B start-up comparison", blocks=blocks)


def badges_view(directory: str, badges: Sequence[Badge], files: Sequence[str]) -> Document:
    """``perth shellperf badge``: what each badge says and the files written."""
    data = {"directory": directory, "badges": {b.name: b.endpoint() for b in badges}, "files": list(files)}
    rows = [(b.name, b.label, b.message, b.color) for b in badges]
    return Document("perth.shellperf.badges.v1", data, title="Badges",
                    blocks=[Table(("badge", "label", "message", "color"), rows), Items(list(files), "Files")])


def bench_fn_view(shell: str, rc: str, calls: int, batches: int, timings: Sequence[FunctionTiming]) -> Document:
    """``perth shellperf bench-fn``: per-call microseconds."""
    data = {"shell": shell, "rc": rc, "calls": calls, "batches": batches,
            "functions": [t.to_json() for t in timings]}
    rows = [(t.name, ms(t.per_call_us.median), ms(t.per_call_us.min), ms(t.per_call_us.max),
             ms(t.per_call_us.rsd), t.missing) for t in timings]
    return Document("perth.shellperf.bench_fn.v1", data, title=f"Per-call time ({shell}, {calls} calls x {batches})",
                    blocks=[Table(("function", "median us", "min us", "max us", "rsd %", "missing"), rows),
                            Note("_perth_bench_empty is an empty function: the loop's own cost per call.")])
