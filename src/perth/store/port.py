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

from perth.capture.records import Command, CommandQuery, SpoolCursor
from perth.records import Entry, EntryQuery, ImportCounts, Pane, PaneQuery, RedactionCount, StoreInfo

TYPE_CHECKING = False
if TYPE_CHECKING:  # --- shellperf: its records stay out of the modules `perth log` loads
    from perth.mux.model import Snapshot
    from perth.resilience.breaker import BreakerState
    from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry
    from perth.store.ports.search import SearchIndex
    from perth.summarize.model import LlmCall, LlmStats


class Store(Protocol):
    """Persistence of panes, intent entries and counters."""

    @property
    def search_index(self) -> SearchIndex:
        """Search index state and change feeds (C11)."""

    def unit(self) -> AbstractContextManager[Store]:
        """A unit of work: every repository call inside commits or rolls back together."""

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

    # --- shellperf (C8): the run ledger, baselines and governance streaks
    def add_shellperf_entry(self, entry: LedgerEntry) -> None:
        """Record a measured run and its verdict in the ledger."""

    def get_shellperf_entry(self, run_id: str) -> LedgerEntry | None:
        """One recorded run by full id."""

    def find_shellperf_run_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids of recorded runs ending with ``suffix`` (short ids)."""

    def list_shellperf_entries(self, *, scope: str | None = None, limit: int = 50) -> list[LedgerEntry]:
        """Recorded runs, newest first, optionally of one scope."""

    def add_shellperf_baseline(self, baseline: Baseline) -> None:
        """Name a recorded run as a baseline; a live baseline of the same name is a conflict."""

    def get_shellperf_baseline(self, name: str) -> Baseline | None:
        """A live baseline by name."""

    def list_shellperf_baselines(self, *, scope: str | None = None) -> list[Baseline]:
        """Live baselines, newest first, optionally of one scope."""

    def delete_shellperf_baseline(self, name: str, at: int) -> bool:
        """Soft-delete a baseline; whether it existed."""

    def get_shellperf_governance(self, scope: str) -> GovernanceState | None:
        """The governance streaks and recommendation of one scope."""

    def put_shellperf_governance(self, state: GovernanceState) -> None:
        """Insert or replace the governance state of a scope."""

    # --- capture (C2): commands, spool cursors, quarantine and full-text search
    def add_commands(self, commands: Sequence[Command], cursor: SpoolCursor | None = None) -> int:
        """Insert commands not stored yet (by dedup key) and advance a spool cursor, atomically."""

    def set_spool_offset(self, cursor: SpoolCursor) -> None:
        """Record how far a spool file has been ingested."""

    def spool_offset(self, path: str) -> int:
        """Bytes of a spool file already ingested."""

    def forget_spool(self, path: str) -> None:
        """Drop the cursor of a deleted spool file."""

    def quarantine_spool(self, path: str, offset: int, text: str, reason: str, at: int) -> None:
        """Keep a (redacted) spool fragment that could not be ingested, with the reason."""

    def quarantined(self) -> list[tuple[str, int, str, str, int]]:
        """Every quarantined fragment."""

    def query_commands(self, query: CommandQuery) -> list[Command]:
        """Filtered, paged commands."""

    def iter_commands(self, query: CommandQuery) -> Iterator[Command]:
        """Every matching command, oldest first."""

    def commands_between(self, pane_id: str, after_ms: int, until_ms: int, limit: int = 50) -> list[str]:
        """Command lines of a pane in a time window, oldest first."""


    # --- terminal workspaces (C6): snapshots
    def add_snapshot(self, snapshot: Snapshot, digest: str) -> None:
        """Store a snapshot; a snapshot of the same name is a conflict."""

    def get_snapshot(self, name: str) -> Snapshot | None:
        """One snapshot by name."""

    def list_snapshots(self, *, scope: str | None = None) -> list[Snapshot]:
        """Every snapshot (or those of one scope), newest first."""

    def latest_snapshot_digest(self, scope: str) -> str | None:
        """The digest of the newest snapshot of a scope."""

    def delete_snapshot(self, name: str) -> bool:
        """Delete a snapshot; whether it existed."""

    def pin_snapshot(self, name: str, pinned: bool) -> bool:
        """Pin or unpin a snapshot; whether it exists."""

    # --- resilience and LLM calls (C4): circuit breakers, provider calls and token usage
    def get_breaker(self, name: str) -> BreakerState | None:
        """One breaker's state, or None when it was never used."""

    def put_breaker(self, state: BreakerState) -> None:
        """Insert or replace a breaker's state."""

    def list_breakers(self) -> list[BreakerState]:
        """Every breaker, by name."""

    def add_llm_call(self, call: LlmCall) -> None:
        """Record one provider call."""

    def list_llm_calls(self, *, provider: str | None = None, limit: int = 50) -> list[LlmCall]:
        """Recorded calls, newest first (of one provider, or all)."""

    def llm_stats(self) -> list[LlmStats]:
        """Per-provider totals of calls, outcomes, tokens and mean latency of successful calls."""
