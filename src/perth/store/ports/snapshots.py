"""The snapshots port: terminal workspace snapshots (C6)."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:  # perth.mux stays out of the modules `perth log` loads
    from perth.mux.model import Snapshot


class SnapshotRepo(Protocol):
    """Persistence of workspace snapshots."""

    def add(self, snapshot: Snapshot, digest: str) -> None:
        """Store a snapshot; a snapshot of the same name is a conflict."""

    def get(self, name: str) -> Snapshot | None:
        """One snapshot by name."""

    def all(self, *, scope: str | None = None) -> list[Snapshot]:
        """Every snapshot (or those of one scope), newest first."""

    def digests(self) -> dict[str, str]:
        """The digest of every snapshot, by name (for copying a store)."""

    def latest_digest(self, scope: str) -> str | None:
        """The digest of the newest snapshot of a scope."""

    def delete(self, name: str) -> bool:
        """Delete a snapshot; whether it existed."""

    def pin(self, name: str, pinned: bool) -> bool:
        """Pin or unpin a snapshot; whether it exists."""
