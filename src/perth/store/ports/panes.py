"""The panes port: named threads of work (C1)."""

from __future__ import annotations

from typing import Protocol

from perth.records import Pane, PaneQuery


class PaneRepo(Protocol):
    """Persistence of panes."""

    def add(self, pane: Pane) -> None:
        """Insert a new pane (its name must be free among live panes: else ConflictError)."""

    def update(self, pane: Pane) -> None:
        """Replace a pane's fields by id."""

    def get(self, *, pane_id: str | None = None, name: str | None = None,
            include_deleted: bool = False, owner: str | None = None) -> Pane | None:
        """One pane by id or by name (of ``owner`` only, when given: names are unique per owner)."""

    def find_by_mux(self, mux_kind: str, mux_pane_id: str, *, owner: str | None = None) -> Pane | None:
        """The live pane registered for a multiplexer pane id (of ``owner`` only, when given)."""

    def find_by_auto_key(self, auto_key: str, *, owner: str | None = None) -> Pane | None:
        """The live automatic pane standing for a place (``Pane.auto_key``; of ``owner`` only, when given)."""

    def query(self, query: PaneQuery) -> list[Pane]:
        """Panes matching the query (and ``query.visible``), most recently seen first."""

    def count(self) -> int:
        """How many live panes there are."""
