"""The SQLite adapter of the Store port: the embedded default.

:class:`SQLiteStore` is the unit of work: one :class:`SQLiteDatabase` (one connection,
WAL mode, a busy timeout, short ``BEGIN IMMEDIATE`` transactions) shared by the
per-capability adapters in ``sqlite_<port>.py``.  Each adapter is built on first use,
with its module imported only then, so a command pays for the ports it touches
(``perth log`` loads panes, entries and commands).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from perth.errors import UnsupportedByStoreError
from perth.records import StoreInfo
from perth.store.migrations import LATEST_VERSION
from perth.store.sqlite_db import SQLiteDatabase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from typing import Any

    from perth.store.sqlite_breakers import SQLiteBreakers
    from perth.store.sqlite_commands import SQLiteCommands, SQLiteFullText
    from perth.store.sqlite_entries import SQLiteEntries
    from perth.store.sqlite_jobs import SQLiteJobLogs, SQLiteJobs
    from perth.store.sqlite_llm import SQLiteLlmCalls
    from perth.store.sqlite_panes import SQLitePanes
    from perth.store.sqlite_redaction import SQLiteRedactionStats
    from perth.store.sqlite_shellperf import SQLiteShellperf
    from perth.store.sqlite_snapshots import SQLiteSnapshots

def _panes(db: SQLiteDatabase) -> SQLitePanes:
    from perth.store.sqlite_panes import SQLitePanes

    return SQLitePanes(db)


def _entries(db: SQLiteDatabase) -> SQLiteEntries:
    from perth.store.sqlite_entries import SQLiteEntries

    return SQLiteEntries(db)


def _commands(db: SQLiteDatabase) -> SQLiteCommands:
    from perth.store.sqlite_commands import SQLiteCommands

    return SQLiteCommands(db)


def _fulltext(db: SQLiteDatabase) -> SQLiteFullText:
    from perth.store.sqlite_commands import SQLiteFullText

    return SQLiteFullText(db)


def _redaction_stats(db: SQLiteDatabase) -> SQLiteRedactionStats:
    from perth.store.sqlite_redaction import SQLiteRedactionStats

    return SQLiteRedactionStats(db)


def _shellperf(db: SQLiteDatabase) -> SQLiteShellperf:
    from perth.store.sqlite_shellperf import SQLiteShellperf

    return SQLiteShellperf(db)


def _snapshots(db: SQLiteDatabase) -> SQLiteSnapshots:
    from perth.store.sqlite_snapshots import SQLiteSnapshots

    return SQLiteSnapshots(db)


def _breakers(db: SQLiteDatabase) -> SQLiteBreakers:
    from perth.store.sqlite_breakers import SQLiteBreakers

    return SQLiteBreakers(db)


def _llm_calls(db: SQLiteDatabase) -> SQLiteLlmCalls:
    from perth.store.sqlite_llm import SQLiteLlmCalls

    return SQLiteLlmCalls(db)


def _jobs(db: SQLiteDatabase) -> SQLiteJobs:
    from perth.store.sqlite_jobs import SQLiteJobs

    return SQLiteJobs(db)


def _job_logs(db: SQLiteDatabase) -> SQLiteJobLogs:
    from perth.store.sqlite_jobs import SQLiteJobLogs

    return SQLiteJobLogs(db)


#: Port name -> the factory of its SQLite adapter (which imports the adapter's module only then).
#: A new capability adds its factory here, its port in ``ports/`` and its attribute in
#: :class:`perth.store.port.Store`.
ADAPTERS: dict[str, Callable[[SQLiteDatabase], object]] = {
    "panes": _panes,
    "entries": _entries,
    "commands": _commands,
    "fulltext": _fulltext,
    "redaction_stats": _redaction_stats,
    "shellperf": _shellperf,
    "snapshots": _snapshots,
    "breakers": _breakers,
    "llm_calls": _llm_calls,
    "jobs": _jobs,
    "job_logs": _job_logs,
}


@contextmanager
def _unit(store: SQLiteStore) -> Iterator[SQLiteStore]:
    with store.db.transaction():
        yield store


class SQLiteStore:
    """The Store port over one SQLite file: every port shares one connection and transaction."""

    adapter = "sqlite"
    capabilities: frozenset[str] = frozenset(ADAPTERS)

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_ms: int = 5000,
                 migrate_schema: bool = True) -> None:
        self.db = SQLiteDatabase(path, busy_timeout_ms=busy_timeout_ms, migrate_schema=migrate_schema)
        self.path = self.db.path

    def __getattr__(self, name: str) -> Any:
        """Build a port's adapter on first use (its module is imported only then)."""
        if name.startswith("_") or name not in self.__class__.__annotations__:
            raise AttributeError(name)
        if name not in ADAPTERS:
            raise UnsupportedByStoreError(f"the sqlite store does not support {name}",
                                          "use a store adapter that does (see docs/architecture.md)")
        repo = ADAPTERS[name](self.db)
        setattr(self, name, repo)
        return repo

    panes: SQLitePanes
    entries: SQLiteEntries
    commands: SQLiteCommands
    fulltext: SQLiteFullText
    redaction_stats: SQLiteRedactionStats
    shellperf: SQLiteShellperf
    snapshots: SQLiteSnapshots
    breakers: SQLiteBreakers
    llm_calls: SQLiteLlmCalls
    jobs: SQLiteJobs
    job_logs: SQLiteJobLogs

    def unit(self) -> AbstractContextManager[SQLiteStore]:
        """A unit of work: every port call inside commits or rolls back together (nestable)."""
        return _unit(self)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self.db.schema_version()

    def info(self) -> StoreInfo:
        """Adapter, location, schema version and row counts."""
        size = sum(os.path.getsize(p) for p in (self.path, f"{self.path}-wal") if os.path.exists(p))
        return StoreInfo(adapter=self.adapter, location=self.path, schema_version=self.schema_version(),
                         latest_schema_version=LATEST_VERSION, size_bytes=size, panes=self.panes.count(),
                         entries=self.entries.count())
