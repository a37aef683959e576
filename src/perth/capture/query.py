"""Reading captured commands: ``perth history --commands``, and the filters ``perth search`` shares."""

from __future__ import annotations

import os

from perth.capture.records import Command, CommandQuery
from perth.errors import InvalidInputError
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime


class CommandFilter(Record):
    """Options shared by ``history --commands`` and ``search``."""

    panes: tuple[str, ...] = ()
    cwd: str | None = None
    repo: str | None = None
    exit: int | None = None
    failed: bool = False
    host: str | None = None
    since: int | None = None
    until: int | None = None
    limit: int | None = None  # None: history.limit
    offset: int = 0
    cursor: str | None = None


class CommandPage(Record):
    """One page of commands and the cursor of the next."""

    commands: list[Command]
    next_cursor: str | None
    query: CommandFilter | None = None  # the filter as applied (with what the cursor carried)


def _resolved(rt: Runtime, flt: CommandFilter) -> tuple[CommandFilter, tuple[int, str] | None]:
    """The filter with what its cursor carries and the default page size; the cursor's position."""
    after = None
    if flt.cursor:
        from perth.paging import resume

        flt, after = resume(flt, flt.cursor)
    if flt.limit is None:
        flt = replace(flt, limit=rt.settings.get_int("history.limit"))
    if (flt.limit or 0) < 1 or flt.offset < 0:
        raise InvalidInputError("--limit must be >= 1 and --offset >= 0", "fix the paging options")
    return flt, after


def _query(rt: Runtime, flt: CommandFilter, *, limit: int, after: tuple[int, str] | None) -> CommandQuery:
    if flt.since is not None and flt.until is not None and flt.since > flt.until:
        raise InvalidInputError("--since is after --until", "swap them")
    panes: tuple[str, ...] = ()
    if flt.panes:  # the pane service (and the event modules it needs) only when a pane is named
        from perth.panes.service import get_pane

        panes = tuple(get_pane(rt, name).id for name in flt.panes)
    cwd = os.path.abspath(os.path.join(rt.cwd, os.path.expanduser(flt.cwd))) if flt.cwd else None
    repo = os.path.abspath(os.path.join(rt.cwd, os.path.expanduser(flt.repo))) if flt.repo else None
    return CommandQuery(pane_ids=panes, cwd=cwd, repo_root=repo, exit=flt.exit, failed=flt.failed, host=flt.host,
                        since=flt.since, until=flt.until, limit=limit, offset=flt.offset, cursor=after)


def command_history(rt: Runtime, flt: CommandFilter) -> CommandPage:
    """Commands matching the filter, newest first, one page at a time; the next page's cursor
    carries this query (``perth.paging``)."""
    from perth.paging import encode

    flt, after = _resolved(rt, flt)
    limit = flt.limit or 1
    found = rt.store.commands.query(_query(rt, flt, limit=limit + 1, after=after))
    page = found[:limit]
    last = page[-1] if len(found) > limit and page else None
    return CommandPage(commands=page, next_cursor=encode(f"{last.start_ms}.{last.id}", flt) if last else None,
                       query=flt)


def search_filter(rt: Runtime, flt: CommandFilter) -> CommandQuery:
    """The shared filters resolved for :mod:`perth.search` (pane ids, absolute paths, the page size)."""
    flt, _after = _resolved(rt, replace(flt, cursor=None))
    return _query(rt, flt, limit=flt.limit or 1, after=None)
