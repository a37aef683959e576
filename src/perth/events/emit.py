"""``emit``: the one call a capability makes to report a change (inside its unit of work)."""

from __future__ import annotations

from perth.events.envelope import build
from perth.events.payloads import BUILDERS
from perth.events.types import EVENT_TYPES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.events.records import StoredEvent
    from perth.redact.redacted import Redacted
    from perth.runtime import Runtime


def emit(rt: Runtime, event_type: str, subject: object) -> StoredEvent | None:
    """Append an event of ``event_type`` about ``subject`` (the record that changed) to the outbox.

    Call it inside the ``with rt.store.unit():`` block of the change: the event commits or rolls
    back with it.  Nothing is sent here; the dispatcher does that later.  A store without an outbox
    (the Redis store) records no events: ``None``.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if "outbox" not in rt.store.capabilities:
        return None

    def redact(text: str) -> Redacted:
        return rt.redact(text, "event")

    event = build(event_type, BUILDERS[event_type](redact, subject), at=rt.clock(), environ=rt.environ)
    rt.store.outbox.append(event)
    return event
