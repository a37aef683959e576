"""Necessary conditions of a rule's pattern, derived from its parse tree: the rule's *gate*.

A gate is two facts that hold for every text the pattern can match, cheap to test without
compiling the pattern:

``steps``  literals (lowercased) that every match contains, disjoint and in this order; a step
           with several literals is satisfied by any of them (``curl`` then ``-u`` then ``:``).
``run``    the length of a run of non-blank characters that every match contains (a 32-hex-digit
           key needs a 32-character word; ``fixed the token refresh`` has none).

The analysis is conservative by construction: it only reports literals of the pattern's main
sequence (inside groups, repetitions that occur at least once, and branches whose every
alternative has one), and characters it cannot prove non-blank break a run.  It runs when
``perth/redact/keywords.py`` is generated (``python -m perth.redact.generate``) and in the tests,
never on the hot path.
"""

from __future__ import annotations

import math
import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from perth.redact.lint import _class_chars
from perth.redact.prefilter import frequency

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}
_GROUPS = {sre_constants.SUBPATTERN, sre_constants.ATOMIC_GROUP}
#: Characters that are never blank for ``str.split()``: printable ASCII but the space.
_SOLID = frozenset(range(0x21, 0x7F))

Steps = tuple[tuple[str, ...], ...]


class _Shape:
    """What every match of a node looks like: exactly one literal (``exact``), or a ``head``
    literal it starts with, ordered ``steps`` after it and a ``tail`` literal it ends with
    (all disjoint)."""

    __slots__ = ("exact", "head", "lead", "steps", "tail")

    def __init__(self, exact: str | None, head: str = "", steps: list[tuple[str, ...]] | None = None,
                 tail: str = "", lead: tuple[str, ...] = ()) -> None:
        self.exact = exact
        self.head = head
        self.steps = steps or []
        self.tail = tail
        #: When set, ``steps[0]`` is made of these literals and starts where the match starts.
        self.lead = lead

    def options(self) -> list[tuple[str, ...]]:
        """The steps every match satisfies (a single literal is a step of one)."""
        if self.exact is not None:
            return [(self.exact,)] if self.exact else []
        ends = [(text,) for text in (self.head, self.tail) if text]
        return ends + self.steps


_OPAQUE = _Shape(None)


def steps(pattern: str) -> Steps:
    """The ordered literal steps every match of ``pattern`` contains (lowercased)."""
    shape = _sequence(list(sre_parse.parse(pattern, re.ASCII)))
    if shape.exact is not None:
        return ((shape.exact,),) if shape.exact else ()
    found: list[tuple[str, ...]] = [(shape.head,)] if shape.head else []
    found += shape.steps
    if shape.tail:
        found.append((shape.tail,))
    return tuple(found)


def _sequence(items: list[Any]) -> _Shape:
    current = ""
    head: str | None = None
    found: list[tuple[str, ...]] = []
    for op, av in items:
        shape = _item(op, av)
        if shape.exact is not None:
            current += shape.exact
            continue
        if shape.lead and current:
            merged = _simplest([current + text for text in shape.lead])
            if _selectivity(merged) >= _selectivity(shape.steps[0]):
                shape.steps[0] = merged
                current = ""
        current += shape.head
        if head is None:
            head = current
        elif current:
            found.append((current,))
        found += shape.steps
        current = shape.tail
    if head is None:
        return _Shape(current)
    return _Shape(None, head, found, current)


def _item(op: Any, av: Any) -> _Shape:
    if op in _ZERO_WIDTH:
        return _Shape("")
    if op in _GROUPS:
        return _sequence(_body(op, av))
    if op is sre_constants.BRANCH:
        return _branch([_sequence(list(branch)) for branch in av[1]])
    if op in _REPEATS:
        return _repeat(av[0], av[1], _sequence(list(av[2])))
    chars = _consumed(op, av)
    lowered = {chr(c).lower() for c in chars if c >= 0}
    return _Shape(lowered.pop()) if len(lowered) == 1 and -1 not in chars else _OPAQUE


def _body(op: Any, av: Any) -> list[Any]:
    """The items of a group."""
    return list(av[-1] if op is sre_constants.SUBPATTERN else av)


def _consumed(op: Any, av: Any) -> frozenset[int]:
    """The characters one item can consume (ASCII codes, -1 for anything else)."""
    if op is sre_constants.LITERAL:
        return frozenset({av if av < 128 else -1})
    if op is sre_constants.IN:
        return _class_chars(av)
    return frozenset({-1})


