"""Line scans: which lines of a long text or of a batch of lines may hold a secret.

One scan of a whole block finds the lines that may hold a secret (:func:`flagged`): with
google-re2, the first position on each line where a rule's trigger matches; without it, every
keyword occurrence (pure-Python index); plus the matches of the user's patterns.  Only those
lines are matched, each exactly as ``SecretFilter.redact_lines`` matches it, so the output is
the same as line by line.  The engine calls these with itself (a :class:`LineMatcher`); this
module never imports it.  Loaded on first use: the ``perth log`` hot path never needs it.
"""

from __future__ import annotations

from perth.redact.keywords import KEYWORDS
from perth.redact.regions import SHORT_TEXT, Candidate, Region, lower, merge

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Collection, Sequence
    from typing import Protocol

    from perth.redact.regions import Gated
    from perth.redact.table import RuleTable

    class CustomRule(Protocol):
        """A user pattern, as the scans see it."""

        @property
        def regex(self) -> re.Pattern[str]: ...

    class LineMatcher(Protocol):
        """What the scans need of the engine."""

        @property
        def table(self) -> RuleTable: ...

        @property
        def custom(self) -> Sequence[CustomRule]: ...

        def first_pass(self, text: str, keywords: Collection[str] | None = None,
                       ) -> tuple[list[Region], Gated | None]: ...

        def priority(self, rule_id: str) -> int: ...


def long_regions(engine: LineMatcher, text: str) -> list[Region]:
    """The merged regions of a text too long to match as a whole: line by line, plus the
    private-key blocks (which may span lines)."""
    lines = text.split("\n")
    per_line = line_regions(engine, lines)
    starts = _starts(lines)
    found = [Region(starts[i] + r.start, starts[i] + r.end, r.rule_id)
             for i, regions in per_line.items() for r in regions]
    if "private key" in lower(text):
        from perth.redact import pem

        found += [Region(s, e, "pem-private-key") for s, e in pem.find_blocks(text)]
    return merge([Candidate(r.start, r.end, engine.priority(r.rule_id), 0, r.rule_id) for r in found])


def line_regions(engine: LineMatcher, lines: Sequence[str]) -> dict[int, list[Region]]:
    """Regions per line index, for the lines that have any (key blocks aside)."""
    return {index: regions for index, (regions, _gated) in line_passes(engine, lines).items()}


def line_passes(engine: LineMatcher, lines: Sequence[str]) -> dict[int, tuple[list[Region], Gated | None]]:
    """``Engine.first_pass`` per line index, for the lines that have regions (key blocks aside)."""
    result: dict[int, tuple[list[Region], Gated | None]] = {}
    for index, keywords in flagged_lines(engine, lines).items():
        regions, gated = engine.first_pass(lines[index], keywords)
        if regions:
            result[index] = (regions, gated)
    return result


def flagged_lines(engine: LineMatcher, lines: Sequence[str]) -> dict[int, set[str] | None]:
    """The indices of the lines that may hold a secret, in increasing order, each with the
    keywords it holds when the scan tells (else ``None``): every line where
    ``Engine.first_pass`` finds anything is one (key blocks aside)."""
    from bisect import bisect_right
    from itertools import repeat

    joined = "\n".join(lines)
    inner_breaks = joined.count("\n") - (len(lines) - 1) - sum(map(str.endswith, lines, repeat("\n")))
    starts = _starts(lines)
    found: dict[int, set[str] | None] = {}
    for position, keyword in _hits(engine, joined, by_line=inner_breaks == 0):
        index = bisect_right(starts, position) - 1
        found[index] = _noted(found.get(index, set()), keyword)
    return {index: found[index] for index in sorted(found)}


def flagged(engine: LineMatcher, text: str) -> list[tuple[int, int, set[str] | None]]:
    """``(start, end, keywords)`` of the lines of ``text`` (each ending after its ``\\n``) that
    may hold a secret, in order: every line where ``Engine.whole_regions`` finds anything is
    one.  ``keywords`` are those the line holds, when the scan tells (else ``None``)."""
    from operator import itemgetter

    spans: list[tuple[int, int, set[str] | None]] = []
    start, end = 0, 0
    keywords: set[str] | None = None
    for position, keyword in sorted(_hits(engine, text, by_line=True), key=itemgetter(0)):
        if position >= end:
            if end:
                spans.append((start, end, keywords))
            start = text.rfind("\n", 0, position) + 1
            end = text.find("\n", position) + 1 or len(text)
            keywords = set()
        keywords = _noted(keywords, keyword)
    if end:
        spans.append((start, end, keywords))
    return spans


def _hits(engine: LineMatcher, text: str, *, by_line: bool) -> list[tuple[int, str | None]]:
    """``(position, keyword)`` such that every line (or, unless ``by_line``, every item of a
    ``\\n``-joined batch) where a rule can match holds a position: each keyword occurrence, or
    with re2 (``by_line``) each trigger match (keyword ``None``: unknown); matches of the
    user's patterns come with keyword ``""``."""
    low = lower(text)
    hits: list[tuple[int, str | None]] = []
    starts = engine.table.line_starts(low) if by_line and len(low) > SHORT_TEXT else None
    if starts is not None:
        hits += ((start, None) for start in starts)
    elif len(low) > SHORT_TEXT:
        hits += engine.table.hits(low)
    else:
        hits += _keyword_hits(low)
    for custom in engine.custom:
        hits += ((match.start(), "") for match in custom.regex.finditer(text))
    return hits


def _keyword_hits(low: str) -> list[tuple[int, str | None]]:
    """Every keyword occurrence in a short lowercased text, by plain search."""
    hits: list[tuple[int, str | None]] = []
    for keyword in KEYWORDS:
        found = low.find(keyword)
        while found >= 0:
            hits.append((found, keyword))
            found = low.find(keyword, found + 1)
    return hits


def _noted(keywords: set[str] | None, keyword: str | None) -> set[str] | None:
    """A line's known keywords after one more hit (``None``: unknown, ``""``: not a keyword)."""
    if keywords is None or keyword is None:
        return None
    if keyword:
        keywords.add(keyword)
    return keywords


def _starts(lines: Sequence[str]) -> list[int]:
    """The offset of each line in ``"\\n".join(lines)``."""
    from itertools import accumulate
    from operator import add

    totals = accumulate(map(len, lines), initial=0)
    return list(map(add, totals, range(len(lines))))


__all__ = ["flagged", "flagged_lines", "line_passes", "line_regions", "long_regions"]
