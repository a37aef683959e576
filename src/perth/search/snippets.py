"""Snippets: the part of a text around the query's matches, matches marked ``**like this**``."""

from __future__ import annotations

import re

WIDTH = 160


def _matches(text: str, exact: tuple[str, ...], prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character ranges of the tokens of ``text`` that equal a query word or start with a prefix."""
    found = []
    for match in re.finditer(r"[^\W_]+", text):
        word = match.group().lower()
        if word in exact or any(word.startswith(p) for p in prefixes):
            found.append(match.span())
    return found


def snippet(text: str, exact: tuple[str, ...], prefixes: tuple[str, ...] = (),
            width: int = WIDTH) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``(marked snippet, highlight ranges in the unmarked snippet)``; one line, at most ``width`` chars."""
    flat = " ".join(text.split())
    spans = _matches(flat, exact, prefixes)
    start = 0
    if spans and len(flat) > width:
        start = max(0, min(spans[0][0] - width // 4, len(flat) - width))
    end = min(len(flat), start + width)
    window = flat[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(flat) else ""
    inside = [(s - start + len(lead), e - start + len(lead)) for s, e in spans if s >= start and e <= end]
    plain = lead + window + tail
    marked, cursor = [], 0
    for s, e in inside:
        marked += [plain[cursor:s], "**", plain[s:e], "**"]
        cursor = e
    marked.append(plain[cursor:])
    return "".join(marked), tuple(inside)
