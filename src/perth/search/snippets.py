"""Snippets: the part of a text around the query's matches, matches marked ``**like this**``.

A match is a token of the text (an alphanumeric run, as the index splits words) that equals a query
word or starts with a query prefix, compared lower-cased.  Only the first match and the window around
it are looked at, so a snippet of a long document (a journal session of thousands of words) costs
about as much as one of a short command.
"""

from __future__ import annotations

import functools
import re

WIDTH = 160
_TOKEN = re.compile(r"[^\W_]+")
#: Tokens are read this far beyond the window, so a token cut by the window's edge is never taken for a
#: whole one (its cut piece touches the reading's edge, outside the window).
_MARGIN = 64


def _is_match(word: str, exact: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    lowered = word.lower()
    return lowered in exact or any(lowered.startswith(p) for p in prefixes)


@functools.lru_cache(maxsize=64)
def _candidates(exact: tuple[str, ...], prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    """Tokens that may match (case-insensitively); each is confirmed by :func:`_is_match`."""
    options = [re.escape(w) + r"(?![^\W_])" for w in exact] + [re.escape(p) for p in prefixes]
    if not options:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(options) + ")", re.IGNORECASE)


def _first_match(text: str, exact: tuple[str, ...], prefixes: tuple[str, ...]) -> int | None:
    """Where the first matching token starts."""
    pattern = _candidates(exact, prefixes)
    if pattern is None:
        return None
    for found in pattern.finditer(text):
        token = _TOKEN.match(text, found.start())
        if token is not None and _is_match(token.group(), exact, prefixes):
            return found.start()
    # IGNORECASE and lower() disagree on a few letters (e.g. a dotted capital I): read every token then
    return next((m.start() for m in _TOKEN.finditer(text) if _is_match(m.group(), exact, prefixes)), None)


def _matches(text: str, start: int, end: int, exact: tuple[str, ...],
             prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character ranges of the matching tokens lying wholly inside ``text[start:end]``."""
    low = max(0, start - _MARGIN)
    return [(low + m.start(), low + m.end()) for m in _TOKEN.finditer(text[low:end + _MARGIN])
            if low + m.start() >= start and low + m.end() <= end and _is_match(m.group(), exact, prefixes)]


def snippet(text: str, exact: tuple[str, ...], prefixes: tuple[str, ...] = (),
            width: int = WIDTH) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``(marked snippet, highlight ranges in the unmarked snippet)``; one line, at most ``width`` chars."""
    flat = " ".join(text.split())
    start = 0
    if len(flat) > width:
        first = _first_match(flat, exact, prefixes)
        if first is not None:
            start = max(0, min(first - width // 4, len(flat) - width))
    end = min(len(flat), start + width)
    window = flat[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(flat) else ""
    inside = [(s - start + len(lead), e - start + len(lead)) for s, e in _matches(flat, start, end, exact, prefixes)]
    plain = lead + window + tail
    marked, cursor = [], 0
    for s, e in inside:
        marked += [plain[cursor:s], "**", plain[s:e], "**"]
        cursor = e
    marked.append(plain[cursor:])
    return "".join(marked), tuple(inside)
