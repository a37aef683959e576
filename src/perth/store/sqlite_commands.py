"""SQLite tables for captured commands, spool cursors and full-text search.

The commands and fulltext ports over one :class:`SQLiteDatabase`.  Full-text search uses FTS5
tables kept in sync with ``commands`` (new rows by batch, from :meth:`SQLiteCommands.add`; deletes
and updates by triggers) and ``entries`` (triggers),
ranked with BM25.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from perth.capture.records import Command, CommandQuery, SearchHit, SpoolCursor
    from perth.store.sqlite_db import SQLiteDatabase

_COMMAND_COLUMNS = ("c.id, c.pane_id, p.name, c.start_ms, c.duration_ms, c.exit, c.command, c.cwd, c.repo_root,"
                    " c.branch, c.shell, c.session, c.host, c.user, c.source, c.dedup_key")
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


def _command(row: Sequence[Any]) -> Command:
    from perth.capture.records import Command

    return Command(*row)


class SQLiteCommands:
    """Commands, spool cursors and quarantined spool fragments (the commands port)."""

    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db


    def add(self, commands: Sequence[Command], cursor: SpoolCursor | None = None) -> int:
        """Insert commands not seen before (by ``dedup_key``), index them for full-text search and
        advance ``cursor``, atomically."""
        with self._db.transaction():
            before = self._db.rows("SELECT COALESCE(MAX(rowid), 0) FROM commands")[0][0]
            inserted = self._db.run_many(
                    "INSERT INTO commands(id, pane_id, start_ms, duration_ms, exit, command, cwd, repo_root, branch,"
                    " shell, session, host, user, source, dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?) ON CONFLICT(dedup_key) DO NOTHING",
                    [(c.id, c.pane_id, c.start_ms, c.duration_ms, c.exit, c.command, c.cwd, c.repo_root, c.branch,
                      c.shell, c.session, c.host, c.user, c.source, c.dedup_key) for c in commands]).rowcount
            if inserted:  # new rows take rowids above the old maximum (one writer: BEGIN IMMEDIATE)
                self._db.run("INSERT INTO commands_fts(rowid, command) SELECT rowid, command FROM commands"
                             " WHERE rowid > ?", (before,))
            if cursor is not None:
                self.set_offset(cursor)
        return inserted

    def set_offset(self, cursor: SpoolCursor) -> None:
        """Record how far a spool file has been ingested."""
        self._db.run("INSERT INTO spool_cursors(path, byte_offset) VALUES (?, ?)"
                  " ON CONFLICT(path) DO UPDATE SET byte_offset = excluded.byte_offset", (cursor.path, cursor.offset))

    def offset(self, path: str) -> int:
        """Bytes of ``path`` already ingested (0 for a new file)."""
        rows = self._db.rows("SELECT byte_offset FROM spool_cursors WHERE path = ?", (path,))
        return int(rows[0][0]) if rows else 0

    def forget_spool(self, path: str) -> None:
        """Drop the cursor of a spool file that has been deleted."""
        with self._db.transaction():
            self._db.run("DELETE FROM spool_cursors WHERE path = ?", (path,))

    def quarantine(self, path: str, offset: int, text: str, reason: str, at: int) -> None:
        """Keep an unusable spool fragment (already redacted) and why it could not be ingested."""
        with self._db.transaction():
            self._db.run("INSERT INTO spool_quarantine(path, byte_offset, text, reason, at) VALUES (?, ?, ?, ?, ?)",
                      (path, offset, text, reason, at))

    def quarantined(self) -> list[tuple[str, int, str, str, int]]:
        """Every quarantined fragment: path, offset, redacted text, reason, time."""
        return [tuple(row) for row in self._db.rows(
            "SELECT path, byte_offset, text, reason, at FROM spool_quarantine ORDER BY id")]

    def query(self, query: CommandQuery) -> list[Command]:
        """Filtered, paged commands."""
        where, params = _command_filters(query)
        order = "ASC" if query.oldest_first else "DESC"
        if query.cursor is not None:
            where.append(f"(c.start_ms, c.id) {'>' if query.oldest_first else '<'} (?, ?)")
            params.extend(query.cursor)
        sql = (f"SELECT {_COMMAND_COLUMNS} FROM commands c LEFT JOIN panes p ON p.id = c.pane_id"
               f" WHERE {' AND '.join(where)} ORDER BY c.start_ms {order}, c.id {order} LIMIT ? OFFSET ?")
        return [_command(row) for row in self._db.rows(sql, [*params, query.limit, query.offset])]

    def stream(self, query: CommandQuery) -> Iterator[Command]:
        """Every matching command, oldest first, in pages."""
        from perth.capture.records import CommandQuery

        cursor = None
        while True:
            page = self.query(CommandQuery(**{**_fields(query), "limit": 1000, "cursor": cursor,
                                                       "oldest_first": True, "offset": 0}))
            yield from page
            if len(page) < 1000:
                return
            cursor = (page[-1].start_ms, page[-1].id)

    def between(self, pane_id: str, after_ms: int, until_ms: int, limit: int = 50) -> list[str]:
        """Command lines run in a pane in ``(after_ms, until_ms]``, oldest first."""
        rows = self._db.rows("SELECT command FROM commands WHERE pane_id = ? AND start_ms > ? AND start_ms <= ?"
                          " ORDER BY start_ms DESC LIMIT ?", (pane_id, after_ms, until_ms, limit))
        return [row[0] for row in reversed(rows)]



class SQLiteFullText:
    """BM25 search over the FTS5 tables kept in sync with ``commands`` and ``entries`` (the fulltext port)."""

    def __init__(self, db: SQLiteDatabase) -> None:
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
        where, params = _command_filters(query)
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


def _fields(query: CommandQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in query._fields}


def _command_filters(query: CommandQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if query.pane_ids:
        where.append(f"c.pane_id IN ({', '.join('?' * len(query.pane_ids))})")
        params.extend(query.pane_ids)
    if query.cwd is not None:
        where.append("(c.cwd = ? OR c.cwd LIKE ? ESCAPE '\\')")
        params += [query.cwd, _like_prefix(query.cwd.rstrip("/") + "/")]
    if query.failed:
        where.append("c.exit != 0")
    for clause, value in (("c.repo_root = ?", query.repo_root), ("c.exit = ?", query.exit),
                          ("c.host = ?", query.host), ("c.start_ms >= ?", query.since),
                          ("c.start_ms <= ?", query.until)):
        if value is not None:
            where.append(clause)
            params.append(value)
    return where, params


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
