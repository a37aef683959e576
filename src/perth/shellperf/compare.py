"""Per-metric deltas against a baseline, classified OK / WARN / FAIL.

The centre of each side is its median.  A slower median is WARN above ``warn_percent`` and FAIL
above ``fail_percent`` — but only when the delta also exceeds the absolute floor (``floor_ms``)
*and* the noise, ``noise_factor`` times the larger MAD of the two sides.  A faster median is OK.
A side with no value is MISSING.  So a 0.2 ms change is never a regression.
"""

from __future__ import annotations

from perth.record import Record
from perth.shellperf.analysis import metric_stats, segment_stats

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.shellperf.records import Run
    from perth.shellperf.settings import Thresholds
    from perth.shellperf.stats import Stats


class Delta(Record):
    """One metric or segment compared with its baseline."""

    name: str
    kind: str
    baseline_ms: float | None
    current_ms: float | None
    delta_ms: float | None
    delta_percent: float | None
    noise_ms: float | None
    classification: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """One row of ``comparison.deltas``."""
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {"name": self.name, "kind": self.kind, "baseline_ms": r(self.baseline_ms),
                "current_ms": r(self.current_ms), "delta_ms": r(self.delta_ms),
                "delta_percent": r(self.delta_percent), "noise_ms": r(self.noise_ms),
                "classification": self.classification, "reason": self.reason}


def classify(name: str, kind: str, base: Stats, current: Stats, thresholds: Thresholds) -> Delta:
    """Compare two summaries of the same metric."""
    if base.median is None or current.median is None:
        side = "baseline" if base.median is None else "current run"
        return Delta(name, kind, base.median, current.median, None, None, None, "MISSING", f"no value in the {side}")
    delta = current.median - base.median
    percent = 100 * delta / base.median if base.median > 0 else None
    noise = thresholds.noise_factor * max(base.mad or 0.0, current.mad or 0.0)
    row = Delta(name, kind, base.median, current.median, delta, percent, noise, "OK", "")
    return _classified(row, delta, percent, noise, thresholds)


def _classified(row: Delta, delta: float, percent: float | None, noise: float, thresholds: Thresholds) -> Delta:
    from perth.record import replace

    if delta <= 0:
        return replace(row, reason="faster or equal" if delta < 0 else "unchanged")
    if delta <= thresholds.floor_ms:
        return replace(row, reason=f"within the {thresholds.floor_ms:g} ms floor")
    if delta <= noise:
        return replace(row, reason=f"within the noise ({thresholds.noise_factor:g} x MAD = {noise:.3f} ms)")
    share = float("inf") if percent is None else percent
    if share > thresholds.fail_percent:
        return replace(row, classification="FAIL", reason=f"slower by more than {thresholds.fail_percent:g}%")
    if share > thresholds.warn_percent:
        return replace(row, classification="WARN", reason=f"slower by more than {thresholds.warn_percent:g}%")
    return replace(row, reason=f"slower, but within {thresholds.warn_percent:g}%")


def compare_runs(baseline: Run, current: Run, thresholds: Thresholds) -> list[Delta]:
    """Every metric, then every segment of the baseline, compared."""
    rows: list[Delta] = []
    for kind, before, after in (("metric", metric_stats(baseline), metric_stats(current)),
                                ("segment", segment_stats(baseline), segment_stats(current))):
        for name, stats in before.items():
            other = after.get(name)
            if other is None:
                from perth.shellperf.stats import Stats

                other = Stats(n=0, missing=0)
            rows.append(classify(name, kind, stats, other, thresholds))
    return rows


def worst(deltas: list[Delta]) -> str:
    """The most severe classification among deltas (FAIL > WARN > MISSING > OK); OK when empty."""
    for level in ("FAIL", "WARN", "MISSING"):
        if any(d.classification == level for d in deltas):
            return level
    return "OK"
