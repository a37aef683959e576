"""Gather the facts of a time window: captured commands, intent entries and commits.

Which facts belong to a journal depends on its scope (:class:`Target`):

- a pane (``--pane``): its commands and entries; commits of the repositories it worked
  in, reachable from the branches it worked on (all local branches when none is known);
- a repository (``--repo``): the commands run in it, the entries of the panes attached
  to it or that ran commands in it, and its commits on every local branch;
- otherwise everything: all commands and entries, and the commits of every repository
  seen in them (commands' and panes' repository roots) plus the working directory's.
"""

from __future__ import annotations

import os
from itertools import islice

from perth.capture.records import CommandQuery
from perth.errors import InvalidInputError, NotFoundError
from perth.gitinfo import find_repo
from perth.journal.facts import commits_between
from perth.journal.model import CommitFact, Scope
from perth.record import Record
from perth.records import EntryQuery

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import TypeVar

    from perth.capture.records import Command
    from perth.records import Entry, Pane
    from perth.runtime import Runtime

    T = TypeVar("T")

MAX_FACTS = 200_000
_PAGE = 1000


class Target(Record):
    """The resolved scope: a pane, a repository root, or neither (everything)."""

    scope: Scope
    pane: Pane | None = None
    repo_root: str | None = None
    cwd_repo: str | None = None


class Activity(Record):
    """The facts of a window, oldest first, and what could not be read."""

    commands: tuple[Command, ...] = ()
    entries: tuple[Entry, ...] = ()
    commits: tuple[CommitFact, ...] = ()
    warnings: tuple[str, ...] = ()


def resolve_target(rt: Runtime, pane_name: str | None, repo_path: str | None) -> Target:
    """Check ``--pane`` and ``--repo`` and build the scope."""
    pane = None
    if pane_name:
        from perth.panes.service import get_pane

        pane = get_pane(rt, pane_name)
    root = None
    if repo_path:
        path = os.path.abspath(os.path.join(rt.cwd, os.path.expanduser(repo_path)))
        if not os.path.isdir(path):
            raise NotFoundError(f"no directory {repo_path!r}", "pass --repo the path of a git repository")
        found = find_repo(path)
        if found is None:
            raise InvalidInputError(f"{repo_path!r} is not inside a git repository",
                                    "pass --repo the path of a git repository")
        root = found.root
    cwd_repo = find_repo(rt.cwd)
    scope = Scope(pane_names=(pane.name,) if pane else (), repo=root)
    return Target(scope=scope, pane=pane, repo_root=root, cwd_repo=cwd_repo.root if cwd_repo else None)


def _entries(rt: Runtime, pane_ids: tuple[str, ...], since_ms: int, until_ms: int) -> Iterator[Entry]:
    cursor = None
    while True:
        page = rt.store.entries.query(EntryQuery(pane_ids=pane_ids, since=since_ms, until=until_ms, limit=_PAGE,
                                                 cursor=cursor, oldest_first=True))
        yield from page
        if len(page) < _PAGE:
            return
        cursor = (page[-1].ts, page[-1].id)


def _bounded(items: Iterable[T], what: str, warnings: list[str]) -> tuple[T, ...]:
    kept = tuple(islice(items, MAX_FACTS + 1))
    if len(kept) > MAX_FACTS:
        warnings.append(f"more than {MAX_FACTS} {what} in the window; only the oldest {MAX_FACTS} are used")
        return kept[:MAX_FACTS]
    return kept


def _repo_panes(rt: Runtime, root: str, commands: tuple[Command, ...]) -> tuple[str, ...]:
    from perth.records import PaneQuery

    ids = {p.id for p in rt.store.panes.query(PaneQuery()) if p.repo_root == root}
    ids.update(c.pane_id for c in commands if c.pane_id)
    return tuple(sorted(ids))


def _pane_repos(rt: Runtime, entries: tuple[Entry, ...]) -> set[str]:
    roots = set()
    for pane_id in {e.pane_id for e in entries}:
        pane = rt.store.panes.get(pane_id=pane_id, include_deleted=True)
        if pane is not None and pane.repo_root:
            roots.add(pane.repo_root)
    return roots


def _repositories(rt: Runtime, target: Target, commands: tuple[Command, ...],
                  entries: tuple[Entry, ...]) -> tuple[set[str], set[str] | None]:
    """Repository roots to read commits from, and the branch filter (``None``: every local branch)."""
    if target.repo_root:
        return {target.repo_root}, None
    roots = {c.repo_root for c in commands if c.repo_root}
    if target.pane is not None:
        roots |= {target.pane.repo_root} if target.pane.repo_root else set()
        branches = {c.branch for c in commands if c.branch} | ({target.pane.branch} if target.pane.branch else set())
        return roots, branches or None
    roots |= _pane_repos(rt, entries)
    if target.cwd_repo:
        roots.add(target.cwd_repo)
    return roots, None


def _commits(rt: Runtime, roots: set[str], branches: set[str] | None, *, since_ms: int, until_ms: int,
             warnings: list[str]) -> tuple[CommitFact, ...]:
    seen: set[str] = set()
    commits: dict[str, CommitFact] = {}
    for root in sorted(roots):
        real = os.path.realpath(root)
        if real in seen:
            continue
        seen.add(real)
        if not os.path.isdir(root):
            warnings.append(f"repository {rt.redact(root, 'journal')} no longer exists: its commits are left out")
            continue
        read = commits_between(rt, root, since_ms, until_ms, branches=sorted(branches) if branches else None)
        if read.warning:
            warnings.append(rt.redact(read.warning, "journal"))
        for commit in read.commits:
            commits.setdefault(commit.sha, commit)  # worktrees of one repository share commits
    return tuple(sorted(commits.values(), key=lambda c: (c.at_ms, c.sha)))


def gather(rt: Runtime, target: Target, since_ms: int, until_ms: int) -> Activity:
    """Every fact of the target in ``[since_ms, until_ms]``."""
    warnings: list[str] = []
    query = CommandQuery(since=since_ms, until=until_ms, pane_ids=(target.pane.id,) if target.pane else (),
                         repo_root=target.repo_root)
    commands = _bounded(rt.store.commands.stream(query), "commands", warnings)
    if target.pane is not None:
        pane_ids: tuple[str, ...] | None = (target.pane.id,)
    elif target.repo_root is not None:
        pane_ids = _repo_panes(rt, target.repo_root, commands) or None
    else:
        pane_ids = ()
    entries = () if pane_ids is None else _bounded(_entries(rt, pane_ids, since_ms, until_ms), "entries", warnings)
    roots, branches = _repositories(rt, target, commands, entries)
    commits = _commits(rt, roots, branches, since_ms=since_ms, until_ms=until_ms, warnings=warnings)
    return Activity(commands=commands, entries=entries, commits=commits, warnings=tuple(warnings))
