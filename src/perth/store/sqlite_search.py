"""The search index port on SQLite: change feeds by rowid (SQLite's writers are serialized, so rowids
appear in commit order)."""

from __future__ import annotations

from perth.store.sql_search import COMMAND_COLUMNS, ENTRY_COLUMNS, SqlSearchIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.capture.records import Command
    from perth.records import Entry


class SQLiteSearchIndex(SqlSearchIndex):
    """Search index state (:class:`SqlSearchIndex`) and change feeds over commands and entries."""

    def commands_after(self, rowid: int, limit: int) -> list[tuple[int, Command]]:
        """Commands stored after ``rowid``, oldest first."""
        from perth.capture.records import Command

        rows = self.db.rows(f"SELECT c.rowid, {COMMAND_COLUMNS} FROM commands c LEFT JOIN panes p ON p.id = c.pane_id"
                            " WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?", (rowid, limit))
        return [(int(row[0]), Command(*row[1:])) for row in rows]

    def entries_changed(self, rowid: int, since_ms: int, limit: int, after: int = 0) -> list[tuple[int, Entry]]:
        """Entries added after ``rowid`` or edited/deleted after ``since_ms``, by row number (paged by ``after``)."""
        from perth.store.sql_entries import _entry

        rows = self.db.rows(f"SELECT e.rowid, {ENTRY_COLUMNS} FROM entries e JOIN panes p ON p.id = e.pane_id"
                            " WHERE e.rowid > ? AND (e.rowid > ? OR COALESCE(e.updated_at, 0) > ?"
                            " OR COALESCE(e.deleted_at, 0) > ?) ORDER BY e.rowid LIMIT ?",
                            (after, rowid, since_ms, since_ms, limit))
        return [(int(row[0]), _entry(row[1:])) for row in rows]
