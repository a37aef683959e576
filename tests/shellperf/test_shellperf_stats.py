"""Statistics and the classifier: exact values, and properties that must hold for any data."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.shellperf.compare import classify
from perth.shellperf.settings import Thresholds
from perth.shellperf.stats import describe, modified_z_scores, percentile

values = st.lists(st.floats(min_value=0.01, max_value=10_000, allow_nan=False), min_size=1, max_size=40)


def test_known_values() -> None:
    stats = describe([10.0, 12.0, 11.0, 13.0, 100.0, None])
    assert stats.n == 5 and stats.missing == 1
    assert stats.min == 10.0 and stats.max == 100.0 and stats.median == 12.0 and stats.p50 == 12.0
    assert stats.mean == pytest.approx(29.2)
    assert stats.stddev == pytest.approx(statistics.stdev([10, 12, 11, 13, 100]))
    assert stats.mad == 1.0
    assert stats.outliers == (4,)  # sample index of the 100 ms start; it is kept in every statistic
    assert stats.mean_without_outliers == pytest.approx(11.5)
    assert stats.p90 == pytest.approx(65.2) and stats.p95 == pytest.approx(82.6)  # 13 + 0.6 * 87, 13 + 0.8 * 87


def test_all_missing_gives_no_numbers() -> None:
    stats = describe([None, None])
    assert stats.n == 0 and stats.missing == 2 and stats.median is None and stats.mean is None


def test_zero_mad_falls_back_to_mean_absolute_deviation() -> None:
    assert describe([5.0, 5.0, 5.0, 5.0, 9.0]).outliers == (4,)
    assert describe([5.0, 5.0, 5.0]).outliers == ()


@given(values)
def test_order_and_bounds(data: list[float]) -> None:
    stats = describe(data)
    assert stats.n == len(data) and stats.missing == 0
    assert stats.min is not None and stats.max is not None and stats.mean is not None
    assert stats.min <= stats.p50 <= stats.p90 <= stats.p95 <= stats.max  # type: ignore[operator]
    assert stats.median == stats.p50
    assert stats.min - 1e-9 <= stats.mean <= stats.max + 1e-9
    assert stats.stddev is not None and stats.stddev >= 0 and stats.mad is not None and stats.mad >= 0
    assert stats.rsd is not None and stats.rsd >= 0
    assert stats.mean_without_outliers is not None
    assert stats.min - 1e-9 <= stats.mean_without_outliers <= stats.max + 1e-9


@given(values, st.randoms())
def test_permutation_invariant(data: list[float], rng) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(data)
    rng.shuffle(shuffled)
    a, b = describe(data), describe(shuffled)
    for field in ("min", "median", "p90", "p95", "max", "mad"):
        assert getattr(a, field) == getattr(b, field)
    assert len(a.outliers) == len(b.outliers)


@given(values, st.floats(min_value=0.1, max_value=100))
def test_scale_equivariant(data: list[float], factor: float) -> None:
    a, b = describe(data), describe([v * factor for v in data])
    assert b.median == pytest.approx(a.median * factor, rel=1e-9)  # type: ignore[operator]
    assert b.rsd == pytest.approx(a.rsd, rel=1e-6, abs=1e-6)
    assert len(a.outliers) == len(b.outliers)


@given(values)
def test_missing_values_never_enter_a_statistic(data: list[float]) -> None:
    with_gaps = [v for value in data for v in (value, None)]
    a, b = describe(data), describe(with_gaps)
    assert (b.n, b.missing) == (len(data), len(data))
    assert a.median == b.median and a.mean == b.mean


def test_percentile_interpolates_linearly() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([7.0], 95) == 7.0


@given(values)
def test_modified_z_scores_center_on_median(data: list[float]) -> None:
    scores = modified_z_scores(data)
    assert len(scores) == len(data) and all(math.isfinite(z) for z in scores)


THRESHOLDS = Thresholds(warn_percent=10, fail_percent=25, floor_ms=1, noise_factor=3)


def _pair(base: list[float], current: list[float], thresholds: Thresholds = THRESHOLDS) -> str:
    return classify("first_prompt_ms", "metric", describe(base), describe(current), thresholds).classification


def test_thresholds_classify_slower_medians() -> None:
    base = [100.0, 100.2, 99.8, 100.1, 99.9]
    assert _pair(base, [v + 5 for v in base]) == "OK"
    assert _pair(base, [v + 15 for v in base]) == "WARN"
    assert _pair(base, [v + 30 for v in base]) == "FAIL"
    assert _pair(base, [v - 30 for v in base]) == "OK"


def test_a_fraction_of_a_millisecond_is_never_a_regression() -> None:
    base = [1.0, 1.0, 1.0]
    row = classify("command_lag_ms", "metric", describe(base), describe([1.2, 1.2, 1.2]), THRESHOLDS)
    assert row.classification == "OK" and "floor" in row.reason  # +20% but only 0.2 ms


def test_noise_hides_deltas_within_three_mads() -> None:
    base = [100.0, 110.0, 90.0, 105.0, 95.0]  # MAD 5 ms: noise 15 ms
    row = classify("first_prompt_ms", "metric", describe(base), describe([v + 12 for v in base]), THRESHOLDS)
    assert row.classification == "OK" and "noise" in row.reason  # +12% is inside the noise


def test_missing_side_is_missing() -> None:
    assert _pair([10.0], []) == "MISSING"


@settings(max_examples=200)
@given(st.lists(st.floats(min_value=1, max_value=500), min_size=3, max_size=12),
       st.floats(min_value=-50, max_value=200), st.floats(min_value=0, max_value=20),
       st.floats(min_value=0, max_value=5))
def test_classifier_properties(base: list[float], shift: float, floor: float, noise_factor: float) -> None:
    thresholds = Thresholds(warn_percent=10, fail_percent=25, floor_ms=floor, noise_factor=noise_factor)
    current = [max(0.0, v + shift) for v in base]
    row = classify("m", "metric", describe(base), describe(current), thresholds)
    assert row.classification in ("OK", "WARN", "FAIL")
    assert row.delta_ms is not None and row.noise_ms is not None
    if row.classification != "OK":
        assert row.delta_ms > floor and row.delta_ms > row.noise_ms and row.delta_ms > 0
        assert row.delta_percent is None or row.delta_percent > 10
    if row.classification == "FAIL":
        assert row.delta_percent is None or row.delta_percent > 25
    stricter = Thresholds(warn_percent=10, fail_percent=25, floor_ms=floor + 1000, noise_factor=noise_factor)
    assert classify("m", "metric", describe(base), describe(current), stricter).classification == "OK"
