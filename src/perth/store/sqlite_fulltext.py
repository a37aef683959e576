"""SQLite's full-text index of commands and intent entries (FTS5, BM25): the fulltext port.

``commands_fts`` is filled by batch from :meth:`SQLiteCommands.add` (migration 9 dropped the per-row
insert trigger, five times slower); deletes and updates of commands, and every change of entries,
reach their index through triggers (migration 6).
"""

from __future__ import annotations

from perth.store.sql_commands import SqlCommands, command_filters

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.capture.records import CommandQuery, SearchHit
    from perth.store.sql import SqlDatabase

_WORD = r"[^\s\"]+"
#: Matches ranked by BM25 are the newest RANK_WINDOW ones (after filters): search cost stays bounded
#: however common the words are, and recent work wins ties anyway.
RANK_WINDOW = 2000


def fts_query(text: str) -> str:
    """A safe FTS5 query from free text: every word must occur; ``word*`` matches a prefix."""
    import re

    terms = []
    for token in re.findall(_WORD, text):
        prefix = token.endswith("*") and len(token) > 1
        word = token.rstrip("*") if prefix else token
        terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms)



class SQLiteCommands(SqlCommands):
    """The commands port on SQLite: new rows reach ``commands_fts`` in one statement per batch."""

    def _before_insert(self) -> int:
        return int(self._db.rows("SELECT COALESCE(MAX(rowid), 0) FROM commands")[0][0])

    def _index_new(self, mark: int) -> None:
        # New rows take rowids above the old maximum: the batch's transaction is the only writer.
        self._db.run("INSERT INTO commands_fts(rowid, command) SELECT rowid, command FROM commands WHERE rowid > ?",
                     (mark,))


class SQLiteFullText:
    """BM25 search over the FTS5 tables kept in sync with ``commands`` and ``entries`` (the fulltext port)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def search(self, text: str, query: CommandQuery, *, kinds: Sequence[str] = ("command", "intent"),
               limit: int = 20) -> list[SearchHit]:
        """BM25-ranked matches over commands and intent entries (filters apply to both where they can)."""
        match = fts_query(text)
        if not match:
            return []
        hits: list[SearchHit] = []
        if "command" in kinds:
            hits += self._search_commands(match, query, limit)
        if "intent" in kinds and query.cwd is None and query.exit is None and not query.failed \
                and query.host is None and query.repo_root is None:
            hits += self._search_entries(match, query, limit)
        hits.sort(key=lambda hit: (hit.score, -hit.at_ms))
        return hits[:limit]

    def _search_commands(self, match: str, query: CommandQuery, limit: int) -> list[SearchHit]:
        where, params = command_filters(query)
        join = " JOIN commands c ON c.rowid = commands_fts.rowid" if len(where) > 1 else ""
        sql = ("SELECT c.id, w.score, c.command, p.name, c.start_ms FROM ("
               "SELECT rid, score FROM ("
               f"SELECT commands_fts.rowid AS rid, bm25(commands_fts) AS score FROM commands_fts{join}"
               f" WHERE commands_fts MATCH ? AND {' AND '.join(where)}"
               " ORDER BY commands_fts.rowid DESC LIMIT ?) ORDER BY score, rid DESC LIMIT ?) w"
               " JOIN commands c ON c.rowid = w.rid LEFT JOIN panes p ON p.id = c.pane_id"
               " ORDER BY w.score, w.rid DESC")
        rows = self._db.rows(sql, [match, *params, RANK_WINDOW, limit])
        from perth.capture.records import SearchHit

        return [SearchHit("command", r[0], float(r[1]), r[2], r[3], r[4]) for r in rows]

    def _search_entries(self, match: str, query: CommandQuery, limit: int) -> list[SearchHit]:
        where: list[str] = ["e.deleted_at IS NULL"]
        params: list[Any] = []
        if query.pane_ids:
            where.append(f"e.pane_id IN ({', '.join('?' * len(query.pane_ids))})")
            params.extend(query.pane_ids)
        for clause, value in (("e.ts >= ?", query.since), ("e.ts <= ?", query.until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = ("SELECT e.id, w.score, e.summary, p.name, e.ts FROM ("
               "SELECT rid, score FROM ("
               "SELECT entries_fts.rowid AS rid, bm25(entries_fts) AS score FROM entries_fts"
               " JOIN entries e ON e.rowid = entries_fts.rowid"
               f" WHERE entries_fts MATCH ? AND {' AND '.join(where)} ORDER BY entries_fts.rowid DESC LIMIT ?)"
               " ORDER BY score, rid DESC LIMIT ?) w"
               " JOIN entries e ON e.rowid = w.rid JOIN panes p ON p.id = e.pane_id"
               " ORDER BY w.score, w.rid DESC")
        rows = self._db.rows(sql, [match, *params, RANK_WINDOW, limit])
        from perth.capture.records import SearchHit

        return [SearchHit("intent", r[0], float(r[1]), r[2], r[3], r[4]) for r in rows]
