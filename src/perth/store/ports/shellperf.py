"""The shell-performance port: the run ledger, baselines and governance streaks (C8)."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:  # the shellperf records stay out of the modules `perth log` loads
    from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry


class ShellperfRepo(Protocol):
    """Persistence of measured shell start-up runs."""

    def add_run(self, entry: LedgerEntry) -> None:
        """Record a measured run and its verdict in the ledger."""

    def get_run(self, run_id: str) -> LedgerEntry | None:
        """One recorded run by full id."""

    def find_run_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids of recorded runs ending with ``suffix`` (short ids)."""

    def list_runs(self, *, scope: str | None = None, limit: int = 50) -> list[LedgerEntry]:
        """Recorded runs, newest first, optionally of one scope."""

    def add_baseline(self, baseline: Baseline) -> None:
        """Name a recorded run as a baseline; a live baseline of the same name is a conflict."""

    def get_baseline(self, name: str) -> Baseline | None:
        """A live baseline by name."""

    def list_baselines(self, *, scope: str | None = None) -> list[Baseline]:
        """Live baselines, newest first, optionally of one scope."""

    def delete_baseline(self, name: str, at: int) -> bool:
        """Soft-delete a baseline; whether it existed."""

    def all_runs(self) -> list[LedgerEntry]:
        """Every recorded run, oldest first (for copying a store)."""

    def all_baselines(self) -> list[tuple[Baseline, int | None]]:
        """Every baseline with its deletion time (None while live), oldest first (for copying a store)."""

    def all_governance(self) -> list[GovernanceState]:
        """The governance state of every scope, by scope (for copying a store)."""

    def get_governance(self, scope: str) -> GovernanceState | None:
        """The governance streaks and recommendation of one scope."""

    def put_governance(self, state: GovernanceState) -> None:
        """Insert or replace the governance state of a scope."""
