"""Tables of captured commands, spool cursors and quarantined spool fragments: the commands port.

Written in the SQL SQLite and PostgreSQL share.  Memory search indexes the commands apart
(:mod:`perth.search`), reading them through the ``search_index`` port.
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from perth.capture.records import Command, CommandQuery, SpoolCursor
    from perth.store.sql import SqlDatabase

COMMAND_COLUMNS = ("c.id, c.pane_id, p.name, c.start_ms, c.duration_ms, c.exit, c.command, c.cwd, c.repo_root,"
                    " c.branch, c.shell, c.session, c.host, c.\"user\", c.source, c.dedup_key, c.owner")


#: The INSERT's parameters of a command, read in C (not 16 attribute reads in a Python loop).
_INSERTED = attrgetter("id", "pane_id", "start_ms", "duration_ms", "exit", "command", "cwd", "repo_root", "branch",
                       "shell", "session", "host", "user", "source", "dedup_key", "owner")


def command_from_row(row: Sequence[Any]) -> Command:
    from perth.capture.records import Command

    return Command(*row)


class SqlCommands:
    """Commands, spool cursors and quarantined spool fragments (the commands port)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(self, commands: Sequence[Command], cursor: SpoolCursor | None = None) -> int:
        """Insert commands not seen before (by ``dedup_key``) and advance ``cursor``, atomically."""
        with self._db.transaction():
            inserted = self._db.run_many(
                    "INSERT INTO commands(id, pane_id, start_ms, duration_ms, exit, command, cwd, repo_root, branch,"
                    " shell, session, host, \"user\", source, dedup_key, owner)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedup_key) DO NOTHING",
                    list(map(_INSERTED, commands))).rowcount
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

    def cursors(self) -> list[SpoolCursor]:
        """Every spool cursor, by path."""
        from perth.capture.records import SpoolCursor

        rows = self._db.rows("SELECT path, byte_offset FROM spool_cursors ORDER BY path")
        return [SpoolCursor(path=row[0], offset=int(row[1])) for row in rows]

    def quarantine(self, path: str, offset: int, text: str, reason: str, at: int) -> None:
        """Keep an unusable spool fragment (already redacted) and why it could not be ingested."""
        with self._db.transaction():
            self._db.run("INSERT INTO spool_quarantine(path, byte_offset, text, reason, at) VALUES (?, ?, ?, ?, ?)",
                      (path, offset, text, reason, at))

    def quarantined(self) -> list[tuple[str, int, str, str, int]]:
        """Every quarantined fragment: path, offset, redacted text, reason, time."""
        return [tuple(row) for row in self._db.rows(
            "SELECT path, byte_offset, text, reason, at FROM spool_quarantine ORDER BY id")]

    def count(self) -> int:
        """How many commands the store holds (every one ingested or imported)."""
        return int(self._db.rows("SELECT COUNT(*) FROM commands")[0][0])

    def query(self, query: CommandQuery) -> list[Command]:
        """Filtered, paged commands."""
        where, params = command_filters(query)
        order = "ASC" if query.oldest_first else "DESC"
        if query.cursor is not None:
            where.append(f"(c.start_ms, c.id) {'>' if query.oldest_first else '<'} (?, ?)")
            params.extend(query.cursor)
        # the page is chosen from commands alone, then joined to its panes: without the join, SQLite
        # reads several panes' index ranges in order and stops after the page (with it, it sorted
        # every command of those panes)
        ordered = f"ORDER BY c.start_ms {order}, c.id {order}"
        sql = (f"SELECT {COMMAND_COLUMNS} FROM (SELECT * FROM commands c WHERE {' AND '.join(where)} {ordered}"
               f" LIMIT ? OFFSET ?) c LEFT JOIN panes p ON p.id = c.pane_id {ordered}")
        return [command_from_row(row) for row in self._db.rows(sql, [*params, query.limit, query.offset])]

    def stream(self, query: CommandQuery) -> Iterator[Command]:
        """Every matching command, oldest first, in pages."""
        from perth.capture.records import CommandQuery

        cursor = None
        while True:
            page = self.query(CommandQuery(**{**query_fields(query), "limit": 1000, "cursor": cursor,
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



def query_fields(query: CommandQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in query._fields}


def command_filters(query: CommandQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if query.pane_ids:
        where.append(f"c.pane_id IN ({', '.join('?' * len(query.pane_ids))})")
        params.extend(query.pane_ids)
    if query.visible is not None:
        from perth.store.sql_visible import visible_rows

        clause, visible = visible_rows(query.visible, "c")
        where.append(clause)
        params.extend(visible)
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
