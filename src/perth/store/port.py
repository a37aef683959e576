"""The Store port: what the capabilities need from persistence, in their own terms.

No SQL leaks through this interface, so another adapter (PostgreSQL for a team,
Redis with the original ``perth:pane:{name}`` keyspace) can implement it without
changing a caller.  Every method is atomic on its own; :meth:`Store.transaction`
groups several into one unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from perth.records import Entry, EntryQuery, ImportCounts, Pane, PaneQuery, RedactionCount, StoreInfo


class Store(Protocol):
    """Persistence of panes, intent entries and counters."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group the calls inside into one atomic unit of work (nestable)."""

    def info(self) -> StoreInfo:
        """Adapter, location, schema version and row counts."""

    def close(self) -> None:
        """Release the connection."""

    # Panes
    def add_pane(self, pane: Pane) -> None:
        """Insert a new pane (its name must be free among live panes)."""

    def update_pane(self, pane: Pane) -> None:
        """Replace a pane's fields by id."""

    def get_pane(self, *, pane_id: str | None = None, name: str | None = None,
                 include_deleted: bool = False) -> Pane | None:
        """One pane by id or by name."""

    def find_pane_by_mux(self, mux_kind: str, mux_pane_id: str) -> Pane | None:
        """The live pane registered for a multiplexer pane id."""

    def list_panes(self, query: PaneQuery) -> list[Pane]:
        """Panes matching the query, most recently seen first."""

    def count_entries(self, pane_id: str) -> int:
        """How many live entries a pane has."""

    # Entries
    def add_entry(self, entry: Entry) -> None:
        """Insert a new entry."""

    def update_entry(self, entry: Entry) -> None:
        """Replace an entry's fields by id."""

    def get_entry(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """One entry by full id."""

    def find_entry_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids of entries ending with ``suffix`` (short ids are the random tail of a UUIDv7)."""

    def query_entries(self, query: EntryQuery) -> list[Entry]:
        """Entries matching the query, newest first unless ``oldest_first``."""

    def latest_entries(self, pane_ids: Sequence[str], *, types: Sequence[str] = (),
                       per_pane: int = 1) -> dict[str, list[Entry]]:
        """The newest live entries of each pane (optionally of some types only)."""

    def iter_entries(self, pane_ids: Sequence[str] = (), *,
                     include_deleted: bool = False) -> Iterator[Entry]:
        """Every entry (oldest first), streamed; for exports."""

    def import_records(self, panes: Iterable[Pane], entries: Iterable[Entry]) -> ImportCounts:
        """Insert panes and entries that are not there yet, in one transaction."""

    # Counters
    def add_redaction_counts(self, counts: Mapping[tuple[str, str], int], at: int) -> None:
        """Add per-(rule, source) match counts."""

    def redaction_counts(self) -> list[RedactionCount]:
        """Every recorded per-(rule, source) count."""
