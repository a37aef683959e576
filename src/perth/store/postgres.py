"""The PostgreSQL adapter of the Store port: a store shared by a team (``store.url``).

:class:`PostgresStore` is the unit of work over one :class:`~perth.store.pg_db.PgDatabase`
connection; its ports are the same ``sql_<port>.py`` adapters SQLite uses (written in the SQL both
share) plus PostgreSQL's own full-text index (``pg_fulltext.py``).  It passes the same contract
suites (``tests/store/contract/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from perth.errors import UnsupportedByStoreError
from perth.records import StoreInfo
from perth.store.pg_db import PgDatabase
from perth.store.ports import PORTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from typing import Any

    from perth.store.pg_fulltext import PgFullText
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
    from perth.store.pg_fulltext import PgFullText
    from perth.store.sql_breakers import SqlBreakers
    from perth.store.sql_commands import SqlCommands
    from perth.store.sql_entries import SqlEntries
    from perth.store.sql_llm import SqlLlmCalls
    from perth.store.sql_outbox import SqlOutbox
    from perth.store.sql_panes import SqlPanes
    from perth.store.sql_redaction import SqlRedactionStats
    from perth.store.sql_shellperf import SqlShellperf
    from perth.store.sql_snapshots import SqlSnapshots

    return {"panes": SqlPanes, "entries": SqlEntries, "commands": SqlCommands, "fulltext": PgFullText,
            "redaction_stats": SqlRedactionStats, "shellperf": SqlShellperf, "snapshots": SqlSnapshots,
            "breakers": SqlBreakers, "llm_calls": SqlLlmCalls, "outbox": SqlOutbox}


#: The ports this adapter offers (the keys of :func:`_adapters`).
CAPABILITIES = frozenset({"panes", "entries", "commands", "fulltext", "redaction_stats", "shellperf", "snapshots",
                          "breakers", "llm_calls", "outbox"})


@contextmanager
def _unit(store: PostgresStore) -> Iterator[PostgresStore]:
    with store.db.transaction():
        yield store


class PostgresStore:
    """The Store port over a PostgreSQL database: every port shares one connection and transaction."""

    adapter = "postgresql"
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

    def __getattr__(self, name: str) -> Any:
        """Build a port's adapter on first use."""
        if name not in PORTS:
            raise AttributeError(name)
        if name not in self.capabilities:
            raise UnsupportedByStoreError(f"the postgresql store does not support {name}",
                                          "use a store adapter that does (see docs/team.md)")
        repo = _adapters()[name](self.db)
        setattr(self, name, repo)
        return repo

    panes: SqlPanes
    entries: SqlEntries
    commands: SqlCommands
    fulltext: PgFullText
    redaction_stats: SqlRedactionStats
    shellperf: SqlShellperf
    snapshots: SqlSnapshots
    breakers: SqlBreakers
    llm_calls: SqlLlmCalls
    outbox: SqlOutbox

    def unit(self) -> AbstractContextManager[PostgresStore]:
        """A unit of work: every port call inside commits or rolls back together (nestable)."""
        return _unit(self)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def info(self) -> StoreInfo:
        """Adapter, server, schema version and row counts."""
        from perth.store.pg_migrations import PG_LATEST_VERSION, current_version

        size = int(self.db.rows("SELECT pg_database_size(current_database())")[0][0])
        return StoreInfo(adapter=self.adapter, location=self.db.server, schema_version=current_version(self.db),
                         latest_schema_version=PG_LATEST_VERSION, size_bytes=size, panes=self.panes.count(),
                         entries=self.entries.count())
