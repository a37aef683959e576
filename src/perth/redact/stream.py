"""Many whole lines at once: ``SecretFilter.redact_block`` and ``redact_stream``.

Text arrives in chunks of whole lines; each chunk is scanned once for the lines that may hold a
secret (``Engine.flagged``) and only those are matched.  A chunk holding ``PRIVATE KEY`` goes
through the line-wise key-block logic, pulling the lines of the next chunks when a key runs
past its chunk.  What was replaced is reported through the ``count`` callback the filter passes
in (this module never imports the filter).  Loaded on first use: the ``perth log`` hot path
never needs it.
"""

from __future__ import annotations

from collections import deque

from perth.redact import pem
from perth.redact.engine import fixed_point, placeholder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from perth.redact.engine import Engine

    #: ``count(rule_ids, source)``: the filter's tally of what it replaced.
    Count = Callable[[list[str], str], None]

_PEM_RULE = "pem-private-key"


def redact_chunks(engine: Engine, chunks: Iterator[str], source: str, count: Count) -> Iterator[str]:
    """Redacted text for chunks of whole lines (the last chunk may end without ``\\n``)."""
    for chunk in chunks:
        if "PRIVATE KEY" in chunk:
            yield from _chunk_with_blocks(engine, chunk, chunks, source, count)
        else:
            yield redact_chunk(engine, chunk, source, count)


def redact_chunk(engine: Engine, text: str, source: str, count: Count) -> str:
    """Whole lines redacted one by one, matching only the lines the engine flags; no line may
    open a multi-line private-key block."""
    from perth.redact.engine import LINE_PASSES, take

    parts: list[str] = []
    rule_ids: list[str] = []
    position = 0
    for start, end, keywords in engine.flagged(text):
        line = text[start:end]
        stages = engine.settled(line, keywords)
        if not stages:
            continue
        redacted, replaced = take(stages, line, LINE_PASSES)
        parts += (text[position:start], redacted)
        rule_ids += replaced
        position = end
    if not rule_ids:
        return text
    count(rule_ids, source)
    parts.append(text[position:])
    return "".join(parts)


def redact_key_block(engine: Engine, block: list[str], source: str, count: Count) -> Iterator[str]:
    """The lines of a private-key block: one placeholder on its BEGIN line, its other lines
    empty (keeping their line terminator), the text after its END marker redacted."""
    first = block[0]
    head, head_ids = fixed_point(engine, first[:pem.opens_block(first)] + placeholder(_PEM_RULE))
    count([_PEM_RULE, *(i for i in head_ids if i != _PEM_RULE)], source)
    yield head + pem.terminator(first)
    closing = pem.ends_block(block[-1]) if len(block) > 1 else -1
    for line in block[1:-1] if closing >= 0 else block[1:]:
        yield pem.terminator(line)
    if closing >= 0:
        tail, tail_ids = fixed_point(engine, block[-1][closing:])
        count(tail_ids, source)
        yield tail


def _chunk_with_blocks(engine: Engine, chunk: str, chunks: Iterator[str], source: str,
                       count: Count) -> Iterator[str]:
    """A chunk holding ``PRIVATE KEY``: blocks are collected line by line as in ``redact_lines``,
    pulling the lines of the next chunks when a block runs past this one; the lines around them
    go through :func:`redact_chunk`."""
    pending = deque(split_lines(chunk))
    more = _Pull(pending, chunks)
    while pending:
        opening = pem.block_opening(list(pending))
        if opening < 0:
            yield redact_chunk(engine, "".join(pending), source, count)
            return
        if opening:
            head = "".join(pending.popleft() for _ in range(opening))
            yield redact_chunk(engine, head, source, count)
        block, after = pem.collect_block(pending.popleft(), more)
        yield from redact_key_block(engine, block, source, count)
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


__all__ = ["redact_chunk", "redact_chunks", "redact_key_block", "split_lines", "whole_lines"]
