"""Cursors that carry their query: ``--cursor C`` alone continues the same listing.

A cursor is ``<position>~<query>``: the position (``<time>.<id>`` of the last row shown) and the
filters of the listing that printed it (base64url JSON), so the next page is the same query —
same panes, types, exit filter and page size — even when the filters are not repeated.  A filter
given again with the cursor must agree with it; a different one is an error rather than a silent
mix of two queries.  Cursors of the old form (``<time>.<id>``) still work and carry no query.
"""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    R = TypeVar("R", bound=Record)

#: Fields that describe where a page starts, not what the listing is.
NOT_QUERY = ("offset", "cursor")
_FIX = "copy the cursor printed by the previous page"


def encode(position: str, flt: Record) -> str:
    """The cursor after ``position`` for the listing ``flt``."""
    import base64
    import json

    query = {name: _plain(getattr(flt, name)) for name in flt._fields if name not in NOT_QUERY}
    packed = base64.urlsafe_b64encode(json.dumps(query, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{position}~{packed}"


def resume(flt: R, cursor: str) -> tuple[R, tuple[int, str]]:
    """``flt`` completed with the query the cursor carries, and the cursor's ``(time, id)``."""
    position, _sep, packed = cursor.partition("~")
    at = _position(position, cursor)
    if not packed:
        return flt, at
    query = _query(packed, cursor)
    changes: dict[str, Any] = {}
    for name, carried in query.items():
        if name not in flt._fields or name in NOT_QUERY:
            continue
        given = _plain(getattr(flt, name))
        value = tuple(carried) if isinstance(carried, list) else carried
        if given not in (None, False, []) and given != carried:
            raise InvalidInputError(f"--{name.replace('_', '-')} differs from the listing this cursor continues",
                                    "drop that option to see the next page, or start again without --cursor")
        changes[name] = value
    return replace(flt, **changes), at


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def position_of(cursor: str) -> tuple[int, str]:
    """The ``(time, id)`` of a plain ``<time>.<id>`` cursor (one that carries no query)."""
    return _position(cursor, cursor)


def _position(position: str, cursor: str) -> tuple[int, str]:
    ts, sep, row_id = position.partition(".")
    if not sep or not ts.isdigit() or len(row_id) != 36:
        raise InvalidInputError(f"invalid cursor {cursor[:80]!r}", _FIX)
    return int(ts), row_id


def _query(packed: str, cursor: str) -> dict[str, Any]:
    import base64
    import binascii
    import json

    try:
        query = json.loads(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidInputError(f"invalid cursor {cursor[:80]!r}", _FIX) from None
    if not isinstance(query, dict):
        raise InvalidInputError(f"invalid cursor {cursor[:80]!r}", _FIX)
    return query
