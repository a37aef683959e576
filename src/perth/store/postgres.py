"""The PostgreSQL adapter of the Store port: a store shared by a team (``store.url``).

:class:`PostgresStore` is the unit of work over one :class:`~perth.store.pg_db.PgDatabase`
connection; its ports are the same ``sql_<port>.py`` adapters SQLite uses (written in the SQL both
share).  It passes the same contract suites (``tests/store/contract/``) for the ports it declares.
"""

from __future__ import annotations

from perth.records import StoreInfo
from perth.store.base import PortedStore
from perth.store.pg_db import PgDatabase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.store.sql_breakers import SqlBreakers
    from perth.store.sql_commands import SqlCommands
    from perth.store.sql_entries import SqlEntries
    from perth.store.sql_llm import SqlLlmCalls
    from perth.store.sql_outbox import SqlOutbox
    from perth.store.sql_panes import SqlPanes
    from perth.store.sql_redaction import SqlRedactionStats
    from perth.store.sql_shellperf import SqlShellperf
    from perth.store.sql_snapshots import SqlSnapshots


def _adapters() -> dict[str, Callable[[PgDatabase], object]]:
    from perth.store.sql_breakers import SqlBreakers
    from perth.store.sql_commands import SqlCommands
    from perth.store.sql_entries import SqlEntries
    from perth.store.sql_llm import SqlLlmCalls
    from perth.store.sql_outbox import SqlOutbox
    from perth.store.sql_panes import SqlPanes
    from perth.store.sql_redaction import SqlRedactionStats
    from perth.store.sql_shellperf import SqlShellperf
    from perth.store.sql_snapshots import SqlSnapshots
    from perth.store.sql_users import SqlUsers

    return {"panes": SqlPanes, "entries": SqlEntries, "commands": SqlCommands,
            "redaction_stats": SqlRedactionStats, "shellperf": SqlShellperf, "snapshots": SqlSnapshots,
            "breakers": SqlBreakers, "llm_calls": SqlLlmCalls, "outbox": SqlOutbox, "users": SqlUsers}


#: The ports this adapter offers (the keys of :func:`_adapters`).
CAPABILITIES = frozenset({"panes", "entries", "commands", "redaction_stats", "shellperf", "snapshots",
                          "breakers", "llm_calls", "outbox", "users"})


class PostgresStore(PortedStore):
    """The Store port over a PostgreSQL database: every port shares one connection and transaction."""

    adapter = "postgresql"
    db: PgDatabase
    read_only = False
    capabilities: frozenset[str] = CAPABILITIES

    def __init__(self, url: str, *, timeout_ms: int = 5000, migrate_schema: bool = True) -> None:
        self.db = PgDatabase(url, timeout_ms=timeout_ms)
        if migrate_schema:
            from perth.store.pg_migrations import migrate

            try:
                migrate(self.db)  # under an advisory lock; nothing to do in the common case
            except BaseException:
                self.db.close()
                raise

    def _build(self, name: str) -> object:
        return _adapters()[name](self.db)

    panes: SqlPanes
    entries: SqlEntries
    commands: SqlCommands
    redaction_stats: SqlRedactionStats
    shellperf: SqlShellperf
    snapshots: SqlSnapshots
    breakers: SqlBreakers
    llm_calls: SqlLlmCalls
    outbox: SqlOutbox

    def info(self) -> StoreInfo:
        """Adapter, server, schema version and row counts."""
        from perth.store.pg_migrations import PG_LATEST_VERSION, current_version

        size = int(self.db.rows("SELECT pg_database_size(current_database())")[0][0])
        return StoreInfo(adapter=self.adapter, location=self.db.server, schema_version=current_version(self.db),
                         latest_schema_version=PG_LATEST_VERSION, size_bytes=size, panes=self.panes.count(),
                         entries=self.entries.count())
