"""SQLite table of terminal workspace snapshots (C6).

A mixin of :class:`perth.store.sqlite.SQLiteStore` (migration ``m007_snapshots``).  A snapshot is
kept whole as its ``perth.snapshot.v1`` JSON, with name, scope, kind, pin and digest in columns for
the list, prune and "identical to the previous one" queries.  The records come from
:mod:`perth.mux.model`, imported inside the methods so that ``perth log`` never loads ``perth.mux``.
"""

from __future__ import annotations

import sqlite3

from perth.errors import ConflictError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from typing import Any

    from perth.mux.model import Snapshot


def _snapshot(row: Sequence[Any]) -> Snapshot:
    import json

    from perth.mux.model import Snapshot
    from perth.record import replace

    return replace(Snapshot.from_json(json.loads(row[0])), pinned=bool(row[1]))


class SnapshotTables:
    """The snapshot part of the Store port (see :class:`perth.store.port.Store`)."""

    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[None]: ...
        def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor: ...
        def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    def add_snapshot(self, snapshot: Snapshot, digest: str) -> None:
        """Store a snapshot; a snapshot of the same name is a conflict."""
        import json

        try:
            with self.transaction():
                self._run("INSERT INTO mux_snapshots(id, name, created_at, mux, scope, kind, pinned, digest, panes,"
                          " document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (snapshot.id, snapshot.name, snapshot.created_at, snapshot.mux, snapshot.scope,
                           snapshot.kind, int(snapshot.pinned), digest, snapshot.pane_count,
                           json.dumps(snapshot.to_json(), sort_keys=True)))
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"a snapshot named {snapshot.name!r} already exists",
                                "choose another name, or `perth snapshot delete` the old one") from exc

    def get_snapshot(self, name: str) -> Snapshot | None:
        """One snapshot by name."""
        rows = self._rows("SELECT document, pinned FROM mux_snapshots WHERE name = ?", (name,))
        return _snapshot(rows[0]) if rows else None

    def list_snapshots(self, *, scope: str | None = None) -> list[Snapshot]:
        """Every snapshot (or those of one scope), newest first."""
        where, params = ("WHERE scope = ?", (scope,)) if scope is not None else ("", ())
        rows = self._rows(f"SELECT document, pinned FROM mux_snapshots {where}"
                          " ORDER BY created_at DESC, id DESC", params)
        return [_snapshot(row) for row in rows]

    def latest_snapshot_digest(self, scope: str) -> str | None:
        """The digest of the newest snapshot of a scope."""
        rows = self._rows("SELECT digest FROM mux_snapshots WHERE scope = ? ORDER BY created_at DESC, id DESC"
                          " LIMIT 1", (scope,))
        return rows[0][0] if rows else None

    def delete_snapshot(self, name: str) -> bool:
        """Delete a snapshot; whether it existed."""
        with self.transaction():
            return self._run("DELETE FROM mux_snapshots WHERE name = ?", (name,)).rowcount > 0

    def pin_snapshot(self, name: str, pinned: bool) -> bool:
        """Pin or unpin a snapshot; whether it exists."""
        with self.transaction():
            return self._run("UPDATE mux_snapshots SET pinned = ? WHERE name = ?", (int(pinned), name)).rowcount > 0
