"""Statistics of a run: per metric, per segment, and the lifecycle order of every sample."""

from __future__ import annotations

from perth.shellperf.records import METRICS
from perth.shellperf.stats import Stats, describe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.shellperf.records import Run


def metric_values(run: Run, name: str, *, segment: bool = False) -> list[float | None]:
    """One value per counted sample (``None`` where missing), in sample order."""
    values: list[float | None] = []
    for sample in run.measured:
        found = (sample.segments if segment else sample.metrics).get(name)
        values.append(None if found is None else found.value)
    return values


def metric_stats(run: Run) -> dict[str, Stats]:
    """Statistics of every metric the run measured."""
    names = [m for m in METRICS if any(m in s.metrics for s in run.measured)]
    return {name: describe(metric_values(run, name)) for name in names}


def segment_names(run: Run) -> list[str]:
    """Every segment reported by a counted sample, in first-seen order."""
    names: dict[str, None] = {}
    for sample in run.measured:
        names.update(dict.fromkeys(sample.segments))
    return list(names)


def segment_stats(run: Run) -> dict[str, Stats]:
    """Statistics of every segment."""
    return {name: describe(metric_values(run, name, segment=True)) for name in segment_names(run)}


def provenance_counts(run: Run) -> dict[str, dict[str, int]]:
    """For each metric and segment: how many samples were native, derived, missing."""
    counts: dict[str, dict[str, int]] = {}
    for sample in run.measured:
        for name, value in {**sample.metrics, **sample.segments}.items():
            slot = counts.setdefault(name, {"native": 0, "derived": 0, "missing": 0})
            slot[value.provenance] += 1
    return counts


def lifecycle_check(run: Run) -> dict[str, object]:
    """Samples where pre_plugin_total <= post_plugin_total <= prompt_ready held, failed, or was not checkable."""
    checked = [s for s in run.measured if s.monotonic is not None]
    return {"checked": len(checked), "violations": [s.index for s in checked if s.monotonic is False]}


def missing_reasons(run: Run) -> dict[str, list[str]]:
    """Why values are missing: name → distinct reasons."""
    reasons: dict[str, list[str]] = {}
    for sample in run.measured:
        for name, value in {**sample.metrics, **sample.segments}.items():
            if value.provenance == "missing" and value.reason not in reasons.get(name, []):
                reasons.setdefault(name, []).append(value.reason)
    return reasons
