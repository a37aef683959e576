"""The panes port on Redis: ``pane:{name}`` hashes, the ``panes`` index set (see docs/team.md).

A live pane is the hash ``pane:{name}`` (its name is in the set ``panes``); a soft-deleted one
frees its name and moves to ``pane-deleted:{id}`` (its id in the set ``panes-deleted``).  The hash
``pane-ids`` maps every pane id to the key of its record.  Panes are few (hundreds), so queries
read every live pane and filter and order them here.
"""

from __future__ import annotations

from perth.errors import ConflictError
from perth.records import Pane, PaneQuery
from perth.store.redis_db import decode, encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.store.redis_db import RedisDatabase, Unit

_INTS = ("created_at", "last_seen_at", "deleted_at")
_JSONS = ("tags", "meta")


def pane_from_hash(fields: dict[str, str]) -> Pane:
    """The pane a ``pane:{name}`` hash holds."""
    return decode(Pane, fields, ints=_INTS, jsons=_JSONS)


class RedisPanes:
    """The panes port (see :class:`perth.store.ports.panes.PaneRepo`)."""

    def __init__(self, db: RedisDatabase) -> None:
        self._db = db
        self._ids = db.key("pane-ids")

    def _record_key(self, pane: Pane) -> str:
        if pane.deleted_at is None:
            return self._db.key("pane", pane.name)
        return self._db.key("pane-deleted", pane.id)

    def add(self, pane: Pane) -> None:
        """Insert a pane; a live pane with the same name (or a known id) is a :class:`ConflictError`."""
        with self._db.transaction() as unit:
            key = self._record_key(pane)
            if unit.peek(self._ids, pane.id) is not None or unit.read_hash(key):  # the name is watched
                raise ConflictError(f"a pane named {pane.name!r} already exists",
                                    "pick another name, or rename/delete the existing pane")
            self._write(unit, pane, key)

    def _write(self, unit: Unit, pane: Pane, key: str) -> None:
        fields = encode(pane, jsons=_JSONS)
        live, ids = pane.deleted_at is None, self._ids
        index, member = (self._db.key("panes"), pane.name) if live else (self._db.key("panes-deleted"), pane.id)

        def op(pipe: Any) -> None:
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            pipe.sadd(index, member)
            pipe.hset(ids, pane.id, key)

        unit.queue(op)
        unit.stage(key, "", fields)
        unit.stage(ids, pane.id, key)

    def update(self, pane: Pane) -> None:
        """Replace every field of the pane with this id (an unknown id changes nothing)."""
        with self._db.transaction() as unit:
            old_key = unit.peek(self._ids, pane.id)
            if not isinstance(old_key, str):
                return
            key = self._record_key(pane)
            if key != old_key:  # renamed, deleted or restored: the record moves, watched
                if unit.read(self._ids, pane.id) != old_key or unit.read_hash(key):
                    raise ConflictError(f"a pane named {pane.name!r} already exists", "pick another name")
                old = unit.read_hash(old_key)
                if old:
                    self._drop(unit, pane_from_hash(old), old_key)
            self._write(unit, pane, key)

    def _drop(self, unit: Unit, old: Pane, old_key: str) -> None:
        index, member = ((self._db.key("panes"), old.name) if old.deleted_at is None
                         else (self._db.key("panes-deleted"), old.id))

        def op(pipe: Any) -> None:
            pipe.delete(old_key)
            pipe.srem(index, member)

        unit.queue(op)
        unit.stage(old_key, "", None)

    def get(self, *, pane_id: str | None = None, name: str | None = None,
            include_deleted: bool = False, owner: str | None = None) -> Pane | None:
        """One pane by id or name (live panes only unless ``include_deleted``; of ``owner`` when given)."""
        pane = self._get(pane_id, name, include_deleted)
        return pane if pane is None or owner is None or pane.owner == owner else None

    def _get(self, pane_id: str | None, name: str | None, include_deleted: bool) -> Pane | None:
        with self._db.reading() as client:
            if pane_id is not None:
                key = client.hget(self._ids, pane_id)
                fields = client.hgetall(key) if key else {}
                pane = pane_from_hash(fields) if fields else None
                return pane if pane and (include_deleted or pane.deleted_at is None) else None
            fields = client.hgetall(self._db.key("pane", name or ""))
        if fields:
            return pane_from_hash(fields)
        if not include_deleted:
            return None
        named = [pane for pane in self._deleted() if pane.name == name]
        return max(named, key=lambda pane: pane.last_seen_at, default=None)

    def _read(self, keys: list[str]) -> list[Pane]:
        with self._db.reading() as client:
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.hgetall(key)
            return [pane_from_hash(fields) for fields in pipe.execute() if fields]

    def _live(self) -> list[Pane]:
        with self._db.reading() as client:
            names = client.smembers(self._db.key("panes"))
        return self._read([self._db.key("pane", name) for name in sorted(names)])

    def _deleted(self) -> list[Pane]:
        with self._db.reading() as client:
            ids = client.smembers(self._db.key("panes-deleted"))
        return self._read([self._db.key("pane-deleted", pane_id) for pane_id in sorted(ids)])

    def find_by_mux(self, mux_kind: str, mux_pane_id: str, *, owner: str | None = None) -> Pane | None:
        """The live pane registered for a multiplexer pane (the most recently seen one; of ``owner`` when given)."""
        found = [p for p in self._live() if p.mux_kind == mux_kind and p.mux_pane_id == mux_pane_id
                 and owner in (None, p.owner)]
        return max(found, key=lambda pane: pane.last_seen_at, default=None)

    def find_by_auto_key(self, auto_key: str, *, owner: str | None = None) -> Pane | None:
        """The live automatic pane standing for a place (the first created; of ``owner`` when given)."""
        found = [p for p in self._live() if p.auto_key == auto_key and owner in (None, p.owner)]
        return min(found, key=lambda pane: pane.created_at, default=None)

    def query(self, query: PaneQuery) -> list[Pane]:
        """Panes by status and tags, most recently seen first."""
        panes = self._live() + (self._deleted() if query.include_deleted else [])
        if query.statuses:
            panes = [pane for pane in panes if pane.status in query.statuses]
        if query.visible is not None:
            from perth.store.scoped import readable

            visible = query.visible
            panes = [pane for pane in panes if readable(pane, visible)]
        if query.tags:
            wanted = set(query.tags)
            panes = [pane for pane in panes if wanted.issubset(pane.tags)]
        return sorted(panes, key=lambda pane: (-pane.last_seen_at, pane.name))

    def count(self) -> int:
        """Live panes."""
        with self._db.reading() as client:
            return int(client.scard(self._db.key("panes")))

    def names(self, pane_ids: set[str]) -> dict[str, str]:
        """The current name of each pane id (for the entries the entries port reads)."""
        ordered = sorted(pane_ids)
        with self._db.reading() as client:
            keys = client.hmget(self._ids, ordered) if ordered else []
        known = {pane_id: key for pane_id, key in zip(ordered, keys, strict=True) if key}
        with self._db.reading() as client:
            pipe = client.pipeline(transaction=False)
            for key in known.values():
                pipe.hget(key, "name")
            return dict(zip(known, pipe.execute(), strict=True))
