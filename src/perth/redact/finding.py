"""The :class:`Finding` record: where a secret is, never what it is."""

from __future__ import annotations

from perth.record import Record


class Finding(Record):
    """A secret found in a text.

    ``start``/``end`` are character offsets into the text; ``line`` and ``column`` are 1-based
    and locate ``start``.  The secret value itself is deliberately not part of the record.
    """

    rule_id: str
    start: int
    end: int
    line: int
    column: int


__all__ = ["Finding"]
