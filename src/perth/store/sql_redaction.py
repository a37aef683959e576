"""Table of the secret filter's per-rule counters (migration ``m004``): the redaction_stats port."""

from __future__ import annotations

from perth.records import RedactionCount

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.store.sql import SqlDatabase


class SqlRedactionStats:
    """The redaction_stats port (see :class:`perth.store.ports.redaction.RedactionStats`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(self, counts: Mapping[tuple[str, str], int], at: int) -> None:
        """Add to the per-(rule, source) counters."""
        if not counts:
            return
        with self._db.transaction():
            for (rule_id, source), count in counts.items():
                self._db.run(
                    "INSERT INTO redaction_stats(rule_id, source, count, last_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(rule_id, source) DO UPDATE SET count = redaction_stats.count + excluded.count,"
                    " last_at = excluded.last_at", (rule_id, source, count, at))

    def all(self) -> list[RedactionCount]:
        """Every counter, most frequent first."""
        rows = self._db.rows("SELECT rule_id, source, count, last_at FROM redaction_stats"
                          " ORDER BY count DESC, rule_id, source")
        return [RedactionCount(*row) for row in rows]
