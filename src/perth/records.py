"""The records Perth stores: panes and intent entries, and the queries over them.

Records are frozen :class:`~perth.record.Record` values.  Times are UTC milliseconds since the epoch;
ids are UUIDv7 strings.  The store adapters and the capability packages share
these types; interfaces turn them into JSON through the ``to_json`` methods,
whose shapes are versioned contracts (``perth.<thing>.v1``).
"""

from __future__ import annotations

from perth.clock import to_iso
from perth.errors import InvalidInputError
from perth.record import EMPTY_MAP, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Literal

    PaneStatus = Literal["active", "closed", "archived"]

    from collections.abc import Sequence
    from typing import Protocol, TypeVar

    class _Typed(Protocol):
        @property
        def type(self) -> str: ...

    T = TypeVar("T", bound=_Typed)

ENTRY_SCHEMA_VERSION = 1
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
PANE_NAME_CHARS = _WORD_CHARS | {"/"}  # [A-Za-z0-9._/-]{1,128}; sets, not regexes: no compile on the hot path
TAG_CHARS = _WORD_CHARS | {"/", ":"}  # [A-Za-z0-9._:/-]{1,64}
ENTRY_TYPES: tuple[str, ...] = ("checkpoint", "milestone", "decision", "blocker", "next", "exploration")
ENTRY_SOURCES: tuple[str, ...] = ("manual", "automated", "agent")
PANE_STATUSES: tuple[str, ...] = ("active", "closed", "archived")
MUX_KINDS: tuple[str, ...] = ("none", "tmux", "zellij")


def check_pane_name(name: str) -> str:
    """Return ``name`` if it is a valid pane name, else raise with the rule."""
    if not 1 <= len(name) <= 128 or not PANE_NAME_CHARS.issuperset(name) or name in (".", "..") \
            or name.startswith("-"):
        raise InvalidInputError(
            f"invalid pane name {name!r}",
            "use 1-128 characters from A-Z a-z 0-9 . _ / - (not starting with '-'), e.g. fix/auth-bug",
        )
    return name


def check_tag(tag: str) -> str:
    """Return ``tag`` if it is a valid tag, else raise with the rule."""
    if not 1 <= len(tag) <= 64 or not TAG_CHARS.issuperset(tag):
        raise InvalidInputError(
            f"invalid tag {tag!r}", "use 1-64 characters from A-Z a-z 0-9 . _ : / -",
        )
    return tag


