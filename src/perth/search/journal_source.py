"""Journal sessions as search documents.

Sessions are derived (not stored): each sync rebuilds the sessions of the activity since the last
sync (minus an idle gap and a day, so an open session is replaced whole), across every pane, from
the store's commands and entries only (no git calls on the search path: commits are left out).  The
first build covers ``search.journal_days`` days.  A session is keyed by its deterministic id (scope
and start), so rebuilding one replaces it.
"""

from __future__ import annotations

from perth.search.records import SearchDoc
from perth.search.sources import DAY_MS, ENTRY_IMPORTANCE, FAILURE_IMPORTANCE, Changes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.journal.model import Session
    from perth.records import Entry
    from perth.runtime import Runtime

MAX_FACTS = 200_000


def session_doc(session: Session) -> SearchDoc:
    """A session as a document: its claims, places and failures."""
    claims = (*session.milestones, *session.decisions, *session.blockers, *session.next_steps, *session.notes,
              *session.failures)
    text = " ".join([*(c.text for c in claims), *session.panes, *session.repos, *session.branches])
    importance = (ENTRY_IMPORTANCE["milestone"] if session.milestones or session.decisions
                  else ENTRY_IMPORTANCE["blocker"] if session.blockers
                  else FAILURE_IMPORTANCE if session.failures else 0)
    return SearchDoc(kind="journal", ref_id=session.id, text=text, at_ms=session.end_ms, importance=importance,
                     pane_name=",".join(session.panes))


def _entries(rt: Runtime, since: int, until: int) -> list[Entry]:
    from perth.records import EntryQuery

    found: list[Entry] = []
    cursor = None
    while len(found) < MAX_FACTS:
        page = rt.store.entries.query(EntryQuery(since=since, until=until, limit=1000, cursor=cursor,
                                                 oldest_first=True))
        found += page
        if len(page) < 1000:
            break
        cursor = (page[-1].ts, page[-1].id)
    return found


class JournalSource:
    """Work sessions over every pane (cursor: ``<time of the last rebuild>|<command and intent cursors>``:
    nothing is rebuilt while those sources have not moved)."""

    kind = "journal"

    def changes(self, rt: Runtime, cursor: str | None, batch: int) -> Changes:
        """The sessions touched since the cursor, rebuilt."""
        marker = ":".join(s.cursor for s in rt.store.search_index.states() if s.source in ("command", "intent"))
        if cursor is not None and cursor.split("|", 1)[-1] == marker:
            return Changes(cursor=cursor)  # before the imports: a search with nothing new pays for none of them
        from itertools import islice

        from perth.capture.records import CommandQuery
        from perth.journal.model import Scope
        from perth.journal.service import idle_gap_ms, redact_places
        from perth.journal.sessions import build_sessions

        now = rt.clock()
        gap = idle_gap_ms(rt, None)
        oldest = now - rt.settings.get_int("search.journal_days") * DAY_MS
        start = oldest if cursor is None else max(oldest, int(cursor.split("|")[0]) - gap - DAY_MS)
        commands = list(islice(rt.store.commands.stream(CommandQuery(since=start - DAY_MS, until=now)), MAX_FACTS))
        entries = _entries(rt, start - DAY_MS, now)
        sessions = build_sessions(Scope(), gap, commands, entries, ())
        docs = tuple(session_doc(redact_places(rt, s)) for s in sessions if s.start_ms >= start)
        return Changes(upserts=docs, cursor=f"{now}|{marker}")
