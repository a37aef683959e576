"""The search index port: what memory search persists in the store, in its own terms.

The full-text index itself (a tantivy directory) and the vectors (sqlite-vec) live
beside the data file; the store keeps how far each document source has been copied
into them, and reads the changed rows of the sources that live in the store.
"""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.capture.records import Command
    from perth.records import Entry
    from perth.search.records import SourceState


class SearchIndex(Protocol):
    """Sync cursors and change feeds for the search index."""

    def state(self, source: str) -> SourceState | None:
        """How far ``source`` has been indexed (``None``: never)."""

    def states(self) -> list[SourceState]:
        """Every source's state, by name."""

    def save_state(self, state: SourceState) -> None:
        """Record how far a source has been indexed."""

    def reset(self) -> None:
        """Forget every source's state and meta value (the next sync rebuilds everything)."""

    def meta(self, key: str) -> str | None:
        """A stored value about the index (model, dimension)."""

    def set_meta(self, key: str, value: str) -> None:
        """Store a value about the index."""

    def commands_after(self, rowid: int, limit: int) -> list[tuple[int, Command]]:
        """Commands stored after ``rowid``, oldest first, with their row numbers."""

    def entries_changed(self, rowid: int, since_ms: int, limit: int, after: int = 0) -> list[tuple[int, Entry]]:
        """Entries added after ``rowid`` or edited or deleted after ``since_ms`` (deleted ones included),
        by row number, those after row ``after`` (paging)."""

    def count(self, source: str) -> int:
        """Rows a store-backed source holds now (``command``, ``intent``: live ones)."""