def _branch(shapes: list[_Shape]) -> _Shape:
    exacts = {shape.exact for shape in shapes}
    if len(exacts) == 1 and None not in exacts:
        return shapes[0]
    starts = [shape.exact if shape.exact is not None else shape.head for shape in shapes]
    best = [max(shape.options(), key=_selectivity, default=()) for shape in shapes]
    union = _simplest([text for step in best for text in step]) if all(best) else ()
    if all(starts):
        step = max((union, _simplest(starts)), key=lambda s: _selectivity(s) if s else -math.inf)
        return _Shape(None, steps=[step], lead=tuple(starts))
    if union:
        return _Shape(None, steps=[union])
    return _Shape(None, head=_common_prefix(starts))


def _selectivity(step: tuple[str, ...]) -> float:
    """How rarely a step is satisfied in shell history: bits of its least surprising literal
    (character frequencies of :mod:`perth.redact.prefilter`), less the bits of the choice."""
    bits = min(sum(math.log2(1000 / frequency(char)) for char in text) for text in step)
    return bits - math.log2(len(step))


def _simplest(alternatives: list[str]) -> tuple[str, ...]:
    """The alternatives, without those that contain another (which then implies them)."""
    unique = sorted(set(alternatives), key=len)
    kept: list[str] = []
    for text in unique:
        if not any(shorter in text for shorter in kept):
            kept.append(text)
    return tuple(sorted(kept))


