"""Secret regions and placeholders: the vocabulary the engine and the line scans share.

A :class:`Region` is a span to replace and the rule that labels it; overlapping candidates are
merged into regions labelled with the most specific rule (:func:`merge`), and :func:`apply`
replaces them with ``[REDACTED:<rule-id>]``.  This module sits below the engine and the line
scans (``perth.redact.lines``), so neither has to import the other's internals.
"""

from __future__ import annotations

from perth.record import Record
from perth.redact.redacted import REDACTION_PREFIX

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Sequence
    from typing import TypeAlias

    #: What a first pass over a text considered (``Engine.first_pass``): the rules owning a
    #: keyword of the text, and those of them whose gate passed (positions in ``GATES``).
    Gated: TypeAlias = tuple[tuple[int, ...], list[int]]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PLACEHOLDER_PATTERN = r"\[REDACTED:[a-z0-9-]{1,64}\]"
#: Text up to this size is matched as a whole; longer text line by line.
SHORT_TEXT = 4096


class Region(Record):
    """A span of text to replace, and the rule that labels it."""

    start: int
    end: int
    rule_id: str


class Candidate:
    """A match before overlaps are resolved (mutable while merging)."""

    __slots__ = ("end", "order", "priority", "rule_id", "start")

    def __init__(self, start: int, end: int, priority: int, order: int, rule_id: str) -> None:
        self.start = start
        self.end = end
        self.priority = priority
        self.order = order
        self.rule_id = rule_id


def lower(text: str) -> str:
    """Lowercase ``text`` keeping every character at its offset."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def ascii_lower(text: str) -> str:
    """``text`` with its ASCII letters lowercased, and nothing else changed."""
    return text.translate(_ASCII_LOWER)


def placeholder(rule_id: str) -> str:
    """The text that replaces a secret found by ``rule_id``."""
    return f"{REDACTION_PREFIX}{rule_id}]"


_PATTERNS: dict[str, re.Pattern[str]] = {}


def placeholder_regex() -> re.Pattern[str]:
    """The compiled placeholder pattern (compiled on first use)."""
    found = _PATTERNS.get("placeholder")
    if found is None:
        import re

        found = _PATTERNS["placeholder"] = re.compile(_PLACEHOLDER_PATTERN)
    return found


def merge(found: list[Candidate]) -> list[Region]:
    """Merge overlapping candidates; each region takes the label of its best candidate
    (higher priority, then the earlier rule)."""
    found.sort(key=lambda c: (c.start, -c.end))
    merged: list[Candidate] = []
    for cand in found:
        if merged and cand.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, cand.end)
            if (cand.priority, -cand.order) > (last.priority, -last.order):
                last.priority, last.order, last.rule_id = cand.priority, cand.order, cand.rule_id
        else:
            merged.append(Candidate(cand.start, cand.end, cand.priority, cand.order, cand.rule_id))
    return [Region(c.start, c.end, c.rule_id) for c in merged]


def apply(text: str, regions: Sequence[Region]) -> str:
    """``text`` with every region replaced by its placeholder."""
    if not regions:
        return text
    parts = []
    position = 0
    for region in regions:
        parts.append(text[position:region.start])
        parts.append(placeholder(region.rule_id))
        position = region.end
    parts.append(text[position:])
    return "".join(parts)


__all__ = ["SHORT_TEXT", "Candidate", "Region", "apply", "ascii_lower", "lower", "merge", "placeholder",
           "placeholder_regex"]
