"""Table of circuit breakers (migration ``m008_llm``): the breakers port.

The record comes from :mod:`perth.resilience.state`, imported inside the functions so that
``perth log`` never loads it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.resilience.state import BreakerState
    from perth.store.sql import SqlDatabase

_BREAKER_COLUMNS = ("name, state, failures, opened_at, probe_until, last_error, last_latency_ms, last_success_at,"
                    " last_failure_at, updated_at")
_UPDATE_ALL = ", ".join(f"{c} = excluded.{c}" for c in _BREAKER_COLUMNS.split(", ")[1:])


def _breaker(row: Sequence[Any]) -> BreakerState:
    from perth.resilience.state import BreakerState

    return BreakerState(name=row[0], state=row[1], failures=row[2], opened_at=row[3], probe_until=row[4],
                        last_error=row[5], last_latency_ms=row[6], last_success_at=row[7],
                        last_failure_at=row[8], updated_at=row[9])


class SqlBreakers:
    """The breakers port (see :class:`perth.store.ports.breakers.BreakerRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def get(self, name: str) -> BreakerState | None:
        """One breaker's state, or None when it was never used."""
        rows = self._db.rows(f"SELECT {_BREAKER_COLUMNS} FROM breakers WHERE name = ?", (name,))
        return _breaker(rows[0]) if rows else None

    def put(self, state: BreakerState) -> None:
        """Insert or replace a breaker's state."""
        with self._db.transaction():
            self._db.run(f"INSERT INTO breakers({_BREAKER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         f" ON CONFLICT(name) DO UPDATE SET {_UPDATE_ALL}",
                         (state.name, state.state, state.failures, state.opened_at, state.probe_until,
                          state.last_error, state.last_latency_ms, state.last_success_at, state.last_failure_at,
                          state.updated_at))

    def all(self) -> list[BreakerState]:
        """Every breaker, by name."""
        return [_breaker(row) for row in self._db.rows(f"SELECT {_BREAKER_COLUMNS} FROM breakers ORDER BY name")]
