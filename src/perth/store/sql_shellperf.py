"""Tables of shell start-up performance: the run ledger, baselines and governance state.

The shellperf port over one :class:`~perth.store.sql.SqlDatabase` (migration ``m005_shellperf``).  A run is kept
whole as its ``perth.shellperf.run.v1`` document, with its scope, status and verdict in columns
for the ledger's queries.  The records come from :mod:`perth.shellperf.records`, imported inside
the methods so that ``perth log`` never loads the shellperf package.
"""

from __future__ import annotations

from perth.errors import ConflictError
from perth.store.sql import IntegrityViolation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry
    from perth.store.sql import SqlDatabase

_RUN_COLUMNS = "document, verdict, assessment"
_BASELINE_COLUMNS = "id, name, run_id, scope, created_at, note"
_GOVERNANCE_COLUMNS = "scope, recommended, stable_streak, clean_streak, runs_seen, last_run_id, updated_at, reason"
_GOVERNANCE_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in _GOVERNANCE_COLUMNS.split(", ")[1:])


def _entry(row: Sequence[Any]) -> LedgerEntry:
    import json

    from perth.shellperf.records import LedgerEntry, Run

    return LedgerEntry(run=Run.from_json(json.loads(row[0])), verdict=row[1], assessment=json.loads(row[2]))


def _baseline(row: Sequence[Any]) -> Baseline:
    from perth.shellperf.records import Baseline

    return Baseline(id=row[0], name=row[1], run_id=row[2], scope=row[3], created_at=row[4], note=row[5])


class SqlShellperf:
    """The shellperf port (see :class:`perth.store.ports.shellperf.ShellperfRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db


    def add_run(self, entry: LedgerEntry) -> None:
        """Record a run (and its verdict) in the ledger."""
        import json

        run = entry.run
        with self._db.transaction():
            self._db.run("INSERT INTO shellperf_runs(id, created_at, scope, shell, profile, status, verdict, document,"
                      " assessment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (run.id, run.created_at, run.scope, run.spec.shell, run.profile, run.status, entry.verdict,
                       json.dumps(run.to_json(), sort_keys=True), json.dumps(dict(entry.assessment), sort_keys=True)))

    def get_run(self, run_id: str) -> LedgerEntry | None:
        """One recorded run by full id."""
        rows = self._db.rows(f"SELECT {_RUN_COLUMNS} FROM shellperf_runs WHERE id = ?", (run_id,))
        return _entry(rows[0]) if rows else None

    def find_run_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids of recorded runs ending with ``suffix``."""
        rows = self._db.rows("SELECT id FROM shellperf_runs WHERE id LIKE ? ORDER BY id LIMIT ?", (f"%{suffix}", limit))
        return [row[0] for row in rows]

    def list_runs(self, *, scope: str | None = None, limit: int = 50) -> list[LedgerEntry]:
        """Recorded runs, newest first, optionally of one scope."""
        where, params = ("WHERE scope = ?", [scope]) if scope is not None else ("", [])
        rows = self._db.rows(f"SELECT {_RUN_COLUMNS} FROM shellperf_runs {where} ORDER BY created_at DESC, id DESC"
                          " LIMIT ?", [*params, limit])
        return [_entry(row) for row in rows]

    def add_baseline(self, baseline: Baseline) -> None:
        """Name a recorded run as a baseline (the name must be free)."""
        try:
            with self._db.transaction():
                self._db.run(f"INSERT INTO shellperf_baselines({_BASELINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                          (baseline.id, baseline.name, baseline.run_id, baseline.scope, baseline.created_at,
                           baseline.note))
        except IntegrityViolation as exc:
            raise ConflictError(f"a baseline named {baseline.name!r} already exists",
                                "pick another name, or pass --replace to move it to this run") from exc

    def get_baseline(self, name: str) -> Baseline | None:
        """A live baseline by name."""
        rows = self._db.rows(f"SELECT {_BASELINE_COLUMNS} FROM shellperf_baselines WHERE name = ?"
                          " AND deleted_at IS NULL", (name,))
        return _baseline(rows[0]) if rows else None

    def list_baselines(self, *, scope: str | None = None) -> list[Baseline]:
        """Live baselines, newest first, optionally of one scope."""
        where, params = (" AND scope = ?", [scope]) if scope is not None else ("", [])
        rows = self._db.rows(f"SELECT {_BASELINE_COLUMNS} FROM shellperf_baselines WHERE deleted_at IS NULL{where}"
                          " ORDER BY created_at DESC, id DESC", params)
        return [_baseline(row) for row in rows]

    def delete_baseline(self, name: str, at: int) -> bool:
        """Soft-delete a baseline (the name becomes free); whether it existed."""
        with self._db.transaction():
            cursor = self._db.run("UPDATE shellperf_baselines SET deleted_at = ? WHERE name = ? AND deleted_at IS NULL",
                               (at, name))
        return cursor.rowcount > 0

    def all_runs(self) -> list[LedgerEntry]:
        """Every recorded run, oldest first."""
        rows = self._db.rows(f"SELECT {_RUN_COLUMNS} FROM shellperf_runs ORDER BY created_at, id")
        return [_entry(row) for row in rows]

    def all_baselines(self) -> list[tuple[Baseline, int | None]]:
        """Every baseline (deleted ones too) with its deletion time, oldest first."""
        rows = self._db.rows(f"SELECT {_BASELINE_COLUMNS}, deleted_at FROM shellperf_baselines"
                             " ORDER BY created_at, id")
        return [(_baseline(row), row[6]) for row in rows]

    def all_governance(self) -> list[GovernanceState]:
        """The governance state of every scope, by scope."""
        from perth.shellperf.records import GovernanceState

        rows = self._db.rows(f"SELECT {_GOVERNANCE_COLUMNS} FROM shellperf_governance ORDER BY scope")
        return [GovernanceState(*row) for row in rows]

    def get_governance(self, scope: str) -> GovernanceState | None:
        """The streaks and recommendation of one scope."""
        from perth.shellperf.records import GovernanceState

        rows = self._db.rows(f"SELECT {_GOVERNANCE_COLUMNS} FROM shellperf_governance WHERE scope = ?", (scope,))
        return GovernanceState(*rows[0]) if rows else None

    def put_governance(self, state: GovernanceState) -> None:
        """Insert or replace the governance state of a scope."""
        with self._db.transaction():
            self._db.run(f"INSERT INTO shellperf_governance({_GOVERNANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                         f" ON CONFLICT(scope) DO UPDATE SET {_GOVERNANCE_UPDATE}",
                         (state.scope, state.recommended, state.stable_streak, state.clean_streak, state.runs_seen,
                          state.last_run_id, state.updated_at, state.reason))
