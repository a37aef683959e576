"""A linter that keeps every rule's regular expression linear-time under Python's ``re``.

``re`` backtracks, so a careless pattern can take quadratic or exponential time on crafted
input.  Built-in rules must pass every check below (a test runs :func:`problems` over all of
them, and another feeds each rule a megabyte of adversarial input):

``unbounded``   no ``*``, ``+`` or ``{n,}``: every repetition has an upper bound
``too-large``   no bound above 262,144
``nested``      no repetition (of more than one) inside another repetition
``backref``     no back-references or conditional groups
``empty``       the pattern cannot match the empty string
``overlap``     two repetitions in a row whose characters overlap (so ``re`` can split the
                run between them many ways) must be short (product of bounds <= 4,096) unless
                the first is possessive
``start``       the pattern starts with a literal, a small set of them, or a lookbehind: a
                pattern starting with a broad character class is tried at every position

User patterns (``redact.extra_patterns``, ``allow_patterns``) are only refused for the classic
exponential shape, nested repetition with an unbounded side (:func:`catastrophic_problem`).
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_BOUND = 262_144
MAX_OVERLAP_PRODUCT = 4_096
_ALL = frozenset(range(128)) | {-1}  # -1 stands for "any non-ASCII character"
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_MAXREPEAT = sre_constants.MAXREPEAT


def problems(pattern: str) -> list[str]:
    """Every check the pattern fails, as ``"check: detail"`` strings (empty when clean)."""
    parsed = sre_parse.parse(pattern, re.ASCII)
    found: list[str] = []
    _walk(list(parsed), found, inside_repeat=False)
    low, _high = parsed.getwidth()
    if low == 0:
        found.append("empty: the pattern can match the empty string")
    found.extend(_overlaps(list(parsed)))
    if not _starts_narrow(list(parsed)):
        found.append("start: the pattern starts with a broad class; start with a literal or lookbehind")
    return found


def catastrophic_problem(pattern: str) -> str:
    """The exponential-backtracking shape in a user pattern, or ``""``."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, TypeError, ValueError, OverflowError, RecursionError):
        return ""
    return _nested_unbounded(list(parsed))


def _walk(items: list[Any], found: list[str], *, inside_repeat: bool) -> None:
    for op, av in items:
        if op in _REPEATS:
            _low, high, body = av
            if high == _MAXREPEAT:
                found.append("unbounded: use an explicit upper bound {m,n}")
            elif high > MAX_BOUND:
                found.append(f"too-large: bound {high} > {MAX_BOUND}")
            if inside_repeat and high > 1:
                found.append("nested: a repetition inside a repetition")
            _walk(list(body), found, inside_repeat=inside_repeat or high > 1)
        elif op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
            found.append("backref: back-references and conditionals are not linear")
        else:
            for child in _children(op, av):
                _walk(child, found, inside_repeat=inside_repeat)


def _children(op: Any, av: Any) -> list[list[Any]]:
    """The sub-sequences of a parsed item."""
    if op is sre_constants.SUBPATTERN:
        return [list(av[-1])]
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [list(av[1])]
    if op is sre_constants.BRANCH:
        return [list(branch) for branch in av[1]]
    if op is sre_constants.ATOMIC_GROUP:
        return [list(av)]
    return []


def _nested_unbounded(items: list[Any], outer_high: int = 1) -> str:
    for op, av in items:
        if op in _REPEATS:
            _low, high, body = av
            if outer_high > 1 and _MAXREPEAT in (high, outer_high) and high > 1:
                return "nested repetition"
            problem = _nested_unbounded(list(body), max(outer_high, high))
        else:
            problem = next((p for c in _children(op, av) if (p := _nested_unbounded(c, outer_high))), "")
        if problem:
            return problem
    return ""


def _overlaps(items: list[Any]) -> list[str]:
    """Adjacent repetitions over overlapping characters, in every sequence of the pattern."""
    found: list[str] = []
    previous: tuple[frozenset[int], int, bool] | None = None
    for op, av in items:
        if op in _REPEATS:
            _low, high, body = av
            chars = _chars(list(body))
            if previous is not None and previous[0] & chars and not previous[2]:
                product = previous[1] * high
                if product > MAX_OVERLAP_PRODUCT:
                    found.append(f"overlap: adjacent repetitions may split a run {product} ways")
            previous = (chars, high, op is sre_constants.POSSESSIVE_REPEAT)
            found.extend(_overlaps(list(body)))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            for child in _children(op, av):
                found.extend(_overlaps(child))
        else:
            previous = None
            for child in _children(op, av):
                found.extend(_overlaps(child))
    return found


def _chars(items: list[Any]) -> frozenset[int]:
    """The characters a sequence can consume (ASCII codes; -1 for any non-ASCII)."""
    result: set[int] = set()
    for op, av in items:
        result |= _item_chars(op, av)
    return frozenset(result)


def _item_chars(op: Any, av: Any) -> frozenset[int]:
    if op is sre_constants.LITERAL:
        return frozenset({av if av < 128 else -1})
    if op is sre_constants.NOT_LITERAL or op is sre_constants.ANY:
        return _ALL
    if op is sre_constants.IN:
        return _class_chars(av)
    if op in _REPEATS:
        return _chars(list(av[2]))
    merged: set[int] = set()
    for child in _children(op, av):
        if op not in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            merged |= _chars(child)
    return frozenset(merged)


def _class_chars(items: list[Any]) -> frozenset[int]:
    chars: set[int] = set()
    negate = False
    for op, av in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            chars.add(av if av < 128 else -1)
        elif op is sre_constants.RANGE:
            chars.update(c if c < 128 else -1 for c in range(av[0], min(av[1], 128) + 1))
        elif op is sre_constants.CATEGORY:
            chars.update(_category(av))
    return _ALL - chars if negate else frozenset(chars)


def _category(category: Any) -> set[int]:
    name = str(category)
    probe = {"DIGIT": r"\d", "SPACE": r"\s", "WORD": r"\w"}
    for key, expr in probe.items():
        if key in name:
            matched = {c for c in range(128) if re.fullmatch(expr, chr(c), re.ASCII)}
            return set(_ALL - matched) if "NOT" in name else matched
    return set(_ALL)


def _starts_narrow(items: list[Any]) -> bool:
    """Whether the first consuming item of the pattern is a literal or a small set of them."""
    for op, av in items:
        if op is sre_constants.AT:
            continue
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            if av[0] < 0:
                return True  # a lookbehind first: most positions fail it at once
            continue
        if op is sre_constants.BRANCH:
            return all(_starts_narrow(list(branch)) for branch in av[1])
        if op is sre_constants.SUBPATTERN:
            return _starts_narrow(list(av[-1]))
        if op in _REPEATS:
            return av[0] > 0 and len(_chars(list(av[2]))) <= 12
        return len(_item_chars(op, av)) <= 12
    return False


__all__ = ["MAX_BOUND", "MAX_OVERLAP_PRODUCT", "catastrophic_problem", "problems"]
