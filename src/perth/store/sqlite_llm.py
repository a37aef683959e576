"""SQLite tables of circuit breakers and LLM calls (migration ``m008_llm``).

A mixin of :class:`perth.store.sqlite.SQLiteStore`.  The records come from
:mod:`perth.resilience.breaker` and :mod:`perth.summarize.model`, imported inside the methods
so that ``perth log`` never loads them.
"""

from __future__ import annotations

import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from typing import Any

    from perth.resilience.breaker import BreakerState
    from perth.summarize.model import LlmCall, LlmStats

_BREAKER_COLUMNS = ("name, state, failures, opened_at, probe_until, last_error, last_latency_ms, last_success_at,"
                    " last_failure_at, updated_at")
_CALL_COLUMNS = ("id, at, provider, model, purpose, pane_id, outcome, attempts, latency_ms, input_tokens,"
                 " output_tokens, error")


def _breaker(row: Sequence[Any]) -> BreakerState:
    from perth.resilience.breaker import BreakerState

    return BreakerState(name=row[0], state=row[1], failures=row[2], opened_at=row[3], probe_until=row[4],
                        last_error=row[5], last_latency_ms=row[6], last_success_at=row[7],
                        last_failure_at=row[8], updated_at=row[9])


def _call(row: Sequence[Any]) -> LlmCall:
    from perth.summarize.model import LlmCall

    return LlmCall(id=row[0], at=row[1], provider=row[2], model=row[3], purpose=row[4], pane_id=row[5],
                   outcome=row[6], attempts=row[7], latency_ms=row[8], input_tokens=row[9],
                   output_tokens=row[10], error=row[11])


class LlmTables:
    """The breaker and LLM-call part of the Store port (see :class:`perth.store.port.Store`)."""

    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[None]: ...
        def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor: ...
        def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    def get_breaker(self, name: str) -> BreakerState | None:
        """One breaker's state, or None when it was never used."""
        rows = self._rows(f"SELECT {_BREAKER_COLUMNS} FROM breakers WHERE name = ?", (name,))
        return _breaker(rows[0]) if rows else None

    def put_breaker(self, state: BreakerState) -> None:
        """Insert or replace a breaker's state."""
        with self.transaction():
            self._run(f"INSERT OR REPLACE INTO breakers({_BREAKER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (state.name, state.state, state.failures, state.opened_at, state.probe_until,
                       state.last_error, state.last_latency_ms, state.last_success_at, state.last_failure_at,
                       state.updated_at))

    def list_breakers(self) -> list[BreakerState]:
        """Every breaker, by name."""
        return [_breaker(row) for row in self._rows(f"SELECT {_BREAKER_COLUMNS} FROM breakers ORDER BY name")]

    def add_llm_call(self, call: LlmCall) -> None:
        """Record one provider call."""
        with self.transaction():
            self._run(f"INSERT INTO llm_calls({_CALL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (call.id, call.at, call.provider, call.model, call.purpose, call.pane_id, call.outcome,
                       call.attempts, call.latency_ms, call.input_tokens, call.output_tokens, call.error))

    def list_llm_calls(self, *, provider: str | None = None, limit: int = 50) -> list[LlmCall]:
        """Recorded calls, newest first (of one provider, or all)."""
        where, params = ("WHERE provider = ?", (provider,)) if provider else ("", ())
        rows = self._rows(f"SELECT {_CALL_COLUMNS} FROM llm_calls {where} ORDER BY at DESC, id DESC LIMIT ?",
                          (*params, limit))
        return [_call(row) for row in rows]

    def llm_stats(self) -> list[LlmStats]:
        """Per-provider totals of calls, outcomes, tokens and mean latency of successful calls."""
        from perth.summarize.model import LlmStats

        rows = self._rows(
            "SELECT provider, COUNT(*), SUM(outcome = 'ok'), SUM(outcome IN ('failed', 'open')),"
            " COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), MAX(at),"
            " CAST(AVG(CASE WHEN outcome = 'ok' THEN latency_ms END) AS INTEGER)"
            " FROM llm_calls GROUP BY provider ORDER BY provider")
        return [LlmStats(provider=r[0], calls=r[1], ok=r[2], failed=r[3], input_tokens=r[4], output_tokens=r[5],
                         last_at=r[6], mean_latency_ms=r[7]) for r in rows]
