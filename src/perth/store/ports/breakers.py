"""The breakers port: circuit-breaker state shared by every Perth process (resilience)."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.resilience.state import BreakerState


class BreakerRepo(Protocol):
    """Persistence of circuit breakers, one row per protected dependency."""

    def get(self, name: str) -> BreakerState | None:
        """One breaker's state, or None when it was never used."""

    def put(self, state: BreakerState) -> None:
        """Insert or replace a breaker's state."""

    def all(self) -> list[BreakerState]:
        """Every breaker, by name."""
