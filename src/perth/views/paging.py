"""Offset cursors for interfaces that page a list they already hold (MCP tools)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from perth.errors import InvalidInputError

T = TypeVar("T")


def page(items: Sequence[T], cursor: str | None, size: int) -> tuple[list[T], str | None]:
    """The page starting at ``cursor`` (an offset, as text) and the cursor of the next one."""
    if cursor is not None and not cursor.isdigit():
        raise InvalidInputError(f"bad cursor {cursor!r}", "pass the next_cursor of the previous page")
    if size < 1:
        raise InvalidInputError(f"page size {size}", "ask for at least 1 result")
    start = int(cursor or 0)
    end = start + size
    return list(items[start:end]), str(end) if end < len(items) else None
