"""Table of terminal workspace snapshots (C6).

The snapshots port over one :class:`~perth.store.sql.SqlDatabase` (migration ``m007_snapshots``).  A snapshot is
kept whole as its ``perth.snapshot.v1`` JSON, with name, scope, kind, pin and digest in columns for
the list, prune and "identical to the previous one" queries.  The records come from
:mod:`perth.mux.model`, imported inside the methods so that ``perth log`` never loads ``perth.mux``.
"""

from __future__ import annotations

from perth.errors import ConflictError
from perth.store.sql import IntegrityViolation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.mux.model import Snapshot
    from perth.store.sql import SqlDatabase


def _snapshot(row: Sequence[Any]) -> Snapshot:
    import json

    from perth.mux.model import Snapshot
    from perth.record import replace

    return replace(Snapshot.from_json(json.loads(row[0])), pinned=bool(row[1]))


class SqlSnapshots:
    """The snapshots port (see :class:`perth.store.ports.snapshots.SnapshotRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db


    def add(self, snapshot: Snapshot, digest: str) -> None:
        """Store a snapshot; a snapshot of the same name is a conflict."""
        import json

        try:
            with self._db.transaction():
                self._db.run("INSERT INTO mux_snapshots(id, name, created_at, mux, scope, kind, pinned, digest, panes,"
                          " document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (snapshot.id, snapshot.name, snapshot.created_at, snapshot.mux, snapshot.scope,
                           snapshot.kind, int(snapshot.pinned), digest, snapshot.pane_count,
                           json.dumps(snapshot.to_json(), sort_keys=True)))
        except IntegrityViolation as exc:
            raise ConflictError(f"a snapshot named {snapshot.name!r} already exists",
                                "choose another name, or `perth snapshot delete` the old one") from exc

    def get(self, name: str) -> Snapshot | None:
        """One snapshot by name."""
        rows = self._db.rows("SELECT document, pinned FROM mux_snapshots WHERE name = ?", (name,))
        return _snapshot(rows[0]) if rows else None

    def all(self, *, scope: str | None = None) -> list[Snapshot]:
        """Every snapshot (or those of one scope), newest first."""
        where, params = ("WHERE scope = ?", (scope,)) if scope is not None else ("", ())
        rows = self._db.rows(f"SELECT document, pinned FROM mux_snapshots {where}"
                          " ORDER BY created_at DESC, id DESC", params)
        return [_snapshot(row) for row in rows]

    def digests(self) -> dict[str, str]:
        """The digest of every snapshot, by name."""
        return {row[0]: row[1] for row in self._db.rows("SELECT name, digest FROM mux_snapshots ORDER BY name")}

    def latest_digest(self, scope: str) -> str | None:
        """The digest of the newest snapshot of a scope."""
        rows = self._db.rows("SELECT digest FROM mux_snapshots WHERE scope = ? ORDER BY created_at DESC, id DESC"
                          " LIMIT 1", (scope,))
        return rows[0][0] if rows else None

    def delete(self, name: str) -> bool:
        """Delete a snapshot; whether it existed."""
        with self._db.transaction():
            return self._db.run("DELETE FROM mux_snapshots WHERE name = ?", (name,)).rowcount > 0

    def pin(self, name: str, pinned: bool) -> bool:
        """Pin or unpin a snapshot; whether it exists."""
        with self._db.transaction():
            return self._db.run("UPDATE mux_snapshots SET pinned = ? WHERE name = ?", (int(pinned), name)).rowcount > 0
