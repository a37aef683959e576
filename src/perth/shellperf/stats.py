"""Descriptive statistics of one metric or segment over a run's samples.

Definitions (docs/shellperf.md repeats them):

- ``stddev`` is the sample standard deviation (n - 1; 0 for one value); ``rsd`` is
  ``100 * stddev / mean`` in percent (``None`` when the mean is 0).
- ``mad`` is the raw median absolute deviation ``median(|x - median|)`` (not scaled by 1.4826).
- ``p50``/``p90``/``p95`` interpolate linearly between order statistics (numpy's default).
- Outliers are flagged by the modified z-score ``0.6745 * (x - median) / MAD`` with
  ``|z| > 3.5`` (Iglewicz and Hoaglin).  When MAD is 0 the mean absolute deviation scaled by
  1.2533 stands in; when that is 0 too, nothing is an outlier.  Outliers are kept in every
  statistic; ``mean_without_outliers`` is reported beside the mean.
- Missing values are counted (``missing``) and never enter a statistic.
"""

from __future__ import annotations

import math

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

OUTLIER_Z = 3.5
_Z_SCALE = 0.6745
_MEAN_AD_SCALE = 1.253314


class Stats(Record):
    """Summary of the present values of one metric; all ``None`` when there is none."""

    n: int
    missing: int
    min: float | None = None
    median: float | None = None
    mean: float | None = None
    stddev: float | None = None
    rsd: float | None = None
    mad: float | None = None
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    max: float | None = None
    outliers: tuple[int, ...] = ()
    mean_without_outliers: float | None = None

    def to_json(self) -> dict[str, Any]:
        """Rounded to microseconds (3 decimals of a millisecond)."""
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {"n": self.n, "missing": self.missing, "min": r(self.min), "median": r(self.median),
                "mean": r(self.mean), "stddev": r(self.stddev), "rsd": r(self.rsd), "mad": r(self.mad),
                "p50": r(self.p50), "p90": r(self.p90), "p95": r(self.p95), "max": r(self.max),
                "outliers": list(self.outliers), "mean_without_outliers": r(self.mean_without_outliers)}


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of sorted values, linear interpolation."""
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return percentile(sorted(values), 50)


def stddev(values: Sequence[float], mean: float) -> float:
    """Sample standard deviation (0 for a single value)."""
    if len(values) < 2:
        return 0.0
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def mad(values: Sequence[float], center: float) -> float:
    """Raw median absolute deviation around ``center``."""
    return median([abs(v - center) for v in values])


def modified_z_scores(values: Sequence[float]) -> list[float]:
    """Modified z-score of each value (0 for all when the spread is 0)."""
    center = median(values)
    spread = mad(values, center)
    if spread > 0:
        return [_Z_SCALE * (v - center) / spread for v in values]
    mean_ad = math.fsum(abs(v - center) for v in values) / len(values)
    if mean_ad == 0:
        return [0.0] * len(values)
    return [(v - center) / (_MEAN_AD_SCALE * mean_ad) for v in values]


def outlier_positions(values: Sequence[float]) -> tuple[int, ...]:
    """Positions (into ``values``) whose modified z-score exceeds :data:`OUTLIER_Z`."""
    return tuple(i for i, z in enumerate(modified_z_scores(values)) if abs(z) > OUTLIER_Z)


def describe(values: Iterable[float | None]) -> Stats:
    """Statistics of the present values; ``None`` entries count as missing.

    ``outliers`` holds positions in the input sequence (sample order, missing ones included).
    """
    items = list(values)
    present = [(i, float(v)) for i, v in enumerate(items) if v is not None]
    if not present:
        return Stats(n=0, missing=len(items))
    data = [v for _, v in present]
    ordered = sorted(data)
    mean = math.fsum(data) / len(data)
    spread = stddev(data, mean)
    center = percentile(ordered, 50)
    flagged = outlier_positions(data)
    kept = [v for i, v in enumerate(data) if i not in flagged]
    return Stats(
        n=len(data), missing=len(items) - len(data), min=ordered[0], median=center, mean=mean, stddev=spread,
        rsd=100 * spread / mean if mean else None, mad=mad(data, center), p50=center,
        p90=percentile(ordered, 90), p95=percentile(ordered, 95), max=ordered[-1],
        outliers=tuple(present[i][0] for i in flagged),
        mean_without_outliers=math.fsum(kept) / len(kept) if kept else None,
    )
