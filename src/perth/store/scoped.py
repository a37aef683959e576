"""A multi-user store as one user sees it: the panes, entries and commands ports narrowed to what they
may read and change.

On a multi-user store (``store.multi_user``) every pane, entry and command carries its ``owner`` and a
pane may be shared with a ``team``.  A user reads their own rows and those of panes shared with one of
their teams (:class:`~perth.records.Visibility`), and changes only their own: a team member's pane can be
read, not written.  :class:`ScopedStore` wraps the store a :class:`~perth.runtime.Runtime` opens for a
principal, so the CLI, the HTTP API and MCP get the same rules from one place; the other ports (jobs,
workflows, code, snapshots, shell-perf...) are team-wide and pass through unchanged.

Another user's private row is reported as not found (its existence is not revealed); a row the user may
read but not change is :class:`~perth.errors.ForbiddenError`.
"""

from __future__ import annotations

from contextlib import contextmanager

from perth.errors import ConfigError, ConflictError, ForbiddenError, NotFoundError
from perth.record import replace
from perth.records import EntryQuery, PaneQuery

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from perth.capture.records import Command, CommandQuery, SpoolCursor
    from perth.records import Entry, Pane, Visibility
    from perth.store.port import Store
    from perth.store.ports.commands import CommandRepo
    from perth.store.ports.entries import EntryRepo
    from perth.store.ports.panes import PaneRepo


def readable(pane: Pane, visible: Visibility) -> bool:
    """Whether the user may read ``pane``: theirs, or shared with one of their teams."""
    return pane.owner == visible.user or (bool(pane.team) and pane.team in visible.teams)


def _check_team(team: str, visible: Visibility) -> None:
    if team and team not in visible.teams:
        raise ForbiddenError(f"{visible.user} is not in the team {team[:64]!r}",
                             "share with one of your teams (an admin adds you: perth user join)")


class ScopedPanes:
    """The panes port as one user sees it."""

    def __init__(self, inner: PaneRepo, visible: Visibility) -> None:
        self._inner, self.visible = inner, visible

    def add(self, pane: Pane) -> None:
        """Insert a pane owned by the user (shared with ``pane.team`` only if they are in it)."""
        _check_team(pane.team, self.visible)
        self._inner.add(replace(pane, owner=self.visible.user))

    def owned(self, pane_id: str) -> Pane:
        """A pane the user may change: theirs (NotFoundError when they cannot read it, ForbiddenError when it is
        a team member's)."""
        found = self._inner.get(pane_id=pane_id, include_deleted=True)
        if found is None or not readable(found, self.visible):
            raise NotFoundError(f"no pane with id {pane_id[:40]!r}", "list yours with `perth pane list`")
        if found.owner != self.visible.user:
            raise ForbiddenError(f"the pane {found.name!r} belongs to {found.owner}, who shares it with the team "
                                 f"{found.team}", "team members read a shared pane; only its owner changes it")
        return found

    def update(self, pane: Pane) -> None:
        """Replace a pane of the user's (its owner stays; a team it is newly shared with must be one of theirs:
        a pane stays shared with a team its owner has left until they change that)."""
        if self.owned(pane.id).team != pane.team:
            _check_team(pane.team, self.visible)
        self._inner.update(replace(pane, owner=self.visible.user))

    def get(self, *, pane_id: str | None = None, name: str | None = None,
            include_deleted: bool = False, owner: str | None = None) -> Pane | None:
        """A pane the user may read, by id, or by name: theirs first, else the one pane of that name shared
        with them (several: ConflictError naming the way out)."""
        if pane_id is not None:
            found = self._inner.get(pane_id=pane_id, include_deleted=include_deleted)
            return found if found is not None and readable(found, self.visible) else None
        if owner in (None, self.visible.user):
            mine = self._inner.get(name=name, include_deleted=include_deleted, owner=self.visible.user)
            if mine is not None or owner is not None:
                return mine
        shared = [pane for pane in self.query(PaneQuery(include_deleted=include_deleted))
                  if pane.name == name and pane.owner != self.visible.user and owner in (None, pane.owner)]
        owners = {pane.owner for pane in shared}
        if len(owners) > 1:
            raise ConflictError(f"{len(owners)} team members share a pane named {name!r}",
                                "address it by its id (perth pane list --format json)")
        return shared[0] if shared else None

    def find_by_mux(self, mux_kind: str, mux_pane_id: str, *, owner: str | None = None) -> Pane | None:
        """The user's live pane registered for a multiplexer pane."""
        return self._inner.find_by_mux(mux_kind, mux_pane_id, owner=self.visible.user)

    def find_by_auto_key(self, auto_key: str, *, owner: str | None = None) -> Pane | None:
        """The user's live automatic pane for a place."""
        return self._inner.find_by_auto_key(auto_key, owner=self.visible.user)

    def query(self, query: PaneQuery) -> list[Pane]:
        """The panes of the query the user may read."""
        return self._inner.query(replace(query, visible=self.visible))

    def count(self) -> int:
        """Live panes the user may read."""
        return len(self.query(PaneQuery()))


