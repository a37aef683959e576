"""Table of panes (migration ``m001_panes``): the panes port."""

from __future__ import annotations

from perth.errors import ConflictError
from perth.records import Pane, PaneQuery
from perth.store.sql import IntegrityViolation
from perth.store.sql_json import from_json, json_list, to_json
from perth.store.sql_visible import visible_panes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.store.sql import SqlDatabase

PANE_COLUMNS = ("id, name, status, session, tab, mux_kind, mux_pane_id, cwd, repo_root, branch,"
                " tags, meta, created_at, last_seen_at, deleted_at, auto_key, owner, team")


def pane_from_row(row: Sequence[Any]) -> Pane:
    return Pane(
        id=row[0], name=row[1], status=row[2], session=row[3], tab=row[4], mux_kind=row[5],
        mux_pane_id=row[6], cwd=row[7], repo_root=row[8], branch=row[9],
        tags=json_list(row[10]), meta=from_json(row[11]) or {},
        created_at=row[12], last_seen_at=row[13], deleted_at=row[14], auto_key=row[15],
        owner=row[16], team=row[17],
    )


def _pane_params(pane: Pane) -> tuple[Any, ...]:
    return (
        pane.id, pane.name, pane.status, pane.session, pane.tab, pane.mux_kind, pane.mux_pane_id,
        pane.cwd, pane.repo_root, pane.branch, to_json(list(pane.tags)),
        to_json(dict(pane.meta)), pane.created_at, pane.last_seen_at,
        pane.deleted_at, pane.auto_key, pane.owner, pane.team,
    )


class SqlPanes:
    """The panes port (see :class:`perth.store.ports.panes.PaneRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(self, pane: Pane) -> None:
        """Insert a pane; a live pane with the same name is a :class:`ConflictError`.

        ``ON CONFLICT DO NOTHING`` rather than a failed statement: on PostgreSQL a failed statement
        aborts the whole transaction, and a caller may go on in it (another process created the
        pane first: write to that one)."""
        inserted = self._db.write(f"INSERT INTO panes({PANE_COLUMNS}) VALUES ({', '.join('?' * 18)})"
                                  " ON CONFLICT DO NOTHING", _pane_params(pane)).rowcount
        if not inserted:
            raise ConflictError(f"a pane named {pane.name!r} already exists",
                                "pick another name, or rename/delete the existing pane")

    @staticmethod
    def _owned(owner: str | None) -> tuple[str, tuple[str, ...]]:
        return ("", ()) if owner is None else (" AND owner = ?", (owner,))

    def update(self, pane: Pane) -> None:
        """Replace every field of the pane with this id."""
        columns = PANE_COLUMNS.split(", ")[1:]
        assignments = ", ".join(f"{column} = ?" for column in columns)
        params = (*_pane_params(pane)[1:], pane.id)
        try:
            self._db.write(f"UPDATE panes SET {assignments} WHERE id = ?", params)
        except IntegrityViolation as exc:
            raise ConflictError(f"a pane named {pane.name!r} already exists",
                                "pick another name") from exc

    def get(self, *, pane_id: str | None = None, name: str | None = None,
                 include_deleted: bool = False, owner: str | None = None) -> Pane | None:
        """One pane by id or name (live panes only unless ``include_deleted``; of ``owner`` when given)."""
        column, value = ("id", pane_id) if pane_id is not None else ("name", name)
        live = "" if include_deleted else " AND deleted_at IS NULL"
        mine, params = self._owned(owner)
        rows = self._db.rows(f"SELECT {PANE_COLUMNS} FROM panes WHERE {column} = ?{live}{mine}"
                          " ORDER BY deleted_at IS NOT NULL, last_seen_at DESC LIMIT 1", (value, *params))
        return pane_from_row(rows[0]) if rows else None

    def find_by_mux(self, mux_kind: str, mux_pane_id: str, *, owner: str | None = None) -> Pane | None:
        """The live pane registered for a multiplexer pane (of ``owner`` when given)."""
        mine, params = self._owned(owner)
        rows = self._db.rows(
            f"SELECT {PANE_COLUMNS} FROM panes WHERE mux_kind = ? AND mux_pane_id = ?"
            f" AND deleted_at IS NULL{mine} ORDER BY last_seen_at DESC LIMIT 1", (mux_kind, mux_pane_id, *params))
        return pane_from_row(rows[0]) if rows else None

    def find_by_auto_key(self, auto_key: str, *, owner: str | None = None) -> Pane | None:
        """The live automatic pane standing for a place (``perth.panes.automatic``; of ``owner`` when given)."""
        mine, params = self._owned(owner)
        rows = self._db.rows(
            f"SELECT {PANE_COLUMNS} FROM panes WHERE auto_key = ? AND deleted_at IS NULL{mine}"
            " ORDER BY created_at LIMIT 1", (auto_key, *params))
        return pane_from_row(rows[0]) if rows else None

    def query(self, query: PaneQuery) -> list[Pane]:
        """Panes by status and tags, most recently seen first."""
        where = ["1 = 1"] if query.include_deleted else ["deleted_at IS NULL"]
        params: list[str] = []
        if query.visible is not None:
            clause, visible = visible_panes(query.visible)
            where.append(clause)
            params.extend(visible)
        if query.statuses:
            where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
            params.extend(query.statuses)
        rows = self._db.rows(f"SELECT {PANE_COLUMNS} FROM panes WHERE {' AND '.join(where)}"
                          " ORDER BY last_seen_at DESC, name", params)
        panes = [pane_from_row(row) for row in rows]
        if query.tags:
            wanted = set(query.tags)
            panes = [pane for pane in panes if wanted.issubset(pane.tags)]
        return panes

    def count(self) -> int:
        """Live panes."""
        return int(self._db.rows("SELECT COUNT(*) FROM panes WHERE deleted_at IS NULL")[0][0])
