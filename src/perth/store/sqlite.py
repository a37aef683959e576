"""The SQLite adapter of the Store port: the embedded default.

:class:`SQLiteStore` is the unit of work: one :class:`SQLiteDatabase` (one connection,
WAL mode, a busy timeout, short ``BEGIN IMMEDIATE`` transactions) shared by the
per-port adapters: those in ``sql_<port>.py`` (written in the SQL SQLite and PostgreSQL share) and
the SQLite-specific parts in ``sqlite_<port>.py`` (the search feeds by rowid).  Each adapter is built on first use,
with its module imported only then, so a command pays for the ports it touches
(``perth log`` loads panes, entries and commands).
"""

from __future__ import annotations

import os

from perth.records import StoreInfo
from perth.store.base import PortedStore
from perth.store.migrations import LATEST_VERSION
from perth.store.sqlite_db import SQLiteDatabase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.store.sql_breakers import SqlBreakers
    from perth.store.sql_code import SqlCodeIndex
    from perth.store.sql_commands import SqlCommands
    from perth.store.sql_entries import SqlEntries
    from perth.store.sql_jobs import SqlJobLogs, SqlJobs
    from perth.store.sql_llm import SqlLlmCalls
    from perth.store.sql_outbox import SqlOutbox
    from perth.store.sql_panes import SqlPanes
    from perth.store.sql_redaction import SqlRedactionStats
    from perth.store.sql_shellperf import SqlShellperf
    from perth.store.sql_snapshots import SqlSnapshots
    from perth.store.sql_users import SqlUsers
    from perth.store.sql_workflows import SqlWorkflows
    from perth.store.sqlite_search import SQLiteSearchIndex

def _panes(db: SQLiteDatabase) -> SqlPanes:
    from perth.store.sql_panes import SqlPanes

    return SqlPanes(db)


def _entries(db: SQLiteDatabase) -> SqlEntries:
    from perth.store.sql_entries import SqlEntries

    return SqlEntries(db)


def _commands(db: SQLiteDatabase) -> SqlCommands:
    from perth.store.sql_commands import SqlCommands

    return SqlCommands(db)


def _redaction_stats(db: SQLiteDatabase) -> SqlRedactionStats:
    from perth.store.sql_redaction import SqlRedactionStats

    return SqlRedactionStats(db)


def _shellperf(db: SQLiteDatabase) -> SqlShellperf:
    from perth.store.sql_shellperf import SqlShellperf

    return SqlShellperf(db)


def _snapshots(db: SQLiteDatabase) -> SqlSnapshots:
    from perth.store.sql_snapshots import SqlSnapshots

    return SqlSnapshots(db)


def _breakers(db: SQLiteDatabase) -> SqlBreakers:
    from perth.store.sql_breakers import SqlBreakers

    return SqlBreakers(db)


def _llm_calls(db: SQLiteDatabase) -> SqlLlmCalls:
    from perth.store.sql_llm import SqlLlmCalls

    return SqlLlmCalls(db)


def _code(db: SQLiteDatabase) -> SqlCodeIndex:
    from perth.store.sql_code import SqlCodeIndex

    return SqlCodeIndex(db)


def _outbox(db: SQLiteDatabase) -> SqlOutbox:
    from perth.store.sql_outbox import SqlOutbox

    return SqlOutbox(db)


def _search_index(db: SQLiteDatabase) -> SQLiteSearchIndex:
    from perth.store.sqlite_search import SQLiteSearchIndex

    return SQLiteSearchIndex(db)


def _jobs(db: SQLiteDatabase) -> SqlJobs:
    from perth.store.sql_jobs import SqlJobs

    return SqlJobs(db)


def _job_logs(db: SQLiteDatabase) -> SqlJobLogs:
    from perth.store.sql_jobs import SqlJobLogs

    return SqlJobLogs(db)


def _workflows(db: SQLiteDatabase) -> SqlWorkflows:
    from perth.store.sql_workflows import SqlWorkflows

    return SqlWorkflows(db)


def _users(db: SQLiteDatabase) -> SqlUsers:
    from perth.store.sql_users import SqlUsers

    return SqlUsers(db)


#: Port name -> the factory of its SQLite adapter (which imports the adapter's module only then).
#: A new capability adds its factory here, its port in ``ports/`` and its attribute in
#: :class:`perth.store.port.Store`.
ADAPTERS: dict[str, Callable[[SQLiteDatabase], object]] = {
    "panes": _panes,
    "entries": _entries,
    "commands": _commands,
    "redaction_stats": _redaction_stats,
    "shellperf": _shellperf,
    "snapshots": _snapshots,
    "breakers": _breakers,
    "llm_calls": _llm_calls,
    "code": _code,
    "search_index": _search_index,
    "outbox": _outbox,
    "jobs": _jobs,
    "job_logs": _job_logs,
    "workflows": _workflows,
    "users": _users,
}


class SQLiteStore(PortedStore):
    """The Store port over one SQLite file: every port shares one connection and transaction."""

    adapter = "sqlite"
    db: SQLiteDatabase
    capabilities: frozenset[str] = frozenset(ADAPTERS)
    unsupported_hint = "use a store adapter that offers it (see docs/architecture.md)"

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_ms: int = 5000,
                 migrate_schema: bool = True, keys: list[str] | None = None) -> None:
        self.db = SQLiteDatabase(path, busy_timeout_ms=busy_timeout_ms, migrate_schema=migrate_schema, keys=keys)
        self.path = self.db.path

    def _build(self, name: str) -> object:
        return ADAPTERS[name](self.db)

    panes: SqlPanes
    entries: SqlEntries
    commands: SqlCommands
    redaction_stats: SqlRedactionStats
    shellperf: SqlShellperf
    snapshots: SqlSnapshots
    breakers: SqlBreakers
    llm_calls: SqlLlmCalls
    code: SqlCodeIndex
    search_index: SQLiteSearchIndex
    outbox: SqlOutbox
    jobs: SqlJobs
    job_logs: SqlJobLogs
    workflows: SqlWorkflows

    @property
    def read_only(self) -> bool:
        """Whether the data file was opened for reading only (see :class:`SQLiteDatabase`)."""
        return self.db.read_only

    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self.db.schema_version()

    def info(self) -> StoreInfo:
        """Adapter, location, schema version and row counts."""
        size = sum(os.path.getsize(p) for p in (self.path, f"{self.path}-wal") if os.path.exists(p))
        return StoreInfo(adapter=self.adapter, location=self.path, schema_version=self.schema_version(),
                         latest_schema_version=LATEST_VERSION, size_bytes=size, panes=self.panes.count(),
                         entries=self.entries.count())
