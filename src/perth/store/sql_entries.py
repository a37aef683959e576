"""Tables of intent entries and their tag index (migrations ``m002``, ``m003``): the entries port."""

from __future__ import annotations

from perth.errors import ConflictError
from perth.records import Entry, EntryQuery
from perth.store.sql import IntegrityViolation
from perth.store.sql_json import json_list, to_json
from perth.store.sql_visible import visible_rows

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from perth.store.sql import SqlDatabase

_ENTRY_COLUMNS = ("e.id, e.pane_id, p.name, e.ts, e.summary, e.type, e.source, e.agent, e.artifacts,"
                  " e.commands_run, e.goal_delta, e.tags, e.schema_version, e.updated_at, e.deleted_at, e.owner")


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=row[0], pane_id=row[1], pane_name=row[2], ts=row[3], summary=row[4], type=row[5],
        source=row[6], agent=row[7], artifacts=json_list(row[8]),
        commands_run=json_list(row[9]), goal_delta=row[10], tags=json_list(row[11]),
        schema_version=row[12], updated_at=row[13], deleted_at=row[14], owner=row[15],
    )


def _entry_params(entry: Entry) -> tuple[Any, ...]:
    return (
        entry.id, entry.pane_id, entry.ts, entry.summary, entry.type, entry.source, entry.agent,
        to_json(list(entry.artifacts)), to_json(list(entry.commands_run)), entry.goal_delta,
        to_json(list(entry.tags)), entry.schema_version, entry.updated_at, entry.deleted_at, entry.owner,
    )


_INSERT_ENTRY = (
    "INSERT INTO entries(id, pane_id, ts, summary, type, source, agent, artifacts, commands_run,"
    " goal_delta, tags, schema_version, updated_at, deleted_at, owner)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class SqlEntries:
    """The entries port (see :class:`perth.store.ports.entries.EntryRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(self, entry: Entry) -> None:
        """Insert an entry and its tag index rows; its pane must exist and its id be new."""
        try:
            with self._db.transaction():
                self._db.run(_INSERT_ENTRY, _entry_params(entry))
                self._add_tags(entry)
        except IntegrityViolation as exc:
            raise ConflictError(f"entry {entry.id} is already stored, or its pane {entry.pane_id} does not exist",
                                "log into an existing pane (perth pane list); import panes with their entries") from exc

    def _set_tags(self, entry: Entry) -> None:
        self._db.run("DELETE FROM entry_tags WHERE entry_id = ?", (entry.id,))
        self._add_tags(entry)

    def _add_tags(self, entry: Entry) -> None:
        for tag in entry.tags:
            self._db.run("INSERT INTO entry_tags(tag, entry_id) VALUES (?, ?)", (tag, entry.id))

    def update(self, entry: Entry) -> None:
        """Replace an entry's fields by id."""
        params = _entry_params(entry)
        with self._db.transaction():
            self._db.run(
                "UPDATE entries SET pane_id = ?, ts = ?, summary = ?, type = ?, source = ?, agent = ?,"
                " artifacts = ?, commands_run = ?, goal_delta = ?, tags = ?, schema_version = ?,"
                " updated_at = ?, deleted_at = ?, owner = ? WHERE id = ?", (*params[1:], entry.id))
            self._set_tags(entry)

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """One entry by full id."""
        live = "" if include_deleted else " AND e.deleted_at IS NULL"
        rows = self._db.rows(f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN panes p ON p.id = e.pane_id"
                          f" WHERE e.id = ?{live}", (entry_id,))
        return _entry(rows[0]) if rows else None

    def find_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids ending with ``suffix``; eight or more characters use the short-id index."""
        if len(suffix) >= 8:
            sql = "SELECT id FROM entries WHERE substr(id, 29) = ? AND id LIKE ? ORDER BY id LIMIT ?"
            params: tuple[object, ...] = (suffix[-8:], f"%{suffix}", limit)
        else:
            sql, params = "SELECT id FROM entries WHERE id LIKE ? ORDER BY id LIMIT ?", (f"%{suffix}", limit)
        return [row[0] for row in self._db.rows(sql, params)]

    def query(self, query: EntryQuery) -> list[Entry]:
        """Filtered, paged entries."""
        where, params = self._entry_filters(query)
        order = "ASC" if query.oldest_first else "DESC"
        if query.cursor is not None:
            where.append(f"(e.ts, e.id) {'>' if query.oldest_first else '<'} (?, ?)")
            params.extend(query.cursor)
        sql = (f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN panes p ON p.id = e.pane_id"
               f" WHERE {' AND '.join(where)} ORDER BY e.ts {order}, e.id {order} LIMIT ? OFFSET ?")
        return [_entry(row) for row in self._db.rows(sql, [*params, query.limit, query.offset])]

    @staticmethod
    def _entry_filters(query: EntryQuery) -> tuple[list[str], list[Any]]:
        where: list[str] = [] if query.include_deleted else ["e.deleted_at IS NULL"]
        params: list[Any] = []
        for column, values in (("e.pane_id", query.pane_ids), ("e.type", query.types),
                               ("e.source", query.sources)):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if query.visible is not None:
            clause, visible = visible_rows(query.visible, "e")
            where.append(clause)
            params.extend(visible)
        for tag in query.tags:
            where.append("e.id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)")
            params.append(tag)
        for clause, value in (("e.agent = ?", query.agent), ("e.ts >= ?", query.since),
                              ("e.ts <= ?", query.until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        return where or ["1 = 1"], params

    def latest(self, pane_ids: Sequence[str], *, types: Sequence[str] = (),
                       per_pane: int = 1) -> dict[str, list[Entry]]:
        """Newest live entries per pane, one indexed query per pane."""
        found: dict[str, list[Entry]] = {}
        for pane_id in pane_ids:
            query = EntryQuery(pane_ids=(pane_id,), types=tuple(types), limit=per_pane)
            found[pane_id] = self.query(query)
        return found

    def stream(self, pane_ids: Sequence[str] = (), *,
                     include_deleted: bool = False) -> Iterator[Entry]:
        """Every entry oldest first, in pages."""
        from perth.store.ports.entries import in_pages

        return in_pages(self.query, pane_ids, include_deleted=include_deleted)

    def count(self, pane_id: str | None = None) -> int:
        """Live entries of one pane, or of the whole store."""
        if pane_id is None:
            return int(self._db.rows("SELECT COUNT(*) FROM entries WHERE deleted_at IS NULL")[0][0])
        rows = self._db.rows("SELECT COUNT(*) FROM entries WHERE pane_id = ? AND deleted_at IS NULL", (pane_id,))
        return int(rows[0][0])
