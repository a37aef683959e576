"""Document sources: what feeds the search index, one registered source per kind.

A source turns what Perth stores into :class:`SearchDoc` batches and keeps an opaque cursor (stored in
``store.search_index``) of how far it got.  Commands, intent entries, journal sessions, snapshots and
code symbols (:mod:`perth.search.code_source`) are built in; another capability adds a kind with
:func:`register_source` without touching search: the sync, the filters, the ranking and the MCP
tools pick the new kind up.
"""

from __future__ import annotations

from perth.record import Record
from perth.search.records import SearchDoc

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from perth.capture.records import Command
    from perth.records import Entry
    from perth.runtime import Runtime

    class DocumentSource(Protocol):
        """Feeds one kind of document to the index (a protocol for type checking only: importing
        :mod:`typing` would cost every search a few milliseconds)."""

        kind: str

        def changes(self, rt: Runtime, cursor: str | None, batch: int) -> Changes:
            """What changed since ``cursor`` (``None``: everything), at most about ``batch`` documents."""

#: Importance (0..100) by entry type; failed commands get :data:`FAILURE_IMPORTANCE`.
ENTRY_IMPORTANCE = {"milestone": 100, "decision": 100, "blocker": 70, "next": 30}
FAILURE_IMPORTANCE = 50
DAY_MS = 86_400_000


class Changes(Record):
    """One batch from a source: documents to add or replace, keys to delete, the cursor after it.

    ``delete_prefixes``: every document whose key starts with one of these goes, before ``upserts``
    are written (a source replacing a group of documents whose keys it no longer knows)."""

    upserts: tuple[SearchDoc, ...] = ()
    deletes: tuple[str, ...] = ()
    cursor: str = ""
    more: bool = False
    replace_kind: bool = False
    delete_prefixes: tuple[str, ...] = ()


_SOURCES: dict[str, DocumentSource] = {}


def register_source(source: DocumentSource) -> None:
    """Add (or replace) the source of a kind."""
    _SOURCES[source.kind] = source


def clear_sources() -> None:
    """Forget every registered source (the registry registers the built-in ones again)."""
    _SOURCES.clear()


def sources() -> dict[str, DocumentSource]:
    """Every registered source, by kind."""
    return dict(_SOURCES)


def command_doc(row: Command) -> SearchDoc:
    """A captured command as a document (its text was redacted at capture)."""
    return SearchDoc(kind="command", ref_id=row.id, text=row.command, at_ms=row.start_ms,
                     importance=FAILURE_IMPORTANCE if row.exit not in (None, 0) else 0, pane_id=row.pane_id or "",
                     pane_name=row.pane_name or "", cwd=row.cwd or "", repo_root=row.repo_root or "",
                     host=row.host or "", exit=row.exit)


def entry_doc(entry: Entry) -> SearchDoc:
    """An intent entry as a document: summary, goal delta, type and tags."""
    text = " ".join(part for part in (entry.summary, entry.goal_delta or "", " ".join(entry.tags)) if part)
    return SearchDoc(kind="intent", ref_id=entry.id, text=text, at_ms=entry.ts,
                     importance=ENTRY_IMPORTANCE.get(entry.type, 0), pane_id=entry.pane_id,
                     pane_name=entry.pane_name)


def readable_panes(rt: Runtime) -> frozenset[str] | None:
    """On a multi-user store, the ids of the panes the user may read (their own and those shared with one
    of their teams); None on a personal store (every pane)."""
    if not rt.settings.store.multi_user:
        return None
    from perth.records import PaneQuery

    return frozenset(pane.id for pane in rt.store.panes.query(PaneQuery(include_deleted=True)))


def readable(rt: Runtime) -> Callable[[str, str | None], bool] | None:
    """On a multi-user store, whether a row (its owner and pane) is one the user may read: the local index
    holds only those (None: a personal store, every row)."""
    panes = readable_panes(rt)
    if panes is None:
        return None
    user = rt.visibility().user
    return lambda owner, pane_id: owner == user or pane_id in panes


