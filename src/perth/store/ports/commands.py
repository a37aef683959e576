"""The commands port: captured shell commands and the spool cursors of their ingestion (C2)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from perth.capture.records import Command, CommandQuery, SpoolCursor


class CommandRepo(Protocol):
    """Persistence of captured commands, spool cursors and quarantined spool fragments."""

    def add(self, commands: Sequence[Command], cursor: SpoolCursor | None = None) -> int:
        """Insert commands not stored yet (by dedup key) and advance a spool cursor, atomically."""

    def set_offset(self, cursor: SpoolCursor) -> None:
        """Record how far a spool file has been ingested."""

    def offset(self, path: str) -> int:
        """Bytes of a spool file already ingested."""

    def forget_spool(self, path: str) -> None:
        """Drop the cursor of a deleted spool file."""

    def cursors(self) -> list[SpoolCursor]:
        """Every spool cursor, by path (for copying a store)."""

    def quarantine(self, path: str, offset: int, text: str, reason: str, at: int) -> None:
        """Keep a (redacted) spool fragment that could not be ingested, with the reason."""

    def quarantined(self) -> list[tuple[str, int, str, str, int]]:
        """Every quarantined fragment: path, offset, redacted text, reason, time."""

    def query(self, query: CommandQuery) -> list[Command]:
        """Filtered, paged commands."""

    def stream(self, query: CommandQuery) -> Iterator[Command]:
        """Every matching command, oldest first."""

    def count(self) -> int:
        """How many commands the store holds (every one ingested or imported)."""

    def between(self, pane_id: str, after_ms: int, until_ms: int, limit: int = 50) -> list[str]:
        """Command lines of a pane in a time window, oldest first."""
