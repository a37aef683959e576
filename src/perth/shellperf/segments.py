"""``SEGMENT`` lines written by the instrumentation library, and the lifecycle checks on them.

A line reads ``SEGMENT name=<name> ms=<milliseconds> phase=<phase> [at=<epoch seconds>]``.  Lifecycle
markers (``pre_plugin_total``, ``post_plugin_total``, ``prompt_ready``, ``deferred_total``) are
milliseconds since the library was sourced and count once (the first line wins); other segments
that run several times in one start are summed.  Values are ``native`` (the shell's own clock);
the gaps between markers are ``derived``.  Lines that do not parse are counted, never guessed.
"""

from __future__ import annotations

import re

from perth.record import Record
from perth.shellperf.records import Measurement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from perth.shellperf.records import Sample

LIFECYCLE: tuple[str, ...] = ("pre_plugin_total", "post_plugin_total", "prompt_ready", "deferred_total")
MONOTONIC_ORDER: tuple[str, ...] = LIFECYCLE[:3]
DERIVED: tuple[tuple[str, str, str], ...] = (
    ("plugin_load", "pre_plugin_total", "post_plugin_total"),
    ("prompt_setup", "post_plugin_total", "prompt_ready"),
)
_LINE = re.compile(r"^SEGMENT name=(?P<name>[A-Za-z0-9_.:/-]{1,64}) ms=(?P<ms>-?\d+(?:[.,]\d+)?)"
                   r" phase=(?P<phase>[A-Za-z0-9_.:-]{1,32})(?: at=(?P<at>\d+(?:[.,]\d+)?))?\s*$")


class SegmentLog(Record):
    """The segments of one sample, their phases, and how many lines were malformed."""

    values: Mapping[str, float]
    phases: Mapping[str, str]
    malformed: int = 0


def parse_segment_lines(lines: Iterable[str]) -> SegmentLog:
    """Parse ``SEGMENT`` lines (other lines are ignored; malformed ``SEGMENT`` lines are counted)."""
    values: dict[str, float] = {}
    phases: dict[str, str] = {}
    malformed = 0
    for line in lines:
        if not line.startswith("SEGMENT"):
            continue
        match = _LINE.match(line.rstrip("\n"))
        if match is None:
            malformed += 1
            continue
        name, ms = match.group("name"), float(match.group("ms").replace(",", "."))
        if name in LIFECYCLE:
            values.setdefault(name, ms)
        else:
            values[name] = values.get(name, 0.0) + ms
        phases.setdefault(name, match.group("phase"))
    return SegmentLog(values=values, phases=phases, malformed=malformed)


def read_segment_log(path: str) -> SegmentLog:
    """Parse the segment file of one sample (absent file: no segments)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return parse_segment_lines(handle)
    except FileNotFoundError:
        return SegmentLog(values={}, phases={})


def segment_measurements(log: SegmentLog) -> dict[str, Measurement]:
    """Native values plus the derived gaps between lifecycle markers that are both present."""
    found = {name: Measurement.native(ms) for name, ms in log.values.items()}
    for name, start, end in DERIVED:
        if start in log.values and end in log.values:
            found[name] = Measurement.derived(log.values[end] - log.values[start], f"{end} - {start}")
    return found


def monotonic(values: Mapping[str, Measurement]) -> bool | None:
    """pre_plugin_total <= post_plugin_total <= prompt_ready over the markers present (two needed)."""
    seen = [values[n].value for n in MONOTONIC_ORDER if n in values and values[n].value is not None]
    if len(seen) < 2:
        return None
    from itertools import pairwise

    return all(a is not None and b is not None and a <= b for a, b in pairwise(seen))


def expected_segments(samples: Sequence[Sample]) -> tuple[str, ...]:
    """Segments any counted sample reported, plus ``prompt_ready`` when the library was loaded."""
    names: dict[str, None] = {}
    for sample in samples:
        if not sample.warmup:
            names.update(dict.fromkeys(sample.segments))
    if names and "prompt_ready" not in names:
        names["prompt_ready"] = None
    return tuple(names)


def fill_missing_segments(samples: Sequence[Sample]) -> list[Sample]:
    """Mark segments that other samples reported but this one did not as missing (never filled in)."""
    from perth.record import replace

    expected = expected_segments(samples)
    completed = []
    for sample in samples:
        absent = [name for name in expected if name not in sample.segments]
        if not absent or sample.warmup:
            completed.append(sample)
            continue
        reason = {"prompt_ready": "the library's first-prompt hook did not run (was its hook overwritten?)",
                  **{name: f"derived from {end} - {start}, one of which is missing" for name, start, end in DERIVED}}
        extra = {name: Measurement.missing(reason.get(name, "not reported in this sample")) for name in absent}
        completed.append(replace(sample, segments={**sample.segments, **extra}))
    return completed
