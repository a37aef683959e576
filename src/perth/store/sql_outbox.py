"""Tables of the outbox (``m012_events``; PostgreSQL ``m003_events``): the outbox port, in shared SQL.

``outbox`` keeps each envelope as its wire text with an increasing ``seq`` (commit order: the
dispatcher's delivery order; never reused); ``outbox_cursors`` holds each transport's progress and
backoff; ``outbox_dead`` the dead letters.  The records come from :mod:`perth.events.records`
(a leaf module with no imports beyond :mod:`perth.record`).
"""

from __future__ import annotations

from perth.errors import StoreError
from perth.events.records import DeadLetter, DeliveryCursor, OutboxStats, StoredEvent

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.store.sql import SqlDatabase

_EVENT = "seq, id, type, source, time_ms, body"
_CURSOR = "transport, delivered_seq, attempts, next_at, last_error, updated_at"
_CURSOR_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in _CURSOR.split(", ")[1:])
_DEAD = "transport, seq, id, type, source, time_ms, body, attempts, error, dead_at"
_DEAD_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in _DEAD.split(", ")[3:])


def _event(row: Sequence[Any]) -> StoredEvent:
    return StoredEvent(seq=row[0], id=row[1], type=row[2], source=row[3], time_ms=row[4], body=row[5])


def _types(types: Sequence[str]) -> tuple[str, list[str]]:
    if not types:
        return "", []
    return f" AND type IN ({','.join('?' * len(types))})", list(types)


class SqlOutbox:
    """The outbox port (see :class:`perth.store.ports.outbox.Outbox`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def append(self, event: StoredEvent) -> None:
        from perth.store.sql import IntegrityViolation

        try:
            self._db.write("INSERT INTO outbox(id, type, source, time_ms, body) VALUES (?, ?, ?, ?, ?)",
                           (event.id, event.type, event.source, event.time_ms, event.body))
        except IntegrityViolation as exc:
            raise StoreError(f"the outbox refused the {event.type} event ({exc}); nothing was recorded",
                             "run `perth doctor`; the change was rolled back with its event") from exc

    def after(self, seq: int, limit: int) -> list[StoredEvent]:
        rows = self._db.rows(f"SELECT {_EVENT} FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
        return [_event(r) for r in rows]

    def since(self, time_ms: int, *, types: Sequence[str] = (), limit: int = 1000,
              after_seq: int = 0) -> list[StoredEvent]:
        clause, params = _types(types)
        rows = self._db.rows(f"SELECT {_EVENT} FROM outbox WHERE time_ms >= ? AND seq > ?{clause} ORDER BY seq"
                             " LIMIT ?", (time_ms, after_seq, *params, limit))
        return [_event(r) for r in rows]

    def recent(self, limit: int, *, types: Sequence[str] = ()) -> list[StoredEvent]:
        clause, params = _types(types)
        rows = self._db.rows(f"SELECT {_EVENT} FROM outbox WHERE seq > 0{clause} ORDER BY seq DESC LIMIT ?",
                             (*params, limit))
        return [_event(r) for r in reversed(rows)]

    def stats(self) -> OutboxStats:
        count, last, oldest = self._db.rows("SELECT COUNT(*), COALESCE(MAX(seq), 0), MIN(time_ms) FROM outbox")[0]
        return OutboxStats(events=count, last_seq=last, oldest_ms=oldest)

    def cursor(self, transport: str) -> DeliveryCursor:
        rows = self._db.rows(f"SELECT {_CURSOR} FROM outbox_cursors WHERE transport = ?", (transport,))
        if not rows:
            return DeliveryCursor(transport=transport)
        r = rows[0]
        return DeliveryCursor(transport=r[0], delivered_seq=r[1], attempts=r[2], next_at=r[3], last_error=r[4],
                              updated_at=r[5])

    def put_cursor(self, cursor: DeliveryCursor) -> None:
        self._db.write(f"INSERT INTO outbox_cursors({_CURSOR}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(transport)"
                       f" DO UPDATE SET {_CURSOR_UPDATE}",
                       (cursor.transport, cursor.delivered_seq, cursor.attempts, cursor.next_at, cursor.last_error,
                        cursor.updated_at))

    def bury(self, transport: str, event: StoredEvent, attempts: int, error: str, at: int) -> None:
        self._db.write(f"INSERT INTO outbox_dead({_DEAD}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       f" ON CONFLICT(transport, id) DO UPDATE SET {_DEAD_UPDATE}",
                       (transport, event.seq, event.id, event.type, event.source, event.time_ms, event.body,
                        attempts, error, at))

    def dead(self, transport: str | None = None) -> list[DeadLetter]:
        where, params = ("WHERE transport = ?", (transport,)) if transport else ("", ())
        rows = self._db.rows(f"SELECT transport, {_EVENT}, attempts, error, dead_at FROM outbox_dead {where}"
                             " ORDER BY seq, transport", params)
        return [DeadLetter(transport=r[0], event=_event(r[1:7]), attempts=r[7], error=r[8], dead_at=r[9])
                for r in rows]

    def unbury(self, transport: str, event_id: str) -> bool:
        cursor = self._db.write("DELETE FROM outbox_dead WHERE transport = ? AND id = ?", (transport, event_id))
        return cursor.rowcount > 0

    def prune(self, before_ms: int, upto_seq: int) -> int:
        cursor = self._db.write("DELETE FROM outbox WHERE time_ms < ? AND seq <= ?", (before_ms, upto_seq))
        return cursor.rowcount