class ScopedEntries:
    """The entries port as one user sees it: entries of panes they may read; changes in their own panes."""

    def __init__(self, inner: EntryRepo, panes: ScopedPanes) -> None:
        self._inner, self._panes, self.visible = inner, panes, panes.visible

    def add(self, entry: Entry) -> None:
        """Insert an entry into one of the user's panes, written by them."""
        self._panes.owned(entry.pane_id)
        self._inner.add(replace(entry, owner=self.visible.user))

    def update(self, entry: Entry) -> None:
        """Replace an entry of one of the user's panes."""
        current = self._inner.get(entry.id, include_deleted=True)
        if current is None:
            raise NotFoundError(f"no entry with id {entry.id[:40]!r}", "list them with `perth history`")
        self._panes.owned(current.pane_id)
        self._panes.owned(entry.pane_id)
        self._inner.update(replace(entry, owner=current.owner or self.visible.user))

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """An entry the user may read."""
        found = self._inner.get(entry_id, include_deleted=include_deleted)
        if found is None or self._panes.get(pane_id=found.pane_id, include_deleted=True) is None:
            return None
        return found

    def find_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids ending with ``suffix`` of entries the user may read."""
        found = [entry_id for entry_id in self._inner.find_ids(suffix, limit=max(limit, 20))
                 if self.get(entry_id, include_deleted=True) is not None]
        return found[:limit]

    def query(self, query: EntryQuery) -> list[Entry]:
        """The entries of the query the user may read."""
        return self._inner.query(replace(query, visible=self.visible))

    def latest(self, pane_ids: Sequence[str], *, types: Sequence[str] = (),
               per_pane: int = 1) -> dict[str, list[Entry]]:
        """The newest entries of the panes (among ``pane_ids``) the user may read."""
        readable_ids = [pane_id for pane_id in pane_ids
                        if self._panes.get(pane_id=pane_id, include_deleted=True) is not None]
        return self._inner.latest(readable_ids, types=types, per_pane=per_pane)

    def stream(self, pane_ids: Sequence[str] = (), *, include_deleted: bool = False) -> Iterator[Entry]:
        """Every entry the user may read, oldest first."""
        from perth.store.ports.entries import in_pages

        return in_pages(self.query, pane_ids, include_deleted=include_deleted)

    def count(self, pane_id: str | None = None) -> int:
        """Live entries of a pane the user may read, or of every such pane."""
        if pane_id is not None:
            return self._inner.count(pane_id) if self._panes.get(pane_id=pane_id) is not None else 0
        return sum(self._inner.count(pane.id) for pane in self._panes.query(PaneQuery()))


class ScopedCommands:
    """The commands port as one user sees it: their commands and those of panes they may read; a command
    is recorded as theirs, in a pane of theirs (or none)."""

    def __init__(self, inner: CommandRepo, panes: ScopedPanes) -> None:
        self._inner, self._panes, self.visible = inner, panes, panes.visible

    def add(self, commands: Sequence[Command], cursor: SpoolCursor | None = None) -> int:
        """Insert the user's commands (each in one of their panes, or in none)."""
        for pane_id in {command.pane_id for command in commands if command.pane_id}:
            self._panes.owned(pane_id)
        return self._inner.add([replace(command, owner=self.visible.user) for command in commands], cursor)

    def query(self, query: CommandQuery) -> list[Command]:
        """The commands of the query the user may read."""
        return self._inner.query(replace(query, visible=self.visible))

    def stream(self, query: CommandQuery) -> Iterator[Command]:
        """Every command of the query the user may read, oldest first."""
        return self._inner.stream(replace(query, visible=self.visible))

    def between(self, pane_id: str, after_ms: int, until_ms: int, limit: int = 50) -> list[str]:
        """Command lines of a pane the user may read, in a time window."""
        if self._panes.get(pane_id=pane_id, include_deleted=True) is None:
            return []
        return self._inner.between(pane_id, after_ms, until_ms, limit)

    def count(self) -> int:
        """How many commands the user may read."""
        from perth.capture.records import CommandQuery

        return sum(1 for _ in self.stream(CommandQuery()))

    def __getattr__(self, name: str) -> Any:
        """Spool cursors and quarantine belong to the machine that ingests: passed through."""
        return getattr(self._inner, name)


def check_owners(store: Store) -> None:
    """A multi-user store must keep owners: the Redis store does not (ConfigError)."""
    if store.adapter == "redis":
        raise ConfigError("store.multi_user is set on a redis store, which has no owners",
                          "a multi-user store is SQLite or PostgreSQL; set store.multi_user = false")


class ScopedStore:
    """A store seen by one user of a multi-user store (see the module's docstring)."""

    def __init__(self, inner: Store, visible: Visibility) -> None:
        check_owners(inner)
        self._inner, self.visible = inner, visible
        self.panes = ScopedPanes(inner.panes, visible)
        self.entries = ScopedEntries(inner.entries, self.panes)
        self.commands = ScopedCommands(inner.commands, self.panes)

    @property
    def inner(self) -> Store:
        """The store itself (every user's rows): for the store's own maintenance only."""
        return self._inner

    def unit(self) -> Any:
        """A unit of work of the store, seen through this user's ports."""
        return _unit(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def _unit(scoped: ScopedStore) -> Iterator[ScopedStore]:
    with scoped.inner.unit():
        yield scoped
