"""The API's read endpoints: each one calls the application function the CLI calls and returns its view.

Every function takes a runtime and the query parameters (strings) and returns a
:class:`~perth.views.document.Document` (the CLI's ``--format json`` contract) or a plain dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from perth.errors import InvalidInputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.views.document import Document

Query = Mapping[str, str]
Endpoint = Callable[["Runtime", Query, Mapping[str, str]], "Document | dict[str, Any]"]
MAX_LIMIT = 500


def _limit(query: Query, default: int = 50) -> int:
    text = query.get("limit", str(default))
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInputError(f"limit {text!r}", f"pass a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def panes(rt: Runtime, query: Query, _path: Mapping[str, str]) -> dict[str, Any]:
    """Panes, most recently seen first, one page at a time (offset cursor)."""
    from perth.panes.service import list_panes
    from perth.views.paging import page
    from perth.views.panes import pane_list_view

    items, next_cursor = page(list_panes(rt), query.get("cursor"), _limit(query))
    return {**pane_list_view(items).to_json(), "next_cursor": next_cursor}


def pane(rt: Runtime, _query: Query, path: Mapping[str, str]) -> Document:
    """One pane and its recent entries."""
    from perth.panes.service import get_pane
    from perth.records import EntryQuery
    from perth.views.panes import pane_view

    found = get_pane(rt, path["name"])
    recent = rt.store.entries.query(EntryQuery(pane_ids=(found.id,), limit=10))
    return pane_view(found, rt.store.entries.count(found.id), recent)


def timeline(rt: Runtime, query: Query, path: Mapping[str, str]) -> Document:
    """A pane's intents and commands interleaved, newest first (``ts.id`` cursor)."""
    from perth.capture.timeline import pane_timeline
    from perth.views.capture import timeline_view

    return timeline_view(pane_timeline(rt, path["name"], limit=_limit(query), cursor=query.get("cursor")))


def journal(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """The newest work sessions (of one pane with ``?pane=``)."""
    from perth.journal.service import JournalRequest, build_journal
    from perth.views.journal import journal_view

    return journal_view(build_journal(rt, JournalRequest(last=_limit(query, 5), pane=query.get("pane"))))


def snapshots(rt: Runtime, query: Query, _path: Mapping[str, str]) -> dict[str, Any]:
    """Saved workspace snapshots, one page at a time (offset cursor)."""
    from perth.mux.views import list_view
    from perth.views.paging import page

    items, next_cursor = page(rt.store.snapshots.all(), query.get("cursor"), _limit(query))
    return {**list_view(items).to_json(), "next_cursor": next_cursor}


def shellperf(rt: Runtime, query: Query, _path: Mapping[str, str]) -> dict[str, Any]:
    """Recorded shell start-up runs, newest first, one page at a time (offset cursor)."""
    from perth.shellperf.views import ledger_view
    from perth.views.paging import page

    scope = query.get("scope")
    items, next_cursor = page(rt.store.shellperf.list_runs(scope=scope, limit=MAX_LIMIT * 10),
                              query.get("cursor"), _limit(query))
    return {**ledger_view(items, scope).to_json(), "next_cursor": next_cursor}


def jobs(rt: Runtime, query: Query, _path: Mapping[str, str]) -> dict[str, Any]:
    """Jobs, newest first, one page at a time (offset cursor); ``?status=`` filters."""
    from perth.ops.model import JobQuery
    from perth.ops.service import list_jobs
    from perth.ops.views import list_view
    from perth.views.paging import page

    statuses = tuple(query["status"].split(",")) if query.get("status") else ()
    found = list_jobs(rt, JobQuery(statuses=statuses, kind=query.get("kind"), limit=MAX_LIMIT * 10))
    items, next_cursor = page(found, query.get("cursor"), _limit(query))
    return {**list_view(items, rt.store.jobs.counts()).to_json(), "next_cursor": next_cursor}


def events(rt: Runtime, _query: Query, _path: Mapping[str, str]) -> Document:
    """The events outbox and its transports."""
    from perth.events.service import status
    from perth.events.views import status_view

    return status_view(status(rt))
