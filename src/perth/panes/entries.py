"""Intent entries: log, look up, history, edit and soft-delete."""

from __future__ import annotations

import os
from collections.abc import Sequence

from perth.clock import check_time
from perth.errors import InvalidInputError, NotFoundError, StoreRaceError
from perth.events.emit import emit
from perth.gitinfo import find_repo
from perth.ids import uuid7
from perth.panes.resolve import Resolution
from perth.panes.service import clean_tags, get_pane, pane_for_write
from perth.record import Record, replace
from perth.records import (
    ENTRY_SOURCES,
    ENTRY_TYPES,
    Entry,
    EntryQuery,
    Pane,
    check_choice,
)
from perth.runtime import Runtime

MAX_SUMMARY = 16_384
MIN_ID_PREFIX = 6
SHORT_ID = 8


def short_id(entry_id: str) -> str:
    """The id shown to people: the random tail of the UUIDv7 (its head is a timestamp)."""
    return entry_id[-SHORT_ID:]


class EntryDraft(Record):
    """The fields of a new intent entry, as the user gave them."""

    summary: str
    type: str = "checkpoint"
    source: str | None = None
    agent: str | None = None
    artifacts: tuple[str, ...] = ()
    commands_run: tuple[str, ...] = ()
    goal_delta: str | None = None
    tags: tuple[str, ...] = ()
    at: int | None = None


def check_summary(summary: str) -> str:
    """A summary as stored: stripped, not empty, at most MAX_SUMMARY characters."""
    text = summary.strip()
    if not text:
        raise InvalidInputError("the summary is empty",
                                "say what you did or intend, e.g. perth log 'fixed the token refresh'")
    if len(text) > MAX_SUMMARY:
        raise InvalidInputError(f"the summary has {len(text)} characters (limit {MAX_SUMMARY})",
                                "shorten it, or attach the details as an artifact")
    return text


def _source_and_agent(source: str | None, agent: str | None) -> tuple[str, str | None]:
    chosen = source or ("agent" if agent else "manual")
    check_choice("source", chosen, ENTRY_SOURCES)
    if chosen == "agent" and not (agent and agent.strip()):
        raise InvalidInputError("agent entries need the agent's name", "add --agent NAME (e.g. --agent claude-code)")
    if chosen != "agent" and agent:
        raise InvalidInputError(f"--agent only applies to agent entries (source is {chosen})",
                                "drop --agent, or use --source agent")
    return chosen, agent.strip() if agent else None


def artifact_path(raw: str, cwd: str, repo_root: str | None) -> str:
    """An artifact as stored: relative to the repository root when inside it."""
    if "://" in raw:
        return raw
    path = os.path.normpath(os.path.join(cwd, os.path.expanduser(raw)))
    if repo_root and (path == repo_root or path.startswith(repo_root.rstrip(os.sep) + os.sep)):
        return os.path.relpath(path, repo_root)
    return path


