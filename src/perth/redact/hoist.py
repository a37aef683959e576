"""Move a rule's leading look-behind after its first character, so that ``re`` can skip ahead.

Python's ``re`` searches fast when a pattern starts with a literal or a character set: its C
loop jumps over every position whose character cannot start a match.  A pattern that starts
with an assertion, such as the word boundary most rules open with
(``(?<![A-Za-z0-9])ghp_...``), gets no such help and is tried at every position of the line:
about a hundred rules times every character of a keyword-dense line.

``(?<!C)X...`` matches exactly where ``X(?<!C[\\s\\S])...`` does when ``X`` is one character (a
literal, an escape or a class, without a quantifier): the assertion then looks at the same
character, one step further back.  When the pattern continues with a group of alternatives,
the assertion goes after the first character of each of them.  Patterns of any other shape are
left as written (:func:`hoisted` returns them unchanged).  The generator applies it to every
rule (``ruleset.SPECS``), and a test holds both forms to the same matches.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

_LEADING = re.compile(r"\(\?<([!=])(\[(?:\\.|[^\]\\])+\]|\\[dw])\)")
_GROUP_OPENERS = ("(?:", "(?i:", "(?P<")
_QUANTIFIERS = frozenset("?*+{")
_LITERAL_ESCAPES = frozenset("dwsDWS") | frozenset(r".-/:$+*?^|()[]{}\#&~=!@%,;'\"<> _")
_COUNTED = re.compile(r"\{([1-9][0-9]*)(,?)([0-9]*)\}")
_PLAIN = re.compile(r"[A-Za-z0-9_\-/:=~\"'@%&,#!<> ;]")


def hoisted(pattern: str, flags: int = re.ASCII) -> str:
    """``pattern`` with its leading one-character look-behind (``(?<!C)`` or ``(?<=C)``) moved
    after its first character (in each alternative, for a pattern that is one group of them),
    when that keeps its matches and gives ``re`` a prefix to skip ahead with; else ``pattern``
    itself (an alternation of case-insensitive words gains nothing: the look-behind would only
    be tried more often)."""
    moved = _moved(pattern)
    if moved == pattern or not _skips_ahead(moved, flags) or _skips_ahead(pattern, flags):
        return _guarded(pattern, flags)
    return moved


#: A first-character guard is added only when it leaves out most characters.
_GUARD_MOST = 64


def _guarded(pattern: str, flags: int) -> str:
    """``pattern`` behind a look-ahead for the characters a match can start with, when ``re``
    has no prefix to skip ahead with: ``(?=[tsTS])(?<![a-z])(?i:token|secret)...`` fails at
    most positions on one character test, before the look-behinds and the alternation are
    tried (a rule opening with several look-behinds costs some 300 ns a position without it).
    The guard holds for every match, so the matches are the same; ``pattern`` itself when
    the characters cannot be told or are most of them."""
    if _skips_ahead(pattern, flags):
        return pattern
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        chars = _first_chars(list(parsed), bool(flags & re.IGNORECASE))
    except (AttributeError, TypeError, ValueError, IndexError, re.error):
        return pattern
    if not chars or len(chars) > _GUARD_MOST or not all(c.isascii() and c.isprintable() for c in chars):
        return pattern
    return "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])" + pattern


def _first_chars(items: list[Any], ignore_case: bool) -> set[str] | None:
    """The characters every match of a sequence of parse items can start with (``None``:
    cannot tell, or a match may be empty there)."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue
        return _item_first_chars(op, av, ignore_case)
    return None


def _item_first_chars(op: Any, av: Any, ignore_case: bool) -> set[str] | None:
    """:func:`_first_chars` of one item that takes room."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    found: set[str] | None = None
    if op is c.LITERAL:
        found = _cased({chr(av)}, ignore_case)
    elif op is c.IN:
        found = _class_chars(av, ignore_case)
    elif op is c.BRANCH:
        found = set()
        for branch in av[1]:
            part = None
            if _parser.SubPattern(_parser.State(), branch).getwidth()[0] > 0:
                part = _first_chars(list(branch), ignore_case)
            if part is None:
                return None
            found |= part
    elif op is c.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        if body.getwidth()[0] > 0:
            cased = (ignore_case or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
            found = _first_chars(list(body), cased)
    elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
        found = _first_chars(list(av[2]), ignore_case)
    return found


def _class_chars(items: list[tuple[Any, Any]], ignore_case: bool) -> set[str] | None:
    from re import _constants as c  # type: ignore[attr-defined]

    found: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            found.add(chr(av))
        elif op is c.RANGE:
            low, high = av
            found.update(chr(code) for code in range(low, high + 1))
        else:
            return None  # a negated class, a category: most characters
    return _cased(found, ignore_case)


def _cased(chars: set[str], ignore_case: bool) -> set[str]:
    return chars | {ch.lower() for ch in chars} | {ch.upper() for ch in chars} if ignore_case else chars


def _skips_ahead(pattern: str, flags: int) -> bool:
    """Whether ``re`` finds a literal or character-set prefix to search ``pattern`` with (the
    same analysis ``re`` runs when it compiles; ``False`` when it cannot be asked)."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        prefix = _compiler._get_literal_prefix(parsed, flags)[0]
        return bool(prefix) or _compiler._get_charset_prefix(parsed, flags) is not None
    except (AttributeError, TypeError, ValueError, IndexError):
        return False


