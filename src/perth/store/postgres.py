"""The PostgreSQL adapter of the Store port: a store shared by a team (``store.url``).

:class:`PostgresStore` is the unit of work over one :class:`~perth.store.pg_db.PgDatabase`
connection; its ports are the same ``sql_<port>.py`` adapters SQLite uses (written in the SQL both
share), with the few engine-specific parts in ``pg_<port>.py`` (job leases with ``SKIP LOCKED``,
globs as regular expressions, commit-ordered search feeds).  It passes the same contract suites
(``tests/store/contract/``) as SQLite, for every port.
"""

from __future__ import annotations

from perth.records import StoreInfo
from perth.store.base import PortedStore
from perth.store.pg_db import PgDatabase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.store.pg_code import PgCodeIndex
    from perth.store.pg_jobs import PgJobLogs, PgJobs
    from perth.store.pg_search import PgSearchIndex
    from perth.store.sql_breakers import SqlBreakers
    from perth.store.sql_commands import SqlCommands
    from perth.store.sql_entries import SqlEntries
    from perth.store.sql_llm import SqlLlmCalls
    from perth.store.sql_outbox import SqlOutbox
    from perth.store.sql_panes import SqlPanes
    from perth.store.sql_redaction import SqlRedactionStats
    from perth.store.sql_shellperf import SqlShellperf
    from perth.store.sql_snapshots import SqlSnapshots
    from perth.store.sql_workflows import SqlWorkflows


#: Port name -> the module and class of its PostgreSQL adapter, imported on first use (``perth log``
#: loads the panes, entries and commands adapters and nothing else).  ``search_index`` is built with
#: its owner in :meth:`PostgresStore._build`.
ADAPTERS: dict[str, tuple[str, str]] = {
    "panes": ("perth.store.sql_panes", "SqlPanes"),
    "entries": ("perth.store.sql_entries", "SqlEntries"),
    "commands": ("perth.store.sql_commands", "SqlCommands"),
    "redaction_stats": ("perth.store.sql_redaction", "SqlRedactionStats"),
    "shellperf": ("perth.store.sql_shellperf", "SqlShellperf"),
    "snapshots": ("perth.store.sql_snapshots", "SqlSnapshots"),
    "breakers": ("perth.store.sql_breakers", "SqlBreakers"),
    "llm_calls": ("perth.store.sql_llm", "SqlLlmCalls"),
    "outbox": ("perth.store.sql_outbox", "SqlOutbox"),
    "code": ("perth.store.pg_code", "PgCodeIndex"),
    "jobs": ("perth.store.pg_jobs", "PgJobs"),
    "job_logs": ("perth.store.pg_jobs", "PgJobLogs"),
    "workflows": ("perth.store.sql_workflows", "SqlWorkflows"),
    "users": ("perth.store.sql_users", "SqlUsers"),
}


#: The ports this adapter offers: every port of the Store (``search_index`` is built with its owner).
CAPABILITIES = frozenset({"panes", "entries", "commands", "redaction_stats", "shellperf", "snapshots",
                          "breakers", "llm_calls", "outbox", "code", "search_index", "jobs", "job_logs",
                          "workflows", "users"})


class PostgresStore(PortedStore):
    """The Store port over a PostgreSQL database: every port shares one connection and transaction."""

    adapter = "postgresql"
    db: PgDatabase
    read_only = False
    capabilities: frozenset[str] = CAPABILITIES

    def __init__(self, url: str, *, timeout_ms: int = 5000, migrate_schema: bool = True,
                 search_owner: str = "", driver: str = "auto") -> None:
        #: Whose search index the ``search_index`` port's state belongs to: each machine (and home)
        #: keeps its own index beside the shared store (see :mod:`perth.store.sql_search`).
        self.search_owner = search_owner
        self.db = PgDatabase(url, timeout_ms=timeout_ms, driver=driver)
        if migrate_schema:
            from perth.store.pg_migrations import migrate

            try:
                migrate(self.db)  # under an advisory lock; nothing to do in the common case
            except BaseException:
                self.db.close()
                raise

    def _build(self, name: str) -> object:
        if name == "search_index":
            from perth.store.pg_search import PgSearchIndex

            return PgSearchIndex(self.db, self.search_owner)
        module, cls = ADAPTERS[name]
        adapter: Callable[[PgDatabase], object] = getattr(__import__(module, fromlist=[cls]), cls)
        return adapter(self.db)

    panes: SqlPanes
    entries: SqlEntries
    commands: SqlCommands
    redaction_stats: SqlRedactionStats
    shellperf: SqlShellperf
    snapshots: SqlSnapshots
    breakers: SqlBreakers
    llm_calls: SqlLlmCalls
    outbox: SqlOutbox
    code: PgCodeIndex
    search_index: PgSearchIndex
    jobs: PgJobs
    job_logs: PgJobLogs
    workflows: SqlWorkflows

    def info(self) -> StoreInfo:
        """Adapter, server, schema version and row counts."""
        from perth.store.pg_migrations import PG_LATEST_VERSION, current_version

        size = int(self.db.rows("SELECT pg_database_size(current_database())")[0][0])
        return StoreInfo(adapter=self.adapter, location=self.db.server, schema_version=current_version(self.db),
                         latest_schema_version=PG_LATEST_VERSION, size_bytes=size, panes=self.panes.count(),
                         entries=self.entries.count())
