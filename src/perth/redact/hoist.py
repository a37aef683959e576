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
        return pattern
    return moved


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
