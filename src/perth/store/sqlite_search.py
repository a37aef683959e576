"""SQLite adapter of :class:`perth.store.ports.search.SearchIndex` (tables of migration ``m009_search``)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.capture.records import Command
    from perth.records import Entry
    from perth.search.records import SourceState
    from perth.store.sqlite_db import SQLiteDatabase

_COMMAND_COLUMNS = ("c.rowid, c.id, c.pane_id, p.name, c.start_ms, c.duration_ms, c.exit, c.command, c.cwd,"
                    " c.repo_root, c.branch, c.shell, c.session, c.host, c.user, c.source, c.dedup_key")
_ENTRY_COLUMNS = ("e.rowid, e.id, e.pane_id, p.name, e.ts, e.summary, e.type, e.source, e.agent, e.artifacts,"
                  " e.commands_run, e.goal_delta, e.tags, e.schema_version, e.updated_at, e.deleted_at")
_COUNTS = {"command": "SELECT COUNT(*) FROM commands",
           "intent": "SELECT COUNT(*) FROM entries WHERE deleted_at IS NULL"}


class SQLiteSearchIndex:
    """Search index state in ``search_sources`` and ``search_meta``; change feeds over commands and entries."""

    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def state(self, source: str) -> SourceState | None:
        """How far ``source`` has been indexed."""
        from perth.search.records import SourceState

        rows = self.db.rows("SELECT source, cursor, docs, synced_at FROM search_sources WHERE source = ?",
                            (source,))
        return SourceState(*rows[0]) if rows else None

    def states(self) -> list[SourceState]:
        """Every source's state."""
        from perth.search.records import SourceState

        return [SourceState(*row) for row in self.db.rows(
            "SELECT source, cursor, docs, synced_at FROM search_sources ORDER BY source")]

    def save_state(self, state: SourceState) -> None:
        """Record how far a source has been indexed."""
        self.db.write("INSERT INTO search_sources(source, cursor, docs, synced_at) VALUES (?, ?, ?, ?)"
                      " ON CONFLICT(source) DO UPDATE SET cursor = excluded.cursor, docs = excluded.docs,"
                      " synced_at = excluded.synced_at", (state.source, state.cursor, state.docs, state.synced_at))

    def reset(self) -> None:
        """Forget every state and meta value."""
        with self.db.transaction():
            self.db.run("DELETE FROM search_sources")
            self.db.run("DELETE FROM search_meta")

    def meta(self, key: str) -> str | None:
        """A stored value about the index."""
        rows = self.db.rows("SELECT value FROM search_meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a value about the index."""
        self.db.write("INSERT INTO search_meta(key, value) VALUES (?, ?)"
                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def commands_after(self, rowid: int, limit: int) -> list[tuple[int, Command]]:
        """Commands stored after ``rowid``, oldest first."""
        from perth.capture.records import Command

        rows = self.db.rows(f"SELECT {_COMMAND_COLUMNS} FROM commands c LEFT JOIN panes p ON p.id = c.pane_id"
                            " WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?", (rowid, limit))
        return [(int(row[0]), Command(*row[1:])) for row in rows]

    def entries_changed(self, rowid: int, since_ms: int, limit: int, after: int = 0) -> list[tuple[int, Entry]]:
        """Entries added after ``rowid`` or edited/deleted after ``since_ms``, by row number (paged by ``after``)."""
        from perth.store.sql_entries import _entry

        rows = self.db.rows(f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN panes p ON p.id = e.pane_id"
                            " WHERE e.rowid > ? AND (e.rowid > ? OR COALESCE(e.updated_at, 0) > ?"
                            " OR COALESCE(e.deleted_at, 0) > ?) ORDER BY e.rowid LIMIT ?",
                            (after, rowid, since_ms, since_ms, limit))
        return [(int(row[0]), _entry(row[1:])) for row in rows]

    def count(self, source: str) -> int:
        """Rows a store-backed source holds now."""
        return int(self.db.rows(_COUNTS[source])[0][0])