def log_entry(rt: Runtime, draft: EntryDraft, pane_name: str | None = None) -> tuple[Entry, Resolution]:
    """Record an intent entry in the current (or named) pane.

    Everything is checked before anything is written, and the automatic pane (when it is new)
    and the entry commit together: a refused entry leaves no pane behind.
    """
    summary = check_summary(draft.summary)
    check_choice("type", draft.type, ENTRY_TYPES)
    source, agent = _source_and_agent(draft.source, draft.agent)
    tags = clean_tags(rt, draft.tags)
    now = rt.clock()
    at = check_time(draft.at, "--at", now=now) if draft.at is not None else now
    for attempt in range(3):  # an optimistic store (Redis) refuses a unit another process raced: go again
        try:
            return _write_entry(rt, draft, pane_name, (summary, source, agent, tags, now, at))
        except StoreRaceError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _write_entry(rt: Runtime, draft: EntryDraft, pane_name: str | None,
                 checked: tuple[str, str, str | None, tuple[str, ...], int, int]) -> tuple[Entry, Resolution]:
    """The pane (created when new), the entry and its event, in one unit of work."""
    summary, source, agent, tags, now, at = checked
    with rt.store.unit():
        pane, found = pane_for_write(rt, pane_name)
        commands = tuple(c for c in draft.commands_run if c.strip()) or _commands_since_last_entry(rt, pane, now)
        repo = find_repo(rt.cwd)
        root = repo.root if repo else pane.repo_root
        entry = Entry(
            id=uuid7(), pane_id=pane.id, pane_name=pane.name, ts=at,
            summary=rt.redact(summary, "intent"), type=draft.type, source=source,
            agent=rt.redact_optional(agent, "intent"),
            artifacts=tuple(rt.redact(artifact_path(a, rt.cwd, root), "intent") for a in draft.artifacts),
            commands_run=tuple(rt.redact(c, "intent") for c in commands),
            goal_delta=rt.redact_optional(draft.goal_delta.strip() if draft.goal_delta else None, "intent"),
            tags=tags, owner=rt.owner,
        )
        seen = replace(pane, last_seen_at=max(pane.last_seen_at, now), status="active")
        rt.store.entries.add(entry)
        rt.store.panes.update(seen)
        emit(rt, "perth.intent.logged", entry)
    return entry, found


def _commands_since_last_entry(rt: Runtime, pane: Pane, now: int) -> tuple[str, ...]:
    """Captured commands of the pane since its previous entry (already redacted at capture); none
    when the store keeps no captured commands (the redis store)."""
    if "commands" not in rt.store.capabilities:
        return ()
    last = rt.store.entries.latest([pane.id], per_pane=1)[pane.id]
    return tuple(rt.store.commands.between(pane.id, last[0].ts if last else 0, now))


def find_entry(rt: Runtime, ref: str, *, include_deleted: bool = False) -> Entry:
    """An entry by full id, or by a unique ending of at least six characters (the short id).

    Messages quote the reference as given, redacted before any change of case (a token typed by
    mistake is never echoed or logged)."""
    shown = str(rt.redact(ref.strip(), "cli"))
    ref = ref.strip().lower()
    entry = rt.store.entries.get(ref, include_deleted=include_deleted) if len(ref) == 36 else None
    if entry is None and len(ref) < MIN_ID_PREFIX:
        raise InvalidInputError(f"entry id {shown!r} is too short",
                                f"give the {SHORT_ID} characters shown by `perth history`, or the full id")
    if entry is None:
        ids = rt.store.entries.find_ids(ref)
        if len(ids) > 1:
            raise InvalidInputError(f"short id {shown!r} matches several entries", "give the full id")
        entry = rt.store.entries.get(ids[0], include_deleted=include_deleted) if ids else None
    if entry is None:
        raise NotFoundError(f"no entry with id {shown!r}", "find ids with `perth history`")
    return entry


class HistoryFilter(Record):
    """``perth history`` options."""

    panes: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    agent: str | None = None
    since: int | None = None
    until: int | None = None
    include_deleted: bool = False
    limit: int | None = None  # None: history.limit
    offset: int = 0
    cursor: str | None = None


class HistoryPage(Record):
    """One page of history and the cursor of the next."""

    entries: list[Entry]
    next_cursor: str | None
    query: HistoryFilter | None = None  # the filter as applied (with what the cursor carried)


