"""Absolute budgets per metric (``first_prompt_ms=50``) and per segment (``segment:plugins=30``).

A run is within a budget when the metric's median is at or below it; ``over`` otherwise; a budget
whose metric was not measured is ``missing`` (never counted as within).  Interim and final
budgets are both reported; the configured stage is the one that gates.
"""

from __future__ import annotations

from perth.record import Record
from perth.shellperf.analysis import metric_stats, segment_stats

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from perth.shellperf.records import Run

SEGMENT_PREFIX = "segment:"


class BudgetCheck(Record):
    """One budget and where the run stands against it."""

    name: str
    stage: str
    limit_ms: float
    value_ms: float | None
    status: str

    @property
    def over(self) -> bool:
        """Whether the median exceeds the budget."""
        return self.status == "over"

    def to_json(self) -> dict[str, Any]:
        """One row of ``budgets``."""
        return {"name": self.name, "stage": self.stage, "limit_ms": self.limit_ms,
                "value_ms": None if self.value_ms is None else round(self.value_ms, 3), "status": self.status}


def check_budgets(run: Run, budgets: Mapping[str, float], stage: str) -> list[BudgetCheck]:
    """The run's medians against one stage's budgets."""
    metrics = metric_stats(run)
    segments = segment_stats(run)
    checks = []
    for name, limit in budgets.items():
        if name.startswith(SEGMENT_PREFIX):
            stats = segments.get(name.removeprefix(SEGMENT_PREFIX))
        else:
            stats = metrics.get(name)
        value = None if stats is None else stats.median
        status = "missing" if value is None else ("over" if value > limit else "within")
        checks.append(BudgetCheck(name=name, stage=stage, limit_ms=limit, value_ms=value, status=status))
    return checks


def over_budget_count(checks: list[BudgetCheck]) -> int:
    """How many budgets are exceeded."""
    return sum(1 for check in checks if check.over)
