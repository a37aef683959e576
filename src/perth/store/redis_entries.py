"""The entries port on Redis: each pane's history is a stream, ``history:{pane_id}`` (uncapped).

One stream message per entry holds its fields (an edit replaces the message: the stream keeps
exactly one message per entry).  Beside the streams (see docs/team.md):

- ``entry-loc`` (hash): entry id -> ``{pane_id} {stream message id}``;
- ``entries-by-time`` and ``pane-entries:{pane_id}`` (sorted sets): entry ids scored by ``ts``, in
  the order queries read (equal times by id);
- ``entry-live`` (hash): pane id -> how many live entries it has.

Adding or replacing a message and recording where it went run as one Lua script queued in the
unit's ``MULTI``/``EXEC`` (the message id exists only once Redis has added it).  Queries walk the
sorted set of the pane (or of the store) in order within the time bounds, read the messages in
batches and filter them here.
"""

from __future__ import annotations

import heapq
from itertools import islice

from perth.errors import ConflictError
from perth.records import Entry, EntryQuery
from perth.store.redis_db import decode, encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from perth.store.redis_db import RedisDatabase, Unit
    from perth.store.redis_panes import RedisPanes

_INTS = ("ts", "schema_version", "updated_at", "deleted_at")
_JSONS = ("artifacts", "commands_run", "tags")
_BATCH = 200

#: KEYS: the old stream, the new stream, entry-loc; ARGV: entry id, new pane id, then field/value pairs.
#: Deletes the entry's old message (if any), adds the new one and records where it is.
_PUT = """
local loc = redis.call('HGET', KEYS[3], ARGV[1])
if loc then
  local sid = string.match(loc, ' (.+)$')
  redis.call('XDEL', KEYS[1], sid)
end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
local sid = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. ' ' .. sid)
return sid
"""