def _common_prefix(texts: list[str]) -> str:
    prefix = texts[0] if texts else ""
    for text in texts[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def _repeat(low: int, high: int, inner: _Shape) -> _Shape:
    if low == 0:
        return _Shape("") if inner.exact == "" else _OPAQUE
    if inner.exact is not None:
        return _Shape(inner.exact * low) if low == high else _Shape(None, head=inner.exact * low)
    return _Shape(None, inner.head, list(inner.steps), inner.tail)


# -- runs of non-blank characters ------------------------------------------------------------


class _Run:
    """Runs of non-blank characters in every match: all of it (``solid``, with its minimum
    ``width``), or at least ``head`` at its start, ``tail`` at its end, ``best`` anywhere."""

    __slots__ = ("best", "head", "solid", "tail", "width")

    def __init__(self, solid: bool, width: int = 0, head: int = 0, tail: int = 0,
                 best: int = 0) -> None:
        self.solid = solid
        self.width = width
        self.head = head
        self.tail = tail
        self.best = best

    def longest(self) -> int:
        return self.width if self.solid else max(self.head, self.tail, self.best)


_BLANK = _Run(False)


def min_run(pattern: str) -> int:
    """The length of a run of non-blank characters every match of ``pattern`` contains."""
    return _run_sequence(list(sre_parse.parse(pattern, re.ASCII))).longest()


def _run_sequence(items: list[Any]) -> _Run:
    running, best = 0, 0
    head: int | None = None
    for op, av in items:
        run = _run_item(op, av)
        if run.solid:
            running += run.width
            continue
        running += run.head
        best = max(best, running, run.best)
        if head is None:
            head = running
        running = run.tail
    if head is None:
        return _Run(True, running)
    return _Run(False, head=head, tail=running, best=max(best, running))


def _run_item(op: Any, av: Any) -> _Run:
    if op in _ZERO_WIDTH:
        return _Run(True, 0)
    if op in _GROUPS:
        return _run_sequence(_body(op, av))
    if op is sre_constants.BRANCH:
        return _run_branch([_run_sequence(list(branch)) for branch in av[1]])
    if op in _REPEATS:
        low, inner = av[0], _run_sequence(list(av[2]))
        if inner.solid:
            return _Run(True, low * inner.width)
        return inner if low > 0 else _BLANK
    return _Run(True, 1) if _consumed(op, av) <= _SOLID else _BLANK


def _run_branch(runs: list[_Run]) -> _Run:
    if all(run.solid for run in runs):
        return _Run(True, min(run.width for run in runs))
    return _Run(False, head=min(r.width if r.solid else r.head for r in runs),
                tail=min(r.width if r.solid else r.tail for r in runs),
                best=min(r.longest() for r in runs))


# -- line breaks ------------------------------------------------------------------------------


def consumes_newline(pattern: str) -> bool:
    """Whether a match of ``pattern`` can contain ``\\n`` (then line-by-line triggers and gates
    would not be sound for it).  Lookarounds consume nothing; ``.`` counts as a line break."""
    return _newline_in(list(sre_parse.parse(pattern, re.ASCII)))


def _newline_in(items: list[Any]) -> bool:
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op in _GROUPS:
            found = _newline_in(_body(op, av))
        elif op is sre_constants.BRANCH:
            found = any(_newline_in(list(branch)) for branch in av[1])
        elif op in _REPEATS:
            found = _newline_in(list(av[2]))
        elif op is sre_constants.NOT_LITERAL:
            found = av != ord("\n")
        elif op in (sre_constants.LITERAL, sre_constants.IN):
            found = ord("\n") in _consumed(op, av)
        else:
            found = True
        if found:
            return True
    return False


#: Beyond this many characters a rule's matches are searched for over the whole line.
MAX_REACH = 1024


def reach(pattern: str) -> int:
    """How far from where a match starts the search can read: the longest match plus the
    widest look-ahead (0 when unbounded or above :data:`MAX_REACH`).  A match holds its first
    step's literal, so it starts at most this far before one: the engine searches only there."""
    parsed = sre_parse.parse(pattern, re.ASCII)
    longest = parsed.getwidth()[1]
    total = longest + _widest_assertion(list(parsed))
    return total if total <= MAX_REACH else 0


def _widest_assertion(items: list[Any]) -> int:
    widest = 0
    for op, av in items:
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            widest = max(widest, av[1].getwidth()[1], _widest_assertion(list(av[1])))
        elif op is sre_constants.BRANCH:
            widest = max([widest] + [_widest_assertion(list(b)) for b in av[1]])
        elif op in _GROUPS:
            widest = max(widest, _widest_assertion(list(av[-1])))
        elif op in _REPEATS:
            widest = max(widest, _widest_assertion(list(av[2])))
    return widest


def lead(pattern: str) -> int:
    """How far from where a match starts one of its first step's literals can start, at most
    (-1 when the pattern gives no bound).  The engine searches for matches only that far before
    each occurrence of those literals (and reads at most :func:`reach` past it), so a rule
    whose matches start with their keyword costs a few positions per occurrence however long
    the line, not its whole length.

    The bound comes from the pattern's main sequence: the widest text before the first literal
    run, group, branch or repetition (at least once) that holds one of the literals in every
    match; look-arounds take no room.  A literal split across groups is not seen (a later one,
    or none, is taken): the bound may be loose, never too small."""
    parsed = sre_parse.parse(pattern, re.ASCII)
    firsts = steps(pattern)
    if not firsts:
        return -1
    found = _lead(list(parsed), parsed.state, firsts[0])
    return -1 if found is None else found


def _lead(items: list[Any], state: Any, literals: tuple[str, ...], *, width: int = 0, run: str = "",
          run_start: int = 0) -> int | None:
    """The bound of :func:`lead` for a sequence of parse items (``None``: no bound), the items
    starting ``width`` characters (at most) into the match, after the literal ``run`` that
    started at ``run_start``."""
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # look-arounds and anchors take no room, and do not break a run
        char = _literal_char(op, av)
        if char is not None:
            if not run:
                run_start = width
            run += char
            width += 1
            for literal in literals:
                if run.endswith(literal):
                    return run_start + len(run) - len(literal)
            continue
        inner: int | None = None
        if op in _GROUPS:
            inner = _lead(list(av[-1]), state, literals, width=width, run=run, run_start=run_start)
        elif op is sre_constants.BRANCH:
            bounds = [_lead(list(branch), state, literals, width=width, run=run,
                            run_start=run_start) for branch in av[1]]
            inner = None if any(b is None for b in bounds) else max(b for b in bounds if b is not None)
        elif op in _REPEATS and av[0] >= 1:
            inner = _lead(list(av[2]), state, literals, width=width, run=run, run_start=run_start)
        if inner is not None:
            return inner
        run = ""
        width += sre_parse.SubPattern(state, [(op, av)]).getwidth()[1]
        if width > MAX_REACH:
            return None
    return None


def _literal_char(op: Any, av: Any) -> str | None:
    """The lowercased character an item matches when it matches exactly one letter in either
    case or one other character (``a``, ``[Aa]``), else ``None``."""
    if op is sre_constants.LITERAL:
        return chr(av).lower()
    if op is sre_constants.IN and av and all(o is sre_constants.LITERAL for o, _ in av):
        chars = {chr(code).lower() for _, code in av}
        if len(chars) == 1:
            return chars.pop()
    return None


__all__ = ["MAX_REACH", "Steps", "consumes_newline", "lead", "min_run", "reach", "steps"]
