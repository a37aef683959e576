"""What the code port does differently on PostgreSQL: globs as regular expressions, file ids from a sequence.

PostgreSQL has no ``GLOB``; :func:`glob_regex` turns SQLite's glob syntax (``*``, ``?``, ``[...]`` sets
with ``^`` negation and ``a-z`` ranges, case-sensitive, anchored) into an equivalent POSIX regular
expression matched with ``~`` (a property test compares the two engines).  New file ids come from
the table's identity sequence, so two repositories indexed at once never pick the same ones.
"""

from __future__ import annotations

from perth.store.sql_code import SqlCodeIndex

#: Characters a regular expression gives a meaning to outside a bracket expression.
_SPECIAL = frozenset(".^$*+?()[]{}|\\")
#: A regular expression that matches no string (a glob with an empty character set).
NOTHING = "a^"


def _set_member(char: str) -> str:
    return "\\" + char if char in "\\]-^[" else char


def _bracket(pattern: str, start: int) -> tuple[str | None, int]:
    """The bracket expression of the glob set opening at ``start`` (after ``[``) and the index after
    its ``]``; ``None`` when the set matches nothing (unclosed, or only reversed ranges).

    As in SQLite: a ``]`` first in the set is a member; ``-`` between a member and a character other
    than ``]`` makes a range (a leading ``]`` and a range's end cannot start another one)."""
    i = start
    invert = i < len(pattern) and pattern[i] == "^"
    i += invert
    members: list[str] = []
    prior = ""
    if i < len(pattern) and pattern[i] == "]":
        members.append(_set_member("]"))
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        char = pattern[i]
        if char == "-" and prior and i + 1 < len(pattern) and pattern[i + 1] != "]":
            high = pattern[i + 1]
            if prior <= high:
                members.append(f"{_set_member(prior)}-{_set_member(high)}")
            prior = ""
            i += 2
            continue
        members.append(_set_member(char))
        prior = char
        i += 1
    if i >= len(pattern):
        return None, i  # no closing bracket: SQLite matches nothing
    if not members:
        return ("." if invert else None), i + 1
    return f"[{'^' if invert else ''}{''.join(members)}]", i + 1


def glob_regex(pattern: str) -> str:
    """The anchored POSIX regular expression matching exactly the strings SQLite's ``GLOB`` matches."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            bracket, i = _bracket(pattern, i + 1)
            if bracket is None:
                return NOTHING
            out.append(bracket)
            continue
        else:
            out.append("\\" + char if char in _SPECIAL else char)
        i += 1
    out.append("$")
    return "".join(out)


class PgCodeIndex(SqlCodeIndex):
    """The code port on PostgreSQL."""

    def _glob(self, column: str) -> str:
        return f"{column} ~ ?"

    def _glob_param(self, pattern: str) -> str:
        return glob_regex(pattern)

    def _file_ids(self, count: int) -> list[int]:
        """Ids drawn from ``code_files``' identity sequence (never handed out twice)."""
        if not count:
            return []
        rows = self.db.rows("SELECT nextval(pg_get_serial_sequence('code_files', 'id'))"
                            " FROM generate_series(1, ?)", (count,))
        return [int(row[0]) for row in rows]
