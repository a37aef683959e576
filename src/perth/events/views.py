"""Documents of ``perth events`` (schemas ``perth.events.*.v1``)."""

from __future__ import annotations

import json

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Fields, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.events.dispatch import DrainReport
    from perth.events.records import DeadLetter, StoredEvent
    from perth.events.service import DeadLetterChange, EventsStatus


def _iso(ms: int | None) -> str | None:
    return to_iso(ms) if ms else None


def status_view(status: EventsStatus) -> Document:
    """``perth events status``."""
    stats = status.outbox
    rows = [(t.name, t.breaker, str(t.backlog), to_local(t.oldest_pending_ms) if t.oldest_pending_ms else "-",
             str(t.dead), t.last_error or "-") for t in status.transports]
    blocks: list[Block] = [Fields([("events kept", str(stats.events)), ("last seq", str(stats.last_seq)),
                                   ("dead letters", str(status.dead))], title="Outbox")]
    blocks.append(Table(("transport", "breaker", "backlog", "oldest pending", "dead", "last error"), rows)
                  if rows else Note("No transport configured: perth config set events.transports rabbitmq"))
    data = {"outbox": {"events": stats.events, "last_seq": stats.last_seq, "oldest": _iso(stats.oldest_ms)},
            "dead": status.dead,
            "transports": [{"name": t.name, "breaker": t.breaker, "backlog": t.backlog,
                            "delivered_seq": t.delivered_seq, "attempts": t.attempts, "next_attempt": _iso(t.next_at),
                            "last_error": t.last_error, "oldest_pending": _iso(t.oldest_pending_ms), "dead": t.dead}
                           for t in status.transports]}
    return Document("perth.events.status.v1", data, title="Events", blocks=blocks)


def event_json(event: StoredEvent) -> dict[str, Any]:
    """The envelope as stored (parsed), with its outbox position."""
    envelope: dict[str, Any] = json.loads(event.body)
    return {"seq": event.seq, "event": envelope}


def event_row(event: StoredEvent) -> tuple[str, str, str, str]:
    data = json.loads(event.body).get("data", {})
    brief = ", ".join(f"{k}={v}" for k, v in list(data.items())[:3] if not isinstance(v, list | dict))
    return (to_local(event.time_ms), event.type, event.id[-12:], brief[:80])


def tail_view(events: Sequence[StoredEvent]) -> Document:
    """``perth events tail``."""
    rows = [event_row(e) for e in events]
    blocks: list[Block] = [Table(("time", "type", "id", "data"), rows)] if rows else [Note("No events yet.")]
    return Document("perth.events.tail.v1", {"count": len(events), "events": [event_json(e) for e in events]},
                    title="Events", blocks=blocks)


def drain_view(action: str, reports: Sequence[DrainReport]) -> Document:
    """``perth events flush`` and ``perth events replay``."""
    rows = [(r.transport, str(r.delivered), str(r.dead), r.stopped or "-") for r in reports]
    data = {"action": action, "transports": [{"name": r.transport, "delivered": r.delivered, "dead": r.dead,
                                              "stopped": r.stopped} for r in reports]}
    return Document(f"perth.events.{action}.v1", data, title=f"Events {action}",
                    blocks=[Table(("transport", "delivered", "dead-lettered", "stopped because"), rows)])


def _letter(d: DeadLetter) -> dict[str, Any]:
    return {"transport": d.transport, "id": d.event.id, "type": d.event.type, "time": to_iso(d.event.time_ms),
            "attempts": d.attempts, "error": d.error, "dead_at": to_iso(d.dead_at)}


def dlq_view(letters: Sequence[DeadLetter]) -> Document:
    """``perth events dlq list``."""
    rows = [(d.transport, d.event.id, d.event.type, str(d.attempts), d.error) for d in letters]
    blocks: list[Block] = [Table(("transport", "id", "type", "attempts", "error"), rows)] if rows else [
        Note("The dead-letter queue is empty.")]
    return Document("perth.events.dlq.v1", {"count": len(letters), "dead_letters": [_letter(d) for d in letters]},
                    title="Dead letters", blocks=blocks)


def dlq_change_view(change: DeadLetterChange) -> Document:
    """``perth events dlq retry|drop``."""
    verb = "Re-delivered" if change.action == "retry" else "Dropped"
    notes: list[Block] = [Note(f"{verb} {len(change.changed)} dead letter(s).")]
    notes += [Note(f"{d.transport} {d.event.id}: still failing: {error}") for d, error in change.failed]
    data = {"action": change.action, "count": len(change.changed), "changed": [_letter(d) for d in change.changed],
            "failed": [{**_letter(d), "retry_error": error} for d, error in change.failed]}
    return Document("perth.events.dlq_change.v1", data, title="Dead letters", blocks=notes)
