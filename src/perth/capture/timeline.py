"""A pane's timeline: its intent entries and its shell commands interleaved, newest first."""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.capture.records import Command
    from perth.records import Entry
    from perth.runtime import Runtime


class TimelineItem(Record):
    """One row of a timeline: an intent entry or a command."""

    kind: str  # "intent" or "command"
    ts: int
    id: str
    entry: Entry | None = None
    command: Command | None = None


class Timeline(Record):
    """One page of a pane's timeline and the cursor of the next."""

    pane: str
    items: list[TimelineItem]
    next_cursor: str | None


KINDS: tuple[str, ...] = ("intent", "command")


def pane_timeline(rt: Runtime, pane_name: str, *, limit: int = 50, cursor: str | None = None,
                  kinds: tuple[str, ...] = (), failed: bool = False, types: tuple[str, ...] = (),
                  since: int | None = None, until: int | None = None) -> Timeline:
    """Entries and commands of ``pane_name`` older than ``cursor`` (``ts.id``), newest first.

    Filters: ``kinds`` (intent, command; empty: both), ``failed`` (only commands that failed),
    ``types`` (only intents of these types), ``since``/``until`` (epoch milliseconds).
    """
    from perth.capture.records import CommandQuery
    from perth.paging import position_of
    from perth.panes.service import get_pane
    from perth.records import EntryQuery

    if limit < 1:
        raise InvalidInputError(f"limit {limit}", "ask for at least 1 item")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InvalidInputError(f"timeline kind {unknown[0][:40]!r}", f"pick from {', '.join(KINDS)}")
    pane = get_pane(rt, pane_name)
    after = position_of(cursor) if cursor else None
    wanted = set(kinds or KINDS)
    if failed:
        wanted.discard("intent")
    entries = rt.store.entries.query(EntryQuery(pane_ids=(pane.id,), types=types, since=since, until=until,
                                                limit=limit + 1, cursor=after)) if "intent" in wanted else []
    commands = rt.store.commands.query(CommandQuery(pane_ids=(pane.id,), failed=failed, since=since, until=until,
                                                    limit=limit + 1, cursor=after)) \
        if "command" in wanted and not types else []
    items = [TimelineItem(kind="intent", ts=e.ts, id=e.id, entry=e) for e in entries]
    items += [TimelineItem(kind="command", ts=c.start_ms, id=c.id, command=c) for c in commands]
    items.sort(key=lambda item: (item.ts, item.id), reverse=True)
    page = items[:limit]
    more = len(items) > limit
    return Timeline(pane=pane.name, items=page, next_cursor=f"{page[-1].ts}.{page[-1].id}" if more else None)
