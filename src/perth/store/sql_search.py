"""The search index port's state, in the SQL SQLite and PostgreSQL share (SQLite ``m013_search``,
PostgreSQL ``m005_ports``).

The index itself (tantivy, the vectors) lives on the machine that searches; the store keeps how far
each document source has been copied into it and answers the change feeds of the sources it holds.
On SQLite the store and the index sit side by side, one of each; a shared PostgreSQL store is read by
the indexes of many machines, so its state rows carry the ``owner`` (the index) they belong to.
The change feeds depend on what the engine offers as a row position: :mod:`perth.store.sqlite_search`
uses the rowid, :mod:`perth.store.pg_search` positions that follow commit order.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.search.records import SourceState
    from perth.store.sql import SqlDatabase

COMMAND_COLUMNS = ("c.id, c.pane_id, p.name, c.start_ms, c.duration_ms, c.exit, c.command, c.cwd,"
                   " c.repo_root, c.branch, c.shell, c.session, c.host, c.\"user\", c.source, c.dedup_key, c.owner")
ENTRY_COLUMNS = ("e.id, e.pane_id, p.name, e.ts, e.summary, e.type, e.source, e.agent, e.artifacts,"
                 " e.commands_run, e.goal_delta, e.tags, e.schema_version, e.updated_at, e.deleted_at, e.owner")
_COUNTS = {"command": "SELECT COUNT(*) FROM commands",
           "intent": "SELECT COUNT(*) FROM entries WHERE deleted_at IS NULL"}


class SqlSearchIndex:
    """Search index state in ``search_sources`` and ``search_meta`` (scoped by ``owner`` when given);
    an engine's subclass adds the change feeds (``commands_after``, ``entries_changed``)."""

    def __init__(self, db: SqlDatabase, owner: str | None = None) -> None:
        self.db = db
        self.owner = owner

    def _scoped(self, sql: str, params: Sequence[Any] = ()) -> tuple[str, tuple[Any, ...]]:
        """``sql`` (ending in a WHERE condition, or a table name) restricted to this owner's rows."""
        if self.owner is None:
            return sql, tuple(params)
        joiner = " AND" if " WHERE " in sql else " WHERE"
        return f"{sql}{joiner} owner = ?", (*params, self.owner)

    def _upsert(self, table: str, key: str, values: dict[str, Any]) -> None:
        keys = (("owner", self.owner),) if self.owner is not None else ()
        columns = dict((*keys, *values.items()))
        names = ", ".join(columns)
        conflict = ", ".join((*(k for k, _ in keys), key))
        updates = ", ".join(f"{name} = excluded.{name}" for name in values if name != key)
        self.db.write(f"INSERT INTO {table}({names}) VALUES ({', '.join('?' * len(columns))})"
                      f" ON CONFLICT({conflict}) DO UPDATE SET {updates}", tuple(columns.values()))

    def state(self, source: str) -> SourceState | None:
        """How far ``source`` has been indexed."""
        from perth.search.records import SourceState

        rows = self.db.rows(*self._scoped("SELECT source, cursor, docs, synced_at FROM search_sources"
                                          " WHERE source = ?", (source,)))
        return SourceState(*rows[0]) if rows else None

    def states(self) -> list[SourceState]:
        """Every source's state."""
        from perth.search.records import SourceState

        sql, params = self._scoped("SELECT source, cursor, docs, synced_at FROM search_sources")
        return [SourceState(*row) for row in self.db.rows(f"{sql} ORDER BY source", params)]

    def save_state(self, state: SourceState) -> None:
        """Record how far a source has been indexed."""
        self._upsert("search_sources", "source", {"source": state.source, "cursor": state.cursor,
                                                  "docs": state.docs, "synced_at": state.synced_at})

    def reset(self) -> None:
        """Forget every state and meta value."""
        with self.db.transaction():
            self.db.run(*self._scoped("DELETE FROM search_sources"))
            self.db.run(*self._scoped("DELETE FROM search_meta"))

    def meta(self, key: str) -> str | None:
        """A stored value about the index."""
        rows = self.db.rows(*self._scoped("SELECT value FROM search_meta WHERE key = ?", (key,)))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a value about the index."""
        self._upsert("search_meta", "key", {"key": key, "value": value})

    def count(self, source: str) -> int:
        """Rows a store-backed source holds now."""
        return int(self.db.rows(_COUNTS[source])[0][0])
