"""The search index port on PostgreSQL: change feeds by positions that follow commit order.

Many writers share a PostgreSQL store, and an identity number is drawn when a row is inserted,
not when it commits: a feed that read "rows numbered after 41" could pass over row 40, committed a
moment later.  So every command and entry carries the id of the transaction that last wrote it
(``search_xid``, a ``xid8``; an entry's is renewed by a trigger on every update, with a new
``search_seq``) and the feeds read, in ``(search_xid, search_seq)`` order, only rows of transactions
older than the oldest one still running (``pg_snapshot_xmin(pg_current_snapshot())``): no row can
later appear before the feed's cursor.  A position is ``search_xid * 2**40 + search_seq`` as one
integer (the port's row number), and since an entry's edit or deletion moves it forward, the
``since_ms`` clock of :meth:`~perth.store.ports.search.SearchIndex.entries_changed` is not needed
(the clocks of a team's machines need not agree).
"""

from __future__ import annotations

from perth.store.sql_search import COMMAND_COLUMNS, ENTRY_COLUMNS, SqlSearchIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.capture.records import Command
    from perth.records import Entry

SEQ_BITS = 40
_SEQ_MASK = (1 << SEQ_BITS) - 1
_SETTLED = "search_xid < pg_snapshot_xmin(pg_current_snapshot())"


def position(xid: int, seq: int) -> int:
    """One integer ordered as ``(xid, seq)``."""
    return (xid << SEQ_BITS) | seq


def split(value: int) -> tuple[str, int]:
    """``(xid as text, seq)`` of a position (the xid is passed as text and cast to ``xid8``)."""
    return str(value >> SEQ_BITS), value & _SEQ_MASK


class PgSearchIndex(SqlSearchIndex):
    """Search index state of one index (``owner``) and commit-ordered change feeds."""

    def _feed(self, columns: str, source: str, alias: str, start: int, limit: int) -> list[Any]:
        xid, seq = split(start)
        return self.db.rows(
            f"SELECT {alias}.search_xid::text, {alias}.search_seq, {columns} FROM {source}"
            f" WHERE ({alias}.search_xid, {alias}.search_seq) > (CAST(? AS xid8), ?) AND {alias}.{_SETTLED}"
            f" ORDER BY {alias}.search_xid, {alias}.search_seq LIMIT ?", (xid, seq, limit))

    @staticmethod
    def _positioned(rows: Sequence[Any]) -> list[tuple[int, Sequence[Any]]]:
        return [(position(int(row[0]), int(row[1])), row[2:]) for row in rows]

    def commands_after(self, rowid: int, limit: int) -> list[tuple[int, Command]]:
        """Commands committed after position ``rowid``, in commit order."""
        from perth.capture.records import Command

        rows = self._feed(COMMAND_COLUMNS, "commands c LEFT JOIN panes p ON p.id = c.pane_id", "c", rowid, limit)
        return [(pos, Command(*row)) for pos, row in self._positioned(rows)]

    def entries_changed(self, rowid: int, since_ms: int, limit: int, after: int = 0) -> list[tuple[int, Entry]]:
        """Entries added, edited or deleted after position ``max(rowid, after)`` (``since_ms`` is not needed:
        a change moves the entry's position)."""
        from perth.store.sql_entries import _entry

        rows = self._feed(ENTRY_COLUMNS, "entries e JOIN panes p ON p.id = e.pane_id", "e", max(rowid, after), limit)
        return [(pos, _entry(row)) for pos, row in self._positioned(rows)]
