"""The outbox port: events waiting to be (or already) delivered, per-transport cursors, dead letters (C7)."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.events.records import DeadLetter, DeliveryCursor, OutboxStats, StoredEvent


class Outbox(Protocol):
    """The transactional outbox: an event is appended in the unit of work of the change it reports."""

    def append(self, event: StoredEvent) -> None:
        """Store a new event (its ``seq`` is assigned here, in commit order)."""

    def after(self, seq: int, limit: int) -> list[StoredEvent]:
        """Events after ``seq``, oldest first."""

    def since(self, time_ms: int, *, types: Sequence[str] = (), limit: int = 1000,
              after_seq: int = 0) -> list[StoredEvent]:
        """Events at or after ``time_ms`` (optionally of some types; after ``after_seq``), oldest first."""

    def recent(self, limit: int, *, types: Sequence[str] = ()) -> list[StoredEvent]:
        """The newest ``limit`` events (optionally of some types), oldest first."""

    def stats(self) -> OutboxStats:
        """How many events are kept, the newest ``seq`` and the oldest time."""

    def cursor(self, transport: str) -> DeliveryCursor:
        """How far a transport has got (a fresh cursor at 0 when it never ran)."""

    def put_cursor(self, cursor: DeliveryCursor) -> None:
        """Insert or replace a transport's cursor."""

    def bury(self, transport: str, event: StoredEvent, attempts: int, error: str, at: int) -> None:
        """Move an event the transport keeps refusing to the dead-letter table (kept once per transport)."""

    def dead(self, transport: str | None = None) -> list[DeadLetter]:
        """Dead letters (of one transport, or all), oldest first."""

    def unbury(self, transport: str, event_id: str) -> bool:
        """Remove a dead letter; whether it was there."""

    def prune(self, before_ms: int, upto_seq: int) -> int:
        """Delete events older than ``before_ms`` with ``seq <= upto_seq``; how many went."""