class RedisEntries:
    """The entries port (see :class:`perth.store.ports.entries.EntryRepo`)."""

    def __init__(self, db: RedisDatabase, panes: RedisPanes) -> None:
        self._db = db
        self._panes = panes
        self._loc = db.key("entry-loc")
        self._live = db.key("entry-live")
        self._by_time = db.key("entries-by-time")

    def _pane_set(self, pane_id: str) -> str:
        return self._db.key("pane-entries", pane_id)

    def add(self, entry: Entry) -> None:
        """Insert an entry; its pane must exist and its id be new (else :class:`ConflictError`)."""
        with self._db.transaction() as unit:
            if unit.peek(self._loc, entry.id) is not None or unit.peek(self._db.key("pane-ids"), entry.pane_id) is None:
                raise ConflictError(f"entry {entry.id} is already stored, or its pane {entry.pane_id} does not exist",
                                    "log into an existing pane (perth pane list); import panes with their entries")
            self._put(unit, entry, None)

    def update(self, entry: Entry) -> None:
        """Replace an entry's fields by id (an unknown id changes nothing)."""
        with self._db.transaction() as unit:
            staged = unit.peek(self._loc, entry.id)
            if staged is None:
                return
            old = staged if isinstance(staged, Entry) else self._fetch([entry.id])[0]
            if old is not None:
                self._put(unit, entry, old)

    def _put(self, unit: Unit, entry: Entry, old: Entry | None) -> None:
        fields = [part for pair in encode(entry, jsons=_JSONS).items() for part in pair if pair[0] != "pane_name"]
        old_pane = old.pane_id if old else entry.pane_id
        keys = (self._db.key("history", old_pane), self._db.key("history", entry.pane_id), self._loc)
        live_delta = {old_pane: -1} if old is not None and old.deleted_at is None else {}
        if entry.deleted_at is None:
            live_delta[entry.pane_id] = live_delta.get(entry.pane_id, 0) + 1

        def op(pipe: Any) -> None:
            pipe.eval(_PUT, 3, *keys, entry.id, entry.pane_id, *fields)
            if old_pane != entry.pane_id:
                pipe.zrem(self._pane_set(old_pane), entry.id)
            pipe.zadd(self._pane_set(entry.pane_id), {entry.id: entry.ts})
            pipe.zadd(self._by_time, {entry.id: entry.ts})
            for pane_id, delta in live_delta.items():
                if delta:
                    pipe.hincrby(self._live, pane_id, delta)

        unit.queue(op)
        unit.stage(self._loc, entry.id, entry)

    def _fetch(self, ids: Sequence[str]) -> list[Entry | None]:
        """The stored entries of these ids (None where unknown), with their panes' current names."""
        if not ids:
            return []
        with self._db.reading() as client:
            locs = client.hmget(self._loc, list(ids))
            pipe = client.pipeline(transaction=False)
            for loc in locs:
                if loc:
                    pane_id, sid = loc.split(" ", 1)
                    pipe.xrange(self._db.key("history", pane_id), min=sid, max=sid, count=1)
            messages = iter(pipe.execute())
        found: list[dict[str, str] | None] = [dict(next(messages)[0][1]) if loc else None for loc in locs]
        names = self._panes.names({fields["pane_id"] for fields in found if fields})
        return [decode(Entry, fields, ints=_INTS, jsons=_JSONS, pane_name=names.get(fields["pane_id"], ""))
                if fields else None for fields in found]

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """One entry by full id."""
        entry = self._fetch([entry_id])[0]
        return entry if entry and (include_deleted or entry.deleted_at is None) else None

    def find_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids ending with ``suffix`` (a scan of ``entry-loc``)."""
        pattern = "*" + "".join(f"\\{c}" if c in "*?[]\\" else c for c in suffix)
        with self._db.reading() as client:
            found = sorted(entry_id for entry_id, _ in client.hscan_iter(self._loc, match=pattern, count=1000))
        return found[:limit]

    def _ordered_ids(self, key: str, query: EntryQuery, page: int) -> Iterator[tuple[int, str]]:
        """``(ts, id)`` of one sorted set within the query's time bounds, in the query's order."""
        low = query.since if query.since is not None else "-inf"
        high = query.until if query.until is not None else "+inf"
        if query.cursor is not None:
            low, high = (query.cursor[0], high) if query.oldest_first else (low, query.cursor[0])
        start, end = (low, high) if query.oldest_first else (high, low)
        offset = 0
        while True:
            with self._db.reading() as client:
                found = client.zrange(key, start, end, byscore=True, desc=not query.oldest_first, offset=offset,
                                      num=page, withscores=True)
            yield from ((int(score), entry_id) for entry_id, score in found)
            if len(found) < page:
                return
            offset += len(found)
            page = min(page * 4, 1000)

    def _matching(self, query: EntryQuery, wanted: int = _BATCH) -> Iterator[Entry]:
        """Every entry the query's filters keep, in its order (before offset and limit); the first
        reads fetch about ``wanted`` entries, later ones more."""
        keys = [self._pane_set(p) for p in query.pane_ids] if query.pane_ids else [self._by_time]
        batch = max(min(wanted, _BATCH), 1)
        ordered = heapq.merge(*(self._ordered_ids(key, query, batch) for key in keys),
                              reverse=not query.oldest_first)
        if query.cursor is not None:
            after = query.cursor
            ordered = (p for p in ordered if (p > after if query.oldest_first else p < after))
        while ids := [entry_id for _, entry_id in islice(ordered, batch)]:
            yield from (entry for entry in self._fetch(ids) if entry is not None and _keeps(query, entry))
            batch = _BATCH

    def query(self, query: EntryQuery) -> list[Entry]:
        """Filtered, paged entries (a multi-user store's ``visible`` filter is not supported here)."""
        if query.visible is not None:
            from perth.errors import UnsupportedByStoreError

            raise UnsupportedByStoreError("entries by owner are not supported by the redis store",
                                          "a multi-user store is SQLite or PostgreSQL (docs/team.md)")
        wanted = query.offset + query.limit
        return list(islice(self._matching(query, wanted), query.offset, wanted))

    def latest(self, pane_ids: Sequence[str], *, types: Sequence[str] = (),
               per_pane: int = 1) -> dict[str, list[Entry]]:
        """Newest live entries per pane."""
        return {pane_id: self.query(EntryQuery(pane_ids=(pane_id,), types=tuple(types), limit=per_pane))
                for pane_id in pane_ids}

    def stream(self, pane_ids: Sequence[str] = (), *, include_deleted: bool = False) -> Iterator[Entry]:
        """Every entry, oldest first."""
        yield from self._matching(EntryQuery(pane_ids=tuple(pane_ids), include_deleted=include_deleted,
                                             oldest_first=True))

    def count(self, pane_id: str | None = None) -> int:
        """Live entries of one pane, or of the whole store."""
        with self._db.reading() as client:
            if pane_id is not None:
                return int(client.hget(self._live, pane_id) or 0)
            return sum(int(value) for value in client.hvals(self._live))


def _keeps(query: EntryQuery, entry: Entry) -> bool:
    """Whether an entry passes the query's field filters."""
    return ((query.include_deleted or entry.deleted_at is None)
            and (not query.types or entry.type in query.types)
            and (not query.sources or entry.source in query.sources)
            and (query.agent is None or entry.agent == query.agent)
            and set(query.tags).issubset(entry.tags))
