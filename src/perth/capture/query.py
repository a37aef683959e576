"""Reading captured commands: ``perth history --commands``, and the filters ``perth search`` shares."""

from __future__ import annotations

import os

from perth.capture.records import Command, CommandQuery
from perth.errors import InvalidInputError
from perth.record import Record

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
    limit: int = 20
    offset: int = 0
    cursor: str | None = None


class CommandPage(Record):
    """One page of commands and the cursor of the next."""

    commands: list[Command]
    next_cursor: str | None


def _query(rt: Runtime, flt: CommandFilter, *, limit: int) -> CommandQuery:
    from perth.panes.entries import decode_cursor
    from perth.panes.service import get_pane

    if flt.limit < 1 or flt.offset < 0:
        raise InvalidInputError("--limit must be >= 1 and --offset >= 0", "fix the paging options")
    if flt.since is not None and flt.until is not None and flt.since > flt.until:
        raise InvalidInputError("--since is after --until", "swap them")
    panes = tuple(get_pane(rt, name).id for name in flt.panes)
    cwd = os.path.abspath(os.path.join(rt.cwd, os.path.expanduser(flt.cwd))) if flt.cwd else None
    repo = os.path.abspath(os.path.join(rt.cwd, os.path.expanduser(flt.repo))) if flt.repo else None
    return CommandQuery(pane_ids=panes, cwd=cwd, repo_root=repo, exit=flt.exit, failed=flt.failed, host=flt.host,
                        since=flt.since, until=flt.until, limit=limit, offset=flt.offset,
                        cursor=decode_cursor(flt.cursor) if flt.cursor else None)


def command_history(rt: Runtime, flt: CommandFilter) -> CommandPage:
    """Commands matching the filter, newest first, one page at a time."""
    found = rt.store.commands.query(_query(rt, flt, limit=flt.limit + 1))
    page = found[: flt.limit]
    more = len(found) > flt.limit and page
    return CommandPage(commands=page, next_cursor=f"{page[-1].start_ms}.{page[-1].id}" if more else None)


def search_filter(rt: Runtime, flt: CommandFilter) -> CommandQuery:
    """The shared filters resolved for :mod:`perth.search` (pane ids, absolute paths)."""
    return _query(rt, flt, limit=flt.limit)