def visibility_digest(rt: Runtime) -> str | None:
    """On a multi-user store, a digest of who reads and which panes they may read: when it changes (a pane
    shared with or taken from one of the user's teams, the user joining or leaving a team) the local index,
    which holds only readable rows, is rebuilt (None on a personal store)."""
    panes = readable_panes(rt)
    if panes is None:
        return None
    import hashlib

    return hashlib.sha256("\n".join([rt.visibility().user, *sorted(panes)]).encode()).hexdigest()


class CommandSource:
    """Captured commands, in storage order (commands are never edited)."""

    kind = "command"

    def changes(self, rt: Runtime, cursor: str | None, batch: int) -> Changes:
        """Commands stored after the cursor's row number."""
        rows = rt.store.search_index.commands_after(int(cursor or 0), batch)
        last = rows[-1][0] if rows else int(cursor or 0)
        keep = readable(rt)
        return Changes(upserts=tuple(command_doc(c) for _, c in rows if keep is None or keep(c.owner, c.pane_id)),
                       cursor=str(last), more=len(rows) == batch)


class EntrySource:
    """Intent entries: new ones by row number, edited and deleted ones by time (cursor ``row:ms:page``)."""

    kind = "intent"

    def changes(self, rt: Runtime, cursor: str | None, batch: int) -> Changes:
        """Entries added, edited or deleted since the cursor."""
        rowid, since, after = (int(part) for part in (cursor or "0:0:0").split(":"))
        now = rt.clock()
        rows = rt.store.search_index.entries_changed(rowid, since, batch, after)
        if not rows and cursor is not None:
            return Changes(cursor=cursor)
        keep = readable(rt)
        live = tuple(entry_doc(e) for _, e in rows
                     if e.deleted_at is None and (keep is None or keep(e.owner, e.pane_id)))
        gone = tuple(f"intent:{e.id}" for _, e in rows if e.deleted_at is not None)
        if len(rows) == batch:
            return Changes(live, gone, f"{rowid}:{since}:{rows[-1][0]}", more=True)
        top = max([rowid, after, *(r for r, _ in rows)])
        return Changes(live, gone, f"{top}:{now}:0")


def snapshot_text(document: dict[str, object]) -> str:
    """Every name, path and command a snapshot's JSON holds, as words."""
    parts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return " ".join(dict.fromkeys(p for p in parts if p and not p.startswith("perth.")))


#: :func:`snapshots_digest` of no snapshot (a store without any pays no :mod:`hashlib` import, a few
#: milliseconds of every search).
NO_SNAPSHOTS_DIGEST = "4f53cda18c2baa0c"


def snapshots_digest(names_and_times: list[tuple[str, int, bool]]) -> str:
    """The cursor of a set of snapshots: a digest of their sorted names, creation times and pins."""
    if not names_and_times:
        return NO_SNAPSHOTS_DIGEST
    import hashlib

    return hashlib.sha256(repr(names_and_times).encode()).hexdigest()[:16]


class SnapshotSource:
    """Workspace snapshots: few, so any change replaces them all (cursor: a digest of names and times)."""

    kind = "snapshot"

    def changes(self, rt: Runtime, cursor: str | None, batch: int) -> Changes:
        """Every snapshot, when the set changed."""
        snapshots = rt.store.snapshots.all()
        digest = snapshots_digest(sorted((s.name, s.created_at, s.pinned) for s in snapshots))
        if digest == cursor:
            return Changes(cursor=digest)
        docs = tuple(SearchDoc(kind="snapshot", ref_id=s.name, importance=30 if s.pinned or s.kind == "named" else 0,
                               text=rt.redact(snapshot_text(s.to_json()), "search"), at_ms=s.created_at)
                     for s in snapshots)
        return Changes(upserts=docs, cursor=digest, replace_kind=True)
