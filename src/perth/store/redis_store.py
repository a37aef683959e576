"""The Redis adapter of the Store port: the original Perth keyspace (``store.url = "redis://..."``).

:class:`RedisStore` offers the ports of the pane memory (``panes``, ``entries``,
``redaction_stats``, ``breakers``); reaching any other port raises
:class:`~perth.errors.UnsupportedByStoreError` ("not supported by the redis store", exit 1).  Its
unit of work buffers every write and commits it in one ``MULTI``/``EXEC``
(:mod:`perth.store.redis_db`).  Every key starts with the prefix of the URL's ``prefix``
parameter (``perth:`` by default), so several stores share one Redis database; the keyspace is
documented in docs/team.md.
"""

from __future__ import annotations

from perth.records import StoreInfo
from perth.store.base import PortedStore
from perth.store.redis_db import RedisDatabase

TYPE_CHECKING = False
if TYPE_CHECKING:

    from perth.store.ports.code import CodeIndexPort
    from perth.store.ports.commands import CommandRepo
    from perth.store.ports.jobs import JobLogRepo, JobQueue
    from perth.store.ports.llm_calls import LlmCallRepo
    from perth.store.ports.outbox import Outbox
    from perth.store.ports.search import SearchIndex
    from perth.store.ports.shellperf import ShellperfRepo
    from perth.store.ports.snapshots import SnapshotRepo
    from perth.store.redis_counters import RedisBreakers, RedisRedactionStats
    from perth.store.redis_entries import RedisEntries
    from perth.store.redis_panes import RedisPanes

#: The layout version of the keyspace (the ``schema`` key); a change adds a migration here.
REDIS_SCHEMA_VERSION = 1

#: The ports this adapter offers.
CAPABILITIES = frozenset({"panes", "entries", "redaction_stats", "breakers"})


def _build(store: RedisStore, name: str) -> object:
    from perth.store.redis_counters import RedisBreakers, RedisRedactionStats
    from perth.store.redis_entries import RedisEntries
    from perth.store.redis_panes import RedisPanes

    if name == "panes":
        return RedisPanes(store.db)
    if name == "entries":
        return RedisEntries(store.db, store.panes)
    return RedisBreakers(store.db) if name == "breakers" else RedisRedactionStats(store.db)


class RedisStore(PortedStore):
    """The Store port over a Redis keyspace: every port writes through one buffered unit of work."""

    adapter = "redis"
    db: RedisDatabase
    unsupported_hint = "use a SQLite or PostgreSQL store for it (see docs/team.md)"
    read_only = False
    capabilities: frozenset[str] = CAPABILITIES

    def __init__(self, url: str, *, timeout_ms: int = 5000) -> None:
        self.db = RedisDatabase(url, timeout_ms=timeout_ms)
        with self.db.reading() as client:
            client.set(self.db.key("schema"), REDIS_SCHEMA_VERSION, nx=True)

    def _build(self, name: str) -> object:
        return _build(self, name)

    panes: RedisPanes
    entries: RedisEntries
    redaction_stats: RedisRedactionStats
    breakers: RedisBreakers
    # the ports this adapter does not offer (reaching one raises UnsupportedByStoreError)
    commands: CommandRepo
    shellperf: ShellperfRepo
    snapshots: SnapshotRepo
    llm_calls: LlmCallRepo
    code: CodeIndexPort
    outbox: Outbox
    search_index: SearchIndex
    jobs: JobQueue
    job_logs: JobLogRepo

    def info(self) -> StoreInfo:
        """Adapter, server and prefix, keyspace version, memory used by this store's keys, row counts."""
        with self.db.reading() as client:
            version = int(client.get(self.db.key("schema")) or 0)
            pipe = client.pipeline(transaction=False)
            for key in self.db.own_keys():
                pipe.memory_usage(key)
            size = sum(int(used or 0) for used in pipe.execute())
        return StoreInfo(adapter=self.adapter, location=f"redis://{self.db.server} (prefix {self.db.prefix})",
                         schema_version=version, latest_schema_version=REDIS_SCHEMA_VERSION, size_bytes=size,
                         panes=self.panes.count(), entries=self.entries.count())

    def drop_keys(self) -> int:
        """Delete every key under this store's prefix (and no other); how many there were."""
        keys = list(self.db.own_keys())
        with self.db.reading() as client:
            for start in range(0, len(keys), 500):
                client.delete(*keys[start:start + 500])
        return len(keys)