def _moved(pattern: str) -> str:
    """Every top-level alternative of ``pattern`` with its look-behind moved."""
    return "|".join(_moved_one(branch) for branch in _branches(pattern))


def _moved_one(pattern: str) -> str:
    lead = _LEADING.match(pattern)
    if lead is None:
        return _each_branch(pattern)
    sign, cls = lead.groups()
    if not _case_closed(cls):
        return pattern
    moved = _after_first(pattern[lead.end():], f"(?<{sign}{cls}[\\s\\S])")
    return pattern if moved is None else moved


def _each_branch(pattern: str) -> str:
    """A pattern that opens with an unquantified group of alternatives: each hoisted."""
    if not pattern.startswith(_GROUP_OPENERS[:2]):
        return pattern
    opener = pattern.index(":") + 1
    close = _closing(pattern, opener)
    if close < 0 or (pattern[close + 1:close + 2] and pattern[close + 1] in _QUANTIFIERS):
        return pattern
    branches = [_moved_one(branch) for branch in _branches(pattern[opener:close])]
    return pattern[:opener] + "|".join(branches) + pattern[close:]


def _case_closed(cls: str) -> bool:
    """Whether the class matches the same ASCII characters whatever the case flag."""
    plain, folded = re.compile(cls, re.ASCII), re.compile(cls, re.ASCII | re.IGNORECASE)
    return all(bool(plain.match(chr(c))) == bool(folded.match(chr(c))) for c in range(128))


def _after_first(text: str, look: str) -> str | None:
    """``text`` with ``look`` inserted after the first character of every way it can start."""
    if text.startswith(_GROUP_OPENERS):
        return _into_group(text, look)
    size = _atom_size(text)
    if size == 0:
        return None
    atom, rest = text[:size], text[size:]
    if not rest or rest[0] not in _QUANTIFIERS:
        return atom + look + rest
    counted = _COUNTED.match(rest)
    if counted is not None:  # X{n,m} with n >= 1 is X then X{n-1,m-1}
        low, comma, high = int(counted.group(1)), counted.group(2), counted.group(3)
        again = f"{{{low - 1}{comma}{int(high) - 1 if high else ''}}}"
        return atom + look + atom + again + rest[counted.end():]
    if rest[0] == "+":  # X+ is X then X*
        return atom + look + atom + "*" + rest[1:]
    return None


def _into_group(text: str, look: str) -> str | None:
    opener = text.index(">") + 1 if text.startswith("(?P<") else text.index(":") + 1
    close = _closing(text, opener)
    if close < 0 or (text[close + 1:close + 2] and text[close + 1] in _QUANTIFIERS):
        return None
    alternatives = _branches(text[opener:close])
    word = alternatives[0]
    if text.startswith("(?i:") and len(alternatives) == 1 and word[:1].isalpha() and word[1:2].isalpha():
        # (?i:word) is [Ww](?i:ord): a class outside the group is a prefix ``re`` can use
        return f"[{word[0].upper()}{word[0].lower()}]{look}(?i:{word[1:]}{text[close:]}"
    branches = []
    for branch in alternatives:
        moved = _after_first(branch, look)
        if moved is None:
            return None
        branches.append(moved)
    return text[:opener] + "|".join(branches) + text[close:]


def _atom_size(text: str) -> int:
    """The length of the one-character atom ``text`` starts with (0: not one)."""
    if not text:
        return 0
    if text[0] == "[":
        return _class_end(text, 0) + 1
    if text[0] == "\\":
        return 2 if text[1:2] and text[1] in _LITERAL_ESCAPES else 0
    if text[0] == "." or _PLAIN.fullmatch(text[0]):
        return 1
    return 0


def _class_end(text: str, start: int) -> int:
    """The index of the ``]`` closing the class opened at ``start``."""
    index = start + 1
    if text[index:index + 1] == "^":
        index += 1
    if text[index:index + 1] == "]":
        index += 1
    while index < len(text) and text[index] != "]":
        index += 2 if text[index] == "\\" else 1
    return index


def _scan(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Each unescaped character from ``start`` on, outside character classes, with the group depth after it."""
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(text, index)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        yield index, char, depth
        index += 1


def _closing(text: str, start: int) -> int:
    """The index of the ``)`` closing the group whose body starts at ``start`` (-1: none)."""
    return next((index for index, char, depth in _scan(text, start) if char == ")" and depth < 0), -1)


def _branches(body: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    parts, begin = [], 0
    for index, char, depth in _scan(body):
        if char == "|" and depth == 0:
            parts.append(body[begin:index])
            begin = index + 1
    parts.append(body[begin:])
    return parts


__all__ = ["hoisted"]