def check_choice(kind: str, value: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming them."""
    if value not in choices:
        raise InvalidInputError(f"unknown {kind} {value!r}", f"use one of: {', '.join(choices)}")
    return value


class Pane(Record):
    """A named thread of work, optionally bound to a multiplexer pane.

    Attributes:
        id: UUIDv7.
        name: unique among live panes, ``[A-Za-z0-9._/-]{1,128}``.
        session, tab: the multiplexer session and tab/window it lives in, if known.
        mux_kind: ``none``, ``tmux`` or ``zellij``; mux_pane_id: ``%3`` (tmux) or ``7`` (Zellij).
        cwd, repo_root, branch: where the work happens.
        status: ``active``, ``closed`` or ``archived``.
        created_at, last_seen_at: UTC ms.
        tags: sorted, unique; meta: free key/values.
        deleted_at: set when soft-deleted.
        auto_key: for an automatic pane, the place it stands for (``perth.panes.automatic``):
            its repository root and branch, or its directory; ``None`` for other panes.
        owner: on a multi-user store, the user who owns the pane (empty on a personal store);
            team: the team it is shared with (empty: private to its owner).  See :class:`Visibility`.
    """

    id: str
    name: str
    created_at: int
    last_seen_at: int
    status: PaneStatus = "active"
    session: str | None = None
    tab: str | None = None
    mux_kind: str = "none"
    mux_pane_id: str | None = None
    cwd: str | None = None
    repo_root: str | None = None
    branch: str | None = None
    tags: tuple[str, ...] = ()
    meta: Mapping[str, str] = EMPTY_MAP
    deleted_at: int | None = None
    auto_key: str | None = None
    owner: str = ""
    team: str = ""

    def to_json(self) -> dict[str, Any]:
        """The ``perth.pane.v1`` shape (without the schema field; ``owner`` and ``team`` only on a
        multi-user store)."""
        return _owned(self.owner, {
            "id": self.id, "name": self.name, "status": self.status,
            "session": self.session, "tab": self.tab,
            "mux_kind": self.mux_kind, "mux_pane_id": self.mux_pane_id,
            "cwd": self.cwd, "repo_root": self.repo_root, "branch": self.branch,
            "tags": list(self.tags), "meta": dict(self.meta),
            "created_at": to_iso(self.created_at), "last_seen_at": to_iso(self.last_seen_at),
            "deleted_at": to_iso(self.deleted_at) if self.deleted_at is not None else None,
        }, team=self.team)


class Entry(Record):
    """An intent entry: what was intended, decided or done in a pane.

    Attributes:
        id: UUIDv7; pane_id/pane_name: the pane it belongs to.
        ts: when it happened (UTC ms).
        summary: one line (or a few) of what happened.
        type: checkpoint (default), milestone, decision, blocker, next, exploration.
        source: manual, automated or agent; agent: the agent's name when source is agent.
        artifacts: paths, relative to the repo root when inside it.
        commands_run: commands run since the previous entry.
        goal_delta: how this moved the goal forward (free text).
        tags: sorted, unique.
        schema_version: version of the entry layout.
        updated_at: last edit (UTC ms), deleted_at: soft-delete time.
        owner: on a multi-user store, the user who wrote it (empty on a personal store).
    """

    id: str
    pane_id: str
    pane_name: str
    ts: int
    summary: str
    type: str = "checkpoint"
    source: str = "manual"
    agent: str | None = None
    artifacts: tuple[str, ...] = ()
    commands_run: tuple[str, ...] = ()
    goal_delta: str | None = None
    tags: tuple[str, ...] = ()
    schema_version: int = ENTRY_SCHEMA_VERSION
    updated_at: int | None = None
    deleted_at: int | None = None
    owner: str = ""

    def to_json(self) -> dict[str, Any]:
        """The ``perth.entry.v1`` shape (without the schema field; ``owner`` only on a multi-user store)."""
        return _owned(self.owner, {
            "id": self.id, "pane_id": self.pane_id, "pane": self.pane_name,
            "ts": to_iso(self.ts), "summary": self.summary, "type": self.type,
            "source": self.source, "agent": self.agent,
            "artifacts": list(self.artifacts), "commands_run": list(self.commands_run),
            "goal_delta": self.goal_delta, "tags": list(self.tags),
            "schema_version": self.schema_version,
            "updated_at": to_iso(self.updated_at) if self.updated_at is not None else None,
            "deleted_at": to_iso(self.deleted_at) if self.deleted_at is not None else None,
        })


class Visibility(Record):
    """What one user of a multi-user store may read: rows they own, and the rows of panes they own or
    that are shared with one of their teams."""

    user: str
    teams: tuple[str, ...] = ()


def _owned(owner: str, shape: dict[str, Any], *, team: str = "") -> dict[str, Any]:
    """A record's JSON shape with its owner (and team) when it has one: a personal store's JSON is unchanged."""
    if owner:
        shape["owner"] = owner
        if team:
            shape["team"] = team
    return shape


class EntryQuery(Record):
    """Filters and paging for intent entries (newest first).

    ``cursor`` is the ``(ts, id)`` of the last entry of the previous page; ``visible`` keeps the entries one
    user of a multi-user store may read.
    """

    pane_ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    agent: str | None = None
    since: int | None = None
    until: int | None = None
    include_deleted: bool = False
    limit: int = 20
    offset: int = 0
    cursor: tuple[int, str] | None = None
    oldest_first: bool = False
    visible: Visibility | None = None


class PaneQuery(Record):
    """Filters for panes (``visible``: the panes one user of a multi-user store may read)."""

    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    include_deleted: bool = False
    visible: Visibility | None = None


class ImportCounts(Record):
    """What an import added and skipped."""

    panes_added: int = 0
    panes_skipped: int = 0
    entries_added: int = 0
    entries_skipped: int = 0

    def to_json(self) -> dict[str, int]:
        """Plain counts."""
        return {
            "panes_added": self.panes_added, "panes_skipped": self.panes_skipped,
            "entries_added": self.entries_added, "entries_skipped": self.entries_skipped,
        }


class StoreInfo(Record):
    """Facts about the store for ``perth doctor``."""

    adapter: str
    location: str
    schema_version: int
    latest_schema_version: int
    size_bytes: int
    panes: int
    entries: int


class RedactionCount(Record):
    """How often one rule fired for one source (never the secret itself)."""

    rule_id: str
    source: str
    count: int
    last_at: int


def open_next_steps(entries: Sequence[T]) -> list[T]:
    """The open next steps among one pane's entries given oldest first: the ``next`` entries logged
    after its latest ``milestone`` (a milestone closes the next steps before it).  The one
    definition used by ``perth status``, ``handoff``, ``journal`` (per pane, at the end of each
    session) and ``summarize``."""
    last = max((i for i, entry in enumerate(entries) if entry.type == "milestone"), default=-1)
    return [entry for entry in entries[last + 1:] if entry.type == "next"]
