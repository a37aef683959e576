"""Many lines at once: long texts, batches of lines, ``SecretFilter.redact_block`` and
``redact_stream``.

One scan of a whole block finds the lines that may hold a secret (:func:`flagged`): with
google-re2, the positions where a rule's trigger matches; without it, every keyword occurrence
(pure-Python index); plus the matches of the user's patterns.  Only those lines are matched,
each exactly as :meth:`SecretFilter.redact_lines` matches it, so the output is the same as line
by line.  A block holding ``PRIVATE KEY`` goes through the filter's line-wise key-block logic,
pulling the lines of the next blocks when a key runs past its block.  Loaded on first use: the
``perth log`` hot path never needs it.
"""

from __future__ import annotations

from collections import deque

from perth.redact.engine import SHORT_TEXT, Region, _Candidate, _merge, apply, lower
from perth.redact.filter import _block_opening, _collect_block, _redact_text
from perth.redact.keywords import KEYWORDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from perth.redact.engine import Engine
    from perth.redact.filter import SecretFilter


def long_regions(engine: Engine, text: str) -> list[Region]:
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
    return _merge([_Candidate(r.start, r.end, engine.priority(r.rule_id), 0, r.rule_id) for r in found])


def line_regions(engine: Engine, lines: Sequence[str]) -> dict[int, list[Region]]:
    """Regions per line index, for the lines that have any (key blocks aside)."""
    from bisect import bisect_right
    from itertools import repeat

    joined = "\n".join(lines)
    inner_breaks = joined.count("\n") - (len(lines) - 1) - sum(map(str.endswith, lines, repeat("\n")))
    starts = _starts(lines)
    found: dict[int, set[str] | None] = {}
    for position, keyword in _hits(engine, joined, by_line=inner_breaks == 0):
        index = bisect_right(starts, position) - 1
        found[index] = _noted(found.get(index, set()), keyword)
    result: dict[int, list[Region]] = {}
    for index in sorted(found):
        regions = engine.whole_regions(lines[index], found[index])
        if regions:
            result[index] = regions
    return result


def flagged(engine: Engine, text: str) -> list[tuple[int, int, set[str] | None]]:
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


def _hits(engine: Engine, text: str, *, by_line: bool) -> list[tuple[int, str | None]]:
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


def redact_chunks(secrets: SecretFilter, engine: Engine, chunks: Iterator[str],
                  source: str) -> Iterator[str]:
    """Redacted text for chunks of whole lines (the last chunk may end without ``\\n``)."""
    for chunk in chunks:
        if "PRIVATE KEY" in chunk:
            yield from _chunk_with_blocks(secrets, engine, chunk, chunks, source)
        else:
            yield redact_chunk(secrets, engine, chunk, source)


def redact_chunk(secrets: SecretFilter, engine: Engine, text: str, source: str) -> str:
    """Whole lines redacted one by one, matching only the lines the engine flags; no line may
    open a multi-line private-key block."""
    parts: list[str] = []
    rule_ids: list[str] = []
    position = 0
    for start, end, keywords in engine.flagged(text):
        line = text[start:end]
        regions = engine.whole_regions(line, keywords)
        if not regions:
            continue
        redacted, later = _redact_text(engine, apply(line, regions))
        parts += (text[position:start], redacted)
        rule_ids += [region.rule_id for region in regions] + later
        position = end
    if not rule_ids:
        return text
    secrets._count(rule_ids, source)
    parts.append(text[position:])
    return "".join(parts)


def _chunk_with_blocks(secrets: SecretFilter, engine: Engine, chunk: str, chunks: Iterator[str],
                       source: str) -> Iterator[str]:
    """A chunk holding ``PRIVATE KEY``: blocks are collected line by line as in ``redact_lines``,
    pulling the lines of the next chunks when a block runs past this one; the lines around them
    go through :func:`redact_chunk`."""
    pending = deque(split_lines(chunk))
    more = _Pull(pending, chunks)
    while pending:
        opening = _block_opening(list(pending))
        if opening < 0:
            yield redact_chunk(secrets, engine, "".join(pending), source)
            return
        if opening:
            head = "".join(pending.popleft() for _ in range(opening))
            yield redact_chunk(secrets, engine, head, source)
        block, after = _collect_block(pending.popleft(), more)
        yield from secrets._redact_block(engine, block, source)
        if after is not None:
            pending.appendleft(after)


class _Pull:
    """Iterates over ``pending`` lines, refilling it with the lines of the next chunk when it
    runs dry (a private-key block that continues past its chunk)."""

    def __init__(self, pending: deque[str], chunks: Iterator[str]) -> None:
        self._pending = pending
        self._chunks = chunks

    def __iter__(self) -> _Pull:
        return self

    def __next__(self) -> str:
        if not self._pending:
            self._pending.extend(split_lines(next(self._chunks)))
        return self._pending.popleft()


def whole_lines(pieces: Iterable[str]) -> Iterator[str]:
    """The text of ``pieces`` cut after the last ``\\n`` of each piece (the rest waits for the
    next piece; the end of the input ends the last line)."""
    pending: list[str] = []
    for piece in pieces:
        cut = piece.rfind("\n") + 1
        if not cut:
            pending.append(piece)
            continue
        pending.append(piece[:cut])
        yield "".join(pending)
        pending = [piece[cut:]]
    rest = "".join(pending)
    if rest:
        yield rest


def split_lines(text: str) -> list[str]:
    """``text`` as lines that keep their ``\\n`` (as a text file iterates them)."""
    lines = text.split("\n")
    last = lines.pop()
    result = [line + "\n" for line in lines]
    if last:
        result.append(last)
    return result


__all__ = ["flagged", "line_regions", "long_regions", "redact_chunk", "redact_chunks", "split_lines",
           "whole_lines"]
