"""Table of LLM provider calls (migration ``m008_llm``): the llm_calls port.

The records come from :mod:`perth.summarize.model`, imported inside the functions so that
``perth log`` never loads them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.store.sql import SqlDatabase
    from perth.summarize.model import LlmCall, LlmStats

_CALL_COLUMNS = ("id, at, provider, model, purpose, pane_id, outcome, attempts, latency_ms, input_tokens,"
                 " output_tokens, error")


def _call(row: Sequence[Any]) -> LlmCall:
    from perth.summarize.model import LlmCall

    return LlmCall(id=row[0], at=row[1], provider=row[2], model=row[3], purpose=row[4], pane_id=row[5],
                   outcome=row[6], attempts=row[7], latency_ms=row[8], input_tokens=row[9],
                   output_tokens=row[10], error=row[11])


class SqlLlmCalls:
    """The llm_calls port (see :class:`perth.store.ports.llm_calls.LlmCallRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(self, call: LlmCall) -> None:
        """Record one provider call."""
        with self._db.transaction():
            self._db.run(f"INSERT INTO llm_calls({_CALL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (call.id, call.at, call.provider, call.model, call.purpose, call.pane_id, call.outcome,
                       call.attempts, call.latency_ms, call.input_tokens, call.output_tokens, call.error))

    def recent(self, *, provider: str | None = None, limit: int = 50) -> list[LlmCall]:
        """Recorded calls, newest first (of one provider, or all)."""
        where, params = ("WHERE provider = ?", (provider,)) if provider else ("", ())
        rows = self._db.rows(f"SELECT {_CALL_COLUMNS} FROM llm_calls {where} ORDER BY at DESC, id DESC LIMIT ?",
                          (*params, limit))
        return [_call(row) for row in rows]

    def all(self) -> list[LlmCall]:
        """Every recorded call, oldest first."""
        return [_call(row) for row in self._db.rows(f"SELECT {_CALL_COLUMNS} FROM llm_calls ORDER BY at, id")]

    def stats(self) -> list[LlmStats]:
        """Per-provider totals of calls, outcomes, tokens and mean latency of successful calls."""
        from perth.summarize.model import LlmStats

        rows = self._db.rows(
            "SELECT provider, COUNT(*), SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN outcome IN ('failed', 'open') THEN 1 ELSE 0 END),"
            " COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), MAX(at),"
            " CAST(AVG(CASE WHEN outcome = 'ok' THEN latency_ms END) AS INTEGER)"
            " FROM llm_calls GROUP BY provider ORDER BY provider")
        return [LlmStats(provider=r[0], calls=r[1], ok=r[2], failed=r[3], input_tokens=r[4], output_tokens=r[5],
                         last_at=r[6], mean_latency_ms=r[7]) for r in rows]
