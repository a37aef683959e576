"""Keeping the search index in step with the store, incrementally.

Never on the ``perth log`` hot path: :func:`sync` runs in ``perth daemon`` every
``search.sync_interval_s`` seconds (:mod:`perth.search.tasks`), and before a search for whatever the
daemon has not copied yet (all of it without a daemon), and in ``perth search reindex``, copying what
each source produced since its cursor.  tantivy commits
first, then the cursors are saved: an interruption in between only makes the next sync redo a
batch (writes are upserts by key).  When another process holds the index writer, a search uses the
index as it is and leaves the sync to that process.
"""

from __future__ import annotations

import os

from perth.errors import StoreBusyError
from perth.record import Record
from perth.search.records import SourceState
from perth.search.registry import all_sources
from perth.search.sources import visibility_digest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.search.engine import FullTextIndex, IndexWriter
    from perth.search.semantic import VectorIndex
    from perth.search.sources import Changes, DocumentSource

BATCH = 5000
COMMIT_EVERY = 100_000
#: The search state that records, on a multi-user store, which rows the index was filled with (not a kind).
VISIBILITY = "_visibility"


class SyncReport(Record):
    """What one sync did: documents written per kind, and whether another process held the index."""

    written: tuple[tuple[str, int], ...] = ()
    busy: bool = False
    rebuilt: bool = False

    @property
    def total(self) -> int:
        """Documents written (added, replaced or deleted)."""
        return sum(count for _, count in self.written)


def open_index(rt: Runtime) -> FullTextIndex:
    """The full-text index of this store; for a read-only store, a private one in a temporary folder
    (removed by :func:`close_index`), built whole by :func:`sync`."""
    from perth.search.engine import FullTextIndex, index_dir

    if rt.store.read_only:
        import tempfile

        return FullTextIndex(os.path.join(tempfile.mkdtemp(prefix="perth-search-"), "fulltext"))
    return FullTextIndex(os.path.join(index_dir(rt), "fulltext"))


def close_index(rt: Runtime, index: FullTextIndex) -> None:
    """Remove the temporary index of a read-only store (nothing otherwise)."""
    if rt.store.read_only:
        import shutil

        shutil.rmtree(os.path.dirname(index.directory), ignore_errors=True)


class _LazyWriter:
    """Opens tantivy's writer only when a source has something to write."""

    def __init__(self, index: FullTextIndex, vectors: VectorIndex | None) -> None:
        self.index = index
        self.vectors = vectors
        self.opened: IndexWriter | None = None

    def get(self) -> IndexWriter:
        if self.opened is None:
            self.opened = self.index.writer()
        return self.opened


def sync(rt: Runtime, index: FullTextIndex | None = None, *, rebuild: bool = False,
         merge: bool = False) -> SyncReport:
    """Copy every source's changes into the index (``rebuild``: start from nothing).  On a read-only
    store nothing is recorded: the index (a temporary one, see :func:`open_index`) is built whole.
    ``merge`` waits for the index's segments to be merged (the daemon and ``reindex`` do; a search
    does not wait, so its segment stays until the daemon's next turn or the next reindex)."""
    vectors = None
    if not rt.store.read_only and str(rt.settings.get("search.model_path")):  # else no vectors: no import
        from perth.search.semantic import sink

        vectors = sink(rt)
    lazy = _LazyWriter(index or open_index(rt), vectors)
    try:
        if vectors is not None and not rebuild and not vectors.is_new:
            vectors.check()
        digest = visibility_digest(rt)
        if (rebuild or lazy.index.recreated or rt.store.read_only or not rt.store.search_index.states()
                or (vectors is not None and vectors.is_new) or _visibility_changed(rt, digest)):
            if not rt.store.read_only:
                rt.store.search_index.reset()
            lazy.get().raw.delete_all_documents()
            if vectors is not None:
                vectors.reset()
            rebuild = True
        written = tuple((kind, _sync_source(rt, lazy, source)) for kind, source in all_sources().items())
        if lazy.opened is not None:
            lazy.opened.commit()
        if digest is not None and not rt.store.read_only:  # recorded once the index holds what it allows
            rt.store.search_index.save_state(SourceState(VISIBILITY, digest, 0, rt.clock()))
    except StoreBusyError:
        return SyncReport(busy=True)
    finally:
        if lazy.opened is not None:
            lazy.opened.close(merge=merge)
        if vectors is not None:
            vectors.close()
    return SyncReport(written=written, rebuilt=rebuild)


def _visibility_changed(rt: Runtime, digest: str | None) -> bool:
    """Whether the rows the user may read changed since the index was filled (a multi-user store only)."""
    if digest is None or rt.store.read_only:
        return False
    state = rt.store.search_index.state(VISIBILITY)
    return state is None or state.cursor != digest


def _sync_source(rt: Runtime, lazy: _LazyWriter, source: DocumentSource) -> int:
    state = None if rt.store.read_only else rt.store.search_index.state(source.kind)
    saved = cursor = state.cursor if state else None
    fresh = state is None
    written = 0
    while True:
        changes = source.changes(rt, cursor, BATCH)
        if changes.cursor != cursor or changes.upserts or changes.deletes:
            written += _apply(lazy, source.kind, changes, fresh=fresh and cursor is None, replace=fresh)
            cursor = changes.cursor
        if lazy.opened is not None and cursor != saved and (lazy.opened.pending >= COMMIT_EVERY or not changes.more):
            lazy.opened.commit()
            docs = (state.docs if state else 0) + written
            if not rt.store.read_only:
                rt.store.search_index.save_state(SourceState(source.kind, cursor or "", docs, rt.clock()))
            saved = cursor
        if not changes.more:
            return written


def _apply(lazy: _LazyWriter, kind: str, changes: Changes, *, fresh: bool, replace: bool) -> int:
    """Write one batch to the full-text index and the vectors; returns the documents written."""
    writer = lazy.get()
    if fresh or changes.replace_kind:
        writer.delete_kind(kind)
        if lazy.vectors is not None:
            lazy.vectors.delete_kind(kind)
    elif changes.delete_prefixes:  # before the upserts: tantivy deletes what was added before the delete
        writer.delete_prefixes(changes.delete_prefixes)
        if lazy.vectors is not None:
            lazy.vectors.delete_prefixes(changes.delete_prefixes)
    writer.upsert(changes.upserts, fresh=replace or changes.replace_kind)
    writer.delete(changes.deletes)
    if lazy.vectors is not None:
        lazy.vectors.upsert(changes.upserts)
        lazy.vectors.delete(changes.deletes)
    return len(changes.upserts) + len(changes.deletes)
