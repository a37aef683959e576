"""Governance: what a run means for the exit code, and which mode the history recommends.

Modes: ``observe`` (report, exit 0), ``warn`` (exit 0, warnings), ``gate`` (exit 5 on a FAIL delta
or an exceeded budget of the gating stage), ``auto`` (the recommended mode).

The recommendation comes from streaks kept per scope.  A run is *stable* when it is complete and
every primary metric's RSD is at most ``stable_rsd_percent`` (or its standard deviation is within
the absolute floor); it is *clean* when it is stable, no delta is WARN or FAIL and no budget is
exceeded.  ``stable_runs`` stable runs in a row recommend ``warn``; then ``clean_runs`` clean runs
in a row recommend ``gate``.  An unstable run resets both streaks and the recommendation to
``observe``.

Profiles: ``explore`` is ephemeral (nothing recorded, streaks untouched); ``streak`` records
partial runs, marked, without moving the streaks; ``governance`` and ``ci`` are strict: a partial
run's verdict is FAIL and it resets the streaks.
"""

from __future__ import annotations

from perth.errors import ExitCode
from perth.record import Record, replace
from perth.shellperf.analysis import metric_stats
from perth.shellperf.budgets import over_budget_count
from perth.shellperf.compare import worst
from perth.shellperf.records import PRIMARY_METRICS, GovernanceState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.shellperf.budgets import BudgetCheck
    from perth.shellperf.compare import Delta
    from perth.shellperf.records import Run
    from perth.shellperf.settings import ShellperfSettings

STRICT_PROFILES: tuple[str, ...] = ("governance", "ci")


class Assessment(Record):
    """The verdict on one run and what it did to the scope's governance state."""

    run_id: str
    scope: str
    profile: str
    configured_mode: str
    mode: str
    verdict: str
    exit_code: int
    reasons: tuple[str, ...]
    baseline: str | None
    deltas: tuple[Delta, ...]
    budgets: tuple[BudgetCheck, ...]
    state: GovernanceState

    def to_json(self) -> dict[str, Any]:
        """``assessment`` of the run view and the ``perth.shellperf.governance.v1`` verdict part."""
        return {"run_id": self.run_id, "scope": self.scope, "profile": self.profile,
                "configured_mode": self.configured_mode, "mode": self.mode, "verdict": self.verdict,
                "exit_code": self.exit_code, "reasons": list(self.reasons), "baseline": self.baseline,
                "deltas": [d.to_json() for d in self.deltas], "budgets": [b.to_json() for b in self.budgets],
                "over_budget": over_budget_count(list(self.budgets)), "governance": self.state.to_json()}


def stability(run: Run, settings: ShellperfSettings) -> tuple[bool, str]:
    """Whether the run is stable, and why not."""
    if run.partial:
        return False, "partial run (a value is missing)"
    for name, stats in metric_stats(run).items():
        if name not in PRIMARY_METRICS or stats.rsd is None or stats.stddev is None:
            continue
        if stats.rsd > settings.stable_rsd_percent and stats.stddev > settings.thresholds.floor_ms:
            return False, f"{name} RSD {stats.rsd:.1f}% > {settings.stable_rsd_percent:g}%"
    return True, "stable"


def advance(state: GovernanceState, run: Run, clean: bool, settings: ShellperfSettings) -> GovernanceState:
    """The scope's streaks after ``run`` (``clean``: no WARN/FAIL delta, no exceeded budget)."""
    if run.profile == "explore":
        return state
    seen = replace(state, runs_seen=state.runs_seen + 1, last_run_id=run.id, updated_at=run.created_at)
    if run.partial and run.profile not in STRICT_PROFILES:
        return replace(seen, reason="partial run tolerated by the streak profile: streaks unchanged")
    stable, why = stability(run, settings)
    if not stable:
        return replace(seen, recommended="observe", stable_streak=0, clean_streak=0, reason=f"reset: {why}")
    seen = replace(seen, stable_streak=state.stable_streak + 1)
    if state.recommended == "observe":
        return _towards_warn(seen, settings)
    return _towards_gate(seen, clean, settings)


def _towards_warn(state: GovernanceState, settings: ShellperfSettings) -> GovernanceState:
    streak = state.stable_streak
    if streak >= settings.stable_runs:
        return replace(state, recommended="warn", clean_streak=0,
                       reason=f"{streak} stable run(s) in a row: warn recommended")
    return replace(state, reason=f"{streak} of {settings.stable_runs} stable run(s)")


def _towards_gate(state: GovernanceState, clean: bool, settings: ShellperfSettings) -> GovernanceState:
    clean_streak = state.clean_streak + 1 if clean else 0
    if state.recommended == "warn" and clean_streak >= settings.clean_runs:
        return replace(state, recommended="gate", clean_streak=clean_streak,
                       reason=f"{clean_streak} clean run(s) under warn: gate recommended")
    note = f"{clean_streak} of {settings.clean_runs} clean run(s)" if clean else "not clean: clean streak reset"
    return replace(state, clean_streak=clean_streak, reason=note)


def _verdict(run: Run, deltas: list[Delta], budgets: list[BudgetCheck]) -> tuple[str, list[str]]:
    reasons = [f"{d.name}: {d.classification} ({d.reason})" for d in deltas if d.classification in ("FAIL", "WARN")]
    reasons += [f"{b.name}: {b.value_ms:.1f} ms over the {b.stage} budget of {b.limit_ms:g} ms"
                for b in budgets if b.over and b.value_ms is not None]
    strict_partial = run.partial and run.profile in STRICT_PROFILES
    if strict_partial:
        reasons.append(f"partial run under the strict {run.profile} profile")
    level = worst(deltas)
    if level == "FAIL" or over_budget_count(budgets) or strict_partial:
        return "FAIL", reasons
    return ("WARN" if level == "WARN" else "OK"), reasons


def assess(run: Run, deltas: list[Delta], budgets: list[BudgetCheck], *, state: GovernanceState,
           settings: ShellperfSettings, baseline: str | None) -> Assessment:
    """Verdict, exit code and the scope's next governance state."""
    verdict, reasons = _verdict(run, deltas, budgets)
    mode = state.recommended if settings.mode == "auto" else settings.mode
    code = ExitCode.GATE_FAILED if mode == "gate" and verdict == "FAIL" else ExitCode.OK
    clean = verdict == "OK" and worst(deltas) != "MISSING"
    return Assessment(run_id=run.id, scope=run.scope, profile=run.profile, configured_mode=settings.mode,
                      mode=mode, verdict=verdict, exit_code=code, reasons=tuple(reasons), baseline=baseline,
                      deltas=tuple(deltas), budgets=tuple(budgets), state=advance(state, run, clean, settings))
