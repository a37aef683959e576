"""The SQLite adapter of the Store port: the embedded default.

WAL mode (many readers, one writer), a busy timeout, foreign keys on, and short
``BEGIN IMMEDIATE`` transactions.  SQLite's exceptions are translated here into
:class:`perth.errors.StoreError` subclasses whose messages say how to fix the
problem.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager

from perth.errors import ConflictError
from perth.records import Entry, EntryQuery, ImportCounts, Pane, PaneQuery, RedactionCount, StoreInfo
from perth.store.migrations import LATEST_VERSION
from perth.store.sqlite_commands import CommandTables
from perth.store.sqlite_db import SQLiteDatabase
from perth.store.sqlite_llm import LlmTables
from perth.store.sqlite_shellperf import ShellperfTables
from perth.store.sqlite_snapshots import SnapshotTables

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.store.sqlite_search import SQLiteSearchIndex

_PANE_COLUMNS = ("id, name, status, session, tab, mux_kind, mux_pane_id, cwd, repo_root, branch,"
                 " tags, meta, created_at, last_seen_at, deleted_at")
_ENTRY_COLUMNS = ("e.id, e.pane_id, p.name, e.ts, e.summary, e.type, e.source, e.agent, e.artifacts,"
                  " e.commands_run, e.goal_delta, e.tags, e.schema_version, e.updated_at, e.deleted_at")


def _to_json(value: object) -> str:
    """JSON for list and object columns; empty ones skip the :mod:`json` import (hot path)."""
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    import json

    return json.dumps(value, sort_keys=True)


def _from_json(text: str | None) -> Any:
    if not text or text in ("[]", "{}"):
        return {} if text == "{}" else []
    import json

    return json.loads(text)


def _json_list(value: str | None) -> tuple[str, ...]:
    return tuple(_from_json(value))


def _pane(row: Sequence[Any]) -> Pane:
    return Pane(
        id=row[0], name=row[1], status=row[2], session=row[3], tab=row[4], mux_kind=row[5],
        mux_pane_id=row[6], cwd=row[7], repo_root=row[8], branch=row[9],
        tags=_json_list(row[10]), meta=_from_json(row[11]) or {},
        created_at=row[12], last_seen_at=row[13], deleted_at=row[14],
    )


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=row[0], pane_id=row[1], pane_name=row[2], ts=row[3], summary=row[4], type=row[5],
        source=row[6], agent=row[7], artifacts=_json_list(row[8]),
        commands_run=_json_list(row[9]), goal_delta=row[10], tags=_json_list(row[11]),
        schema_version=row[12], updated_at=row[13], deleted_at=row[14],
    )


def _pane_params(pane: Pane) -> tuple[Any, ...]:
    return (
        pane.id, pane.name, pane.status, pane.session, pane.tab, pane.mux_kind, pane.mux_pane_id,
        pane.cwd, pane.repo_root, pane.branch, _to_json(list(pane.tags)),
        _to_json(dict(pane.meta)), pane.created_at, pane.last_seen_at,
        pane.deleted_at,
    )


def _entry_params(entry: Entry) -> tuple[Any, ...]:
    return (
        entry.id, entry.pane_id, entry.ts, entry.summary, entry.type, entry.source, entry.agent,
        _to_json(list(entry.artifacts)), _to_json(list(entry.commands_run)), entry.goal_delta,
        _to_json(list(entry.tags)), entry.schema_version, entry.updated_at, entry.deleted_at,
    )


_INSERT_ENTRY = (
    "INSERT INTO entries(id, pane_id, ts, summary, type, source, agent, artifacts, commands_run,"
    " goal_delta, tags, schema_version, updated_at, deleted_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@contextmanager
def _unit(store: SQLiteStore) -> Iterator[SQLiteStore]:
    with store.db.transaction():
        yield store


class SQLiteStore(CommandTables, ShellperfTables, SnapshotTables, LlmTables):
    """Store port over one SQLite file."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_ms: int = 5000,
                 migrate_schema: bool = True) -> None:
        self.db = SQLiteDatabase(path, busy_timeout_ms=busy_timeout_ms, migrate_schema=migrate_schema)
        self.path = self.db.path
        self._search_index: SQLiteSearchIndex | None = None  # imported on first use: off the `perth log` path

    @property
    def search_index(self) -> SQLiteSearchIndex:
        """Search index state (C11), built on first use."""
        if self._search_index is None:
            from perth.store.sqlite_search import SQLiteSearchIndex

            self._search_index = SQLiteSearchIndex(self.db)
        return self._search_index

    # -- plumbing --------------------------------------------------------------------------

    def unit(self) -> AbstractContextManager[SQLiteStore]:
        """A unit of work: every repository call inside commits or rolls back together."""
        return _unit(self)

    def transaction(self) -> AbstractContextManager[None]:
        """One ``BEGIN IMMEDIATE`` transaction; nested calls join the outer one."""
        return self.db.transaction()

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.run(sql, params)

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self.db.run_many(sql, rows)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.db.rows(sql, params)

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.write(sql, params)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self.db.schema_version()

    def info(self) -> StoreInfo:
        """Adapter, location, schema version and row counts."""
        size = sum(os.path.getsize(p) for p in (self.path, f"{self.path}-wal") if os.path.exists(p))
        panes = self._rows("SELECT COUNT(*) FROM panes WHERE deleted_at IS NULL")[0][0]
        entries = self._rows("SELECT COUNT(*) FROM entries WHERE deleted_at IS NULL")[0][0]
        return StoreInfo(adapter="sqlite", location=self.path, schema_version=self.schema_version(),
                         latest_schema_version=LATEST_VERSION, size_bytes=size, panes=panes,
                         entries=entries)

    # -- panes -----------------------------------------------------------------------------

    def add_pane(self, pane: Pane) -> None:
        """Insert a pane; a live pane with the same name is a :class:`ConflictError`."""
        try:
            self._write(f"INSERT INTO panes({_PANE_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                        _pane_params(pane))
        except sqlite3.IntegrityError as exc:
            raise ConflictError(
                f"a pane named {pane.name!r} already exists",
                "pick another name, or rename/delete the existing pane",
            ) from exc

    def update_pane(self, pane: Pane) -> None:
        """Replace every field of the pane with this id."""
        columns = _PANE_COLUMNS.split(", ")[1:]
        assignments = ", ".join(f"{column} = ?" for column in columns)
        params = (*_pane_params(pane)[1:], pane.id)
        try:
            self._write(f"UPDATE panes SET {assignments} WHERE id = ?", params)
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"a pane named {pane.name!r} already exists",
                                "pick another name") from exc

    def get_pane(self, *, pane_id: str | None = None, name: str | None = None,
                 include_deleted: bool = False) -> Pane | None:
        """One pane by id or name (live panes only unless ``include_deleted``)."""
        column, value = ("id", pane_id) if pane_id is not None else ("name", name)
        live = "" if include_deleted else " AND deleted_at IS NULL"
        rows = self._rows(f"SELECT {_PANE_COLUMNS} FROM panes WHERE {column} = ?{live}"
                          " ORDER BY deleted_at IS NOT NULL, last_seen_at DESC LIMIT 1", (value,))
        return _pane(rows[0]) if rows else None

    def find_pane_by_mux(self, mux_kind: str, mux_pane_id: str) -> Pane | None:
        """The live pane registered for a multiplexer pane."""
        rows = self._rows(
            f"SELECT {_PANE_COLUMNS} FROM panes WHERE mux_kind = ? AND mux_pane_id = ?"
            " AND deleted_at IS NULL ORDER BY last_seen_at DESC LIMIT 1", (mux_kind, mux_pane_id))
        return _pane(rows[0]) if rows else None

    def list_panes(self, query: PaneQuery) -> list[Pane]:
        """Panes by status and tags, most recently seen first."""
        where = ["1 = 1"] if query.include_deleted else ["deleted_at IS NULL"]
        params: list[str] = []
        if query.statuses:
            where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
            params.extend(query.statuses)
        rows = self._rows(f"SELECT {_PANE_COLUMNS} FROM panes WHERE {' AND '.join(where)}"
                          " ORDER BY last_seen_at DESC, name", params)
        panes = [_pane(row) for row in rows]
        if query.tags:
            wanted = set(query.tags)
            panes = [pane for pane in panes if wanted.issubset(pane.tags)]
        return panes

    def count_entries(self, pane_id: str) -> int:
        """Live entries of one pane."""
        rows = self._rows("SELECT COUNT(*) FROM entries WHERE pane_id = ? AND deleted_at IS NULL",
                          (pane_id,))
        return int(rows[0][0])

    # -- entries ---------------------------------------------------------------------------

    def add_entry(self, entry: Entry) -> None:
        """Insert an entry and its tag index rows."""
        with self.transaction():
            self._run(_INSERT_ENTRY, _entry_params(entry))
            self._add_tags(entry)

    def _set_tags(self, entry: Entry) -> None:
        self._run("DELETE FROM entry_tags WHERE entry_id = ?", (entry.id,))
        self._add_tags(entry)

    def _add_tags(self, entry: Entry) -> None:
        for tag in entry.tags:
            self._run("INSERT INTO entry_tags(tag, entry_id) VALUES (?, ?)", (tag, entry.id))

    def update_entry(self, entry: Entry) -> None:
        """Replace an entry's fields by id."""
        params = _entry_params(entry)
        with self.transaction():
            self._run(
                "UPDATE entries SET pane_id = ?, ts = ?, summary = ?, type = ?, source = ?, agent = ?,"
                " artifacts = ?, commands_run = ?, goal_delta = ?, tags = ?, schema_version = ?,"
                " updated_at = ?, deleted_at = ? WHERE id = ?", (*params[1:], entry.id))
            self._set_tags(entry)

    def get_entry(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """One entry by full id."""
        live = "" if include_deleted else " AND e.deleted_at IS NULL"
        rows = self._rows(f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN panes p ON p.id = e.pane_id"
                          f" WHERE e.id = ?{live}", (entry_id,))
        return _entry(rows[0]) if rows else None

    def find_entry_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids ending with ``suffix``; eight or more characters use the short-id index."""
        if len(suffix) >= 8:
            sql = "SELECT id FROM entries WHERE substr(id, 29) = ? AND id LIKE ? ORDER BY id LIMIT ?"
            params: tuple[object, ...] = (suffix[-8:], f"%{suffix}", limit)
        else:
            sql, params = "SELECT id FROM entries WHERE id LIKE ? ORDER BY id LIMIT ?", (f"%{suffix}", limit)
        return [row[0] for row in self._rows(sql, params)]

    def query_entries(self, query: EntryQuery) -> list[Entry]:
        """Filtered, paged entries."""
        where, params = self._entry_filters(query)
        order = "ASC" if query.oldest_first else "DESC"
        if query.cursor is not None:
            where.append(f"(e.ts, e.id) {'>' if query.oldest_first else '<'} (?, ?)")
            params.extend(query.cursor)
        sql = (f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN panes p ON p.id = e.pane_id"
               f" WHERE {' AND '.join(where)} ORDER BY e.ts {order}, e.id {order} LIMIT ? OFFSET ?")
        return [_entry(row) for row in self._rows(sql, [*params, query.limit, query.offset])]

    @staticmethod
    def _entry_filters(query: EntryQuery) -> tuple[list[str], list[Any]]:
        where: list[str] = [] if query.include_deleted else ["e.deleted_at IS NULL"]
        params: list[Any] = []
        for column, values in (("e.pane_id", query.pane_ids), ("e.type", query.types),
                               ("e.source", query.sources)):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        for tag in query.tags:
            where.append("e.id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)")
            params.append(tag)
        for clause, value in (("e.agent = ?", query.agent), ("e.ts >= ?", query.since),
                              ("e.ts <= ?", query.until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        return where or ["1 = 1"], params

    def latest_entries(self, pane_ids: Sequence[str], *, types: Sequence[str] = (),
                       per_pane: int = 1) -> dict[str, list[Entry]]:
        """Newest live entries per pane, one indexed query per pane."""
        found: dict[str, list[Entry]] = {}
        for pane_id in pane_ids:
            query = EntryQuery(pane_ids=(pane_id,), types=tuple(types), limit=per_pane)
            found[pane_id] = self.query_entries(query)
        return found

    def iter_entries(self, pane_ids: Sequence[str] = (), *,
                     include_deleted: bool = False) -> Iterator[Entry]:
        """Every entry oldest first, in pages."""
        cursor: tuple[int, str] | None = None
        while True:
            page = self.query_entries(EntryQuery(pane_ids=tuple(pane_ids), limit=1000,
                                                 include_deleted=include_deleted,
                                                 cursor=cursor, oldest_first=True))
            yield from page
            if len(page) < 1000:
                return
            cursor = (page[-1].ts, page[-1].id)

    def import_records(self, panes: Iterable[Pane], entries: Iterable[Entry]) -> ImportCounts:
        """Insert what is missing (by id) in one transaction."""
        counts = {"panes_added": 0, "panes_skipped": 0, "entries_added": 0, "entries_skipped": 0}
        with self.transaction():
            for pane in panes:
                if self._rows("SELECT 1 FROM panes WHERE id = ?", (pane.id,)):
                    counts["panes_skipped"] += 1
                    continue
                self.add_pane(pane)
                counts["panes_added"] += 1
            for entry in entries:
                if self._rows("SELECT 1 FROM entries WHERE id = ?", (entry.id,)):
                    counts["entries_skipped"] += 1
                    continue
                self.add_entry(entry)
                counts["entries_added"] += 1
        return ImportCounts(**counts)

    # -- counters --------------------------------------------------------------------------

    def add_redaction_counts(self, counts: Mapping[tuple[str, str], int], at: int) -> None:
        """Add to the per-(rule, source) counters."""
        if not counts:
            return
        with self.transaction():
            for (rule_id, source), count in counts.items():
                self._run(
                    "INSERT INTO redaction_stats(rule_id, source, count, last_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(rule_id, source) DO UPDATE SET count = count + excluded.count,"
                    " last_at = excluded.last_at", (rule_id, source, count, at))

    def redaction_counts(self) -> list[RedactionCount]:
        """Every counter, most frequent first."""
        rows = self._rows("SELECT rule_id, source, count, last_at FROM redaction_stats"
                          " ORDER BY count DESC, rule_id, source")
        return [RedactionCount(*row) for row in rows]
