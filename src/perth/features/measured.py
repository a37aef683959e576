"""What the latest recorded ``perth shellperf`` run measured of each feature (segments by name).

The loader times every feature as a segment named after it, so a run of a configuration that
sources the loader carries one segment per feature; budgets are checked against their medians.
"""

from __future__ import annotations

from perth.record import EMPTY_MAP, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from perth.features.model import Feature
    from perth.runtime import Runtime
    from perth.shellperf.records import Run


class Measured(Record):
    """Median milliseconds per feature in one recorded run (``run_id`` is empty when there is none)."""

    run_id: str = ""
    scope: str = ""
    created_at: int = 0
    medians: Mapping[str, float] = EMPTY_MAP  # type: ignore[assignment]


class BudgetCheck(Record):
    """One feature's budget against its measured median."""

    name: str
    budget_ms: float | None
    measured_ms: float | None
    status: str  # ok | over | unmeasured | no budget

    def to_json(self) -> dict[str, object]:
        """The check as JSON."""
        return {"name": self.name, "budget_ms": self.budget_ms, "measured_ms": self.measured_ms,
                "status": self.status}


def latest_recorded_run(rt: Runtime, scope: str | None) -> Run | None:
    """The newest run in the shellperf ledger (of ``scope`` when given): the only read of the ledger."""
    entries = rt.store.shellperf.list_runs(scope=scope, limit=1)
    return entries[0].run if entries else None


def medians_of(run: Run | None, names: Iterable[str]) -> Measured:
    """The median of each named segment the run measured."""
    if run is None:
        return Measured()
    from perth.shellperf.analysis import segment_stats

    wanted = set(names)
    medians = {name: s.median for name, s in segment_stats(run).items() if name in wanted and s.median is not None}
    return Measured(run_id=run.id, scope=run.scope, created_at=run.created_at, medians=medians)


def budget_checks(features: Iterable[Feature], measured: Measured) -> list[BudgetCheck]:
    """Each feature's budget status, in the given order."""
    checks: list[BudgetCheck] = []
    for feature in features:
        value = measured.medians.get(feature.name)
        if feature.budget_ms is None:
            status = "no budget"
        elif value is None:
            status = "unmeasured"
        else:
            status = "over" if value > feature.budget_ms else "ok"
        checks.append(BudgetCheck(feature.name, feature.budget_ms, value, status))
    return checks