def history(rt: Runtime, flt: HistoryFilter) -> HistoryPage:
    """Entries matching the filter, newest first, one page at a time; the next page's cursor
    carries this query (``perth.paging``)."""
    from perth.paging import encode, resume

    after = None
    if flt.cursor:
        flt, after = resume(flt, flt.cursor)
    if flt.limit is None:
        flt = replace(flt, limit=rt.settings.get_int("history.limit"))
    assert flt.limit is not None  # noqa: S101 - set on the line above
    if flt.limit < 1 or flt.offset < 0:
        raise InvalidInputError("--limit must be >= 1 and --offset >= 0", "fix the paging options")
    for kind, values, choices in (("type", flt.types, ENTRY_TYPES), ("source", flt.sources, ENTRY_SOURCES)):
        for value in values:
            check_choice(kind, value, choices)
    if flt.since is not None and flt.until is not None and flt.since > flt.until:
        raise InvalidInputError("--since is after --until", "swap them")
    panes: list[Pane] = [get_pane(rt, name, include_deleted=flt.include_deleted) for name in flt.panes]
    query = EntryQuery(
        pane_ids=tuple(p.id for p in panes), types=flt.types, sources=flt.sources, tags=flt.tags,
        agent=flt.agent, since=flt.since, until=flt.until, include_deleted=flt.include_deleted,
        limit=flt.limit + 1, offset=flt.offset, cursor=after,
    )
    found = rt.store.entries.query(query)
    more = len(found) > flt.limit
    page = found[: flt.limit]
    last = page[-1] if more and page else None
    return HistoryPage(entries=page, next_cursor=encode(f"{last.ts}.{last.id}", flt) if last else None,
                       query=flt)


class EntryChanges(Record):
    """Fields ``perth entry edit`` can change; ``None`` leaves a field as it is."""

    summary: str | None = None
    type: str | None = None
    goal_delta: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    add_artifacts: tuple[str, ...] = ()
    add_commands: tuple[str, ...] = ()
    pane: str | None = None


def edit_entry(rt: Runtime, ref: str, changes: EntryChanges) -> Entry:
    """Apply changes to an entry (every text passes the secret filter)."""
    entry = find_entry(rt, ref)
    updated = entry
    if changes.summary is not None:
        updated = replace(updated, summary=rt.redact(check_summary(changes.summary), "intent"))
    if changes.type is not None:
        updated = replace(updated, type=check_choice("type", changes.type, ENTRY_TYPES))
    if changes.goal_delta is not None:
        updated = replace(updated, goal_delta=rt.redact(changes.goal_delta, "intent") or None)
    tags = (set(updated.tags) | set(clean_tags(rt, changes.add_tags))) - set(changes.remove_tags)
    repo = find_repo(rt.cwd)
    root = repo.root if repo else None
    updated = replace(
        updated, tags=tuple(sorted(tags)),
        artifacts=updated.artifacts + tuple(rt.redact(artifact_path(a, rt.cwd, root), "intent")
                                            for a in changes.add_artifacts),
        commands_run=updated.commands_run + tuple(rt.redact(c, "intent") for c in changes.add_commands),
    )
    if changes.pane is not None:
        target = get_pane(rt, changes.pane)
        updated = replace(updated, pane_id=target.id, pane_name=target.name)
    if updated == entry:
        raise InvalidInputError("nothing to change", "pass at least one option, see `perth entry edit --help`")
    updated = replace(updated, updated_at=rt.clock())
    rt.store.entries.update(updated)
    return updated


def delete_entry(rt: Runtime, ref: str) -> Entry:
    """Soft-delete an entry (``perth history --include-deleted`` still shows it)."""
    entry = find_entry(rt, ref)
    deleted = replace(entry, deleted_at=rt.clock())
    rt.store.entries.update(deleted)
    return deleted


def restore_entry(rt: Runtime, ref: str) -> Entry:
    """Undo a soft delete."""
    entry = find_entry(rt, ref, include_deleted=True)
    if entry.deleted_at is None:
        raise InvalidInputError(f"entry {short_id(entry.id)} is not deleted", "nothing to restore")
    restored = replace(entry, deleted_at=None, updated_at=rt.clock())
    rt.store.entries.update(restored)
    return restored


def entries_since(rt: Runtime, pane: Pane, types: Sequence[str], limit: int) -> list[Entry]:
    """The newest entries of some types in a pane."""
    return rt.store.entries.latest([pane.id], types=types, per_pane=limit)[pane.id]
