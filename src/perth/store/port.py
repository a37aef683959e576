"""The Store port: one unit of work over the small per-capability ports.

Each capability owns a port of a handful of methods in its own terms
(:mod:`perth.store.ports`): ``store.panes``, ``store.entries``, ``store.commands``...
An adapter (SQLite, the embedded default) implements the ports it supports and
names them in :attr:`Store.capabilities`; reaching a port it lacks raises
:class:`perth.errors.UnsupportedByStoreError`.  Every port method is atomic on its
own; :meth:`Store.unit` groups calls across ports into one transaction, so a change
and the event that reports it commit or roll back together::

    with rt.store.unit() as uow:
        uow.entries.add(entry)
        uow.panes.update(pane)
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from perth.records import StoreInfo
from perth.store.ports.breakers import BreakerRepo
from perth.store.ports.code import CodeIndexPort
from perth.store.ports.commands import CommandRepo
from perth.store.ports.entries import EntryRepo
from perth.store.ports.jobs import JobLogRepo, JobQueue
from perth.store.ports.llm_calls import LlmCallRepo
from perth.store.ports.outbox import Outbox
from perth.store.ports.panes import PaneRepo
from perth.store.ports.redaction import RedactionStats
from perth.store.ports.search import SearchIndex
from perth.store.ports.shellperf import ShellperfRepo
from perth.store.ports.snapshots import SnapshotRepo
from perth.store.ports.users import UserRepo
from perth.store.ports.workflows import WorkflowRepo


class Store(Protocol):
    """A unit of work over the per-capability ports of one store."""

    @property
    def adapter(self) -> str:
        """The adapter's name (``sqlite``...)."""

    @property
    def read_only(self) -> bool:
        """Whether the store only answers reads (a data file or folder that cannot be written)."""

    @property
    def capabilities(self) -> frozenset[str]:
        """The ports this adapter offers (names from :data:`PORTS`)."""

    @property
    def panes(self) -> PaneRepo:
        """The panes port."""

    @property
    def entries(self) -> EntryRepo:
        """The entries port."""

    @property
    def commands(self) -> CommandRepo:
        """The commands port."""

    @property
    def redaction_stats(self) -> RedactionStats:
        """The redaction stats port."""

    @property
    def shellperf(self) -> ShellperfRepo:
        """The shellperf port."""

    @property
    def snapshots(self) -> SnapshotRepo:
        """The snapshots port."""

    @property
    def breakers(self) -> BreakerRepo:
        """The breakers port."""

    @property
    def llm_calls(self) -> LlmCallRepo:
        """The llm calls port."""

    @property
    def code(self) -> CodeIndexPort:
        """The code index port (C10): repositories, files, symbols and edges."""

    @property
    def search_index(self) -> SearchIndex:
        """The search index port (C11): sync cursors and change feeds of memory search."""

    @property
    def outbox(self) -> Outbox:
        """The outbox port: events in the change's unit of work (C7)."""

    @property
    def jobs(self) -> JobQueue:
        """The operations jobs port (a durable queue with leases)."""

    @property
    def job_logs(self) -> JobLogRepo:
        """The operations job log port."""

    @property
    def workflows(self) -> WorkflowRepo:
        """The workflows port: runs and the state of their steps."""

    @property
    def users(self) -> UserRepo:
        """The users port: users of the interfaces, their roles and hashed tokens (identity)."""

    def unit(self) -> AbstractContextManager[Store]:
        """Group the port calls inside into one atomic unit of work (nestable)."""

    def bulk(self) -> AbstractContextManager[object]:
        """Many units of work in a row (an ingest, an import): the adapter may defer housekeeping to the end."""

    def info(self) -> StoreInfo:
        """Adapter, location, schema version and row counts."""

    def close(self) -> None:
        """Release the connection."""
