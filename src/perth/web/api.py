"""The API's endpoints: each one calls the application function the CLI calls and returns its view.

Read endpoints take a runtime, the query parameters and the path parameters (strings) and return a
:class:`~perth.views.document.Document` (the CLI's ``--format json`` contract) or a plain dict.
Write endpoints (:data:`WRITES`) also take the principal who asks and the request's fields; each
names the permission it needs (:mod:`perth.identity.model`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from perth.errors import InvalidInputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.identity.model import Principal
    from perth.runtime import Runtime
    from perth.views.document import Document

Query = Mapping[str, str]
Endpoint = Callable[["Runtime", Query, Mapping[str, str]], "Document | dict[str, Any]"]
Write = Callable[["Runtime", "Principal", Mapping[str, str], Mapping[str, str]], "Document"]
MAX_LIMIT = 500


def _limit(query: Query, default: int = 50) -> int:
    text = query.get("limit", str(default))
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInputError(f"limit {text!r}", f"pass a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def _when(query: Query, key: str) -> int | None:
    from perth.clock import parse_when

    text = query.get(key)
    return parse_when(text) if text else None


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
    """A pane's intents and commands interleaved, newest first (``ts.id`` cursor), with filters."""
    from perth.capture.timeline import pane_timeline
    from perth.views.capture import timeline_view

    kinds = tuple(k for k in query.get("kind", "").split(",") if k and k != "all")
    types = tuple(t for t in query.get("type", "").split(",") if t)
    return timeline_view(pane_timeline(rt, path["name"], limit=_limit(query), cursor=query.get("cursor"),
                                       kinds=kinds, failed=query.get("failed") in ("1", "true", "on"), types=types,
                                       since=_when(query, "since"), until=_when(query, "until")))


def search(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """Memory search (``perth search``): BM25 over commands, intents, sessions and snapshots; ``?pane=``."""
    from perth.capture.query import CommandFilter
    from perth.search.service import search as run_search
    from perth.views.search import search_view

    text = query.get("q", "").strip()
    if not text:
        raise InvalidInputError("an empty search", "pass the words to look for as ?q=")
    kinds = tuple(k for k in query.get("kind", "").split(",") if k and k != "all")
    flt = CommandFilter(panes=(query["pane"],) if query.get("pane") else (), limit=_limit(query, 20),
                        cursor=query.get("cursor"))
    return search_view(run_search(rt, text, flt, kinds))


def journal(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """The newest work sessions (of one pane with ``?pane=``)."""
    from perth.journal.service import JournalRequest, build_journal
    from perth.views.journal import journal_view

    return journal_view(build_journal(rt, JournalRequest(last=_limit(query, 5), pane=query.get("pane"))))


def handoff(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """The resume-here note of ``?pane=`` (``perth handoff``; by default the pane seen most recently: a
    server has no current pane)."""
    from perth.journal.handoff import build_handoff
    from perth.panes.service import list_panes
    from perth.views.journal import handoff_view

    name = query.get("pane") or next((p.name for p in list_panes(rt)), None)
    return handoff_view(build_handoff(rt, name))


def snapshots(rt: Runtime, query: Query, _path: Mapping[str, str]) -> dict[str, Any]:
    """Saved workspace snapshots, one page at a time (offset cursor)."""
    from perth.mux.views import list_view
    from perth.views.paging import page

    items, next_cursor = page(rt.store.snapshots.all(), query.get("cursor"), _limit(query))
    return {**list_view(items).to_json(), "next_cursor": next_cursor}


def snapshot(rt: Runtime, _query: Query, path: Mapping[str, str]) -> Document:
    """One snapshot: its sessions, windows and panes (``perth snapshot show``)."""
    from perth.mux.service import get
    from perth.mux.views import show_view

    return show_view(get(rt, path["name"]))


def snapshot_diff(rt: Runtime, query: Query, path: Mapping[str, str]) -> Document:
    """What changed from snapshot ``?against=`` (default: the one saved before it) to this one."""
    from perth.errors import NotFoundError
    from perth.mux.service import diff, get
    from perth.mux.views import diff_view

    new = get(rt, path["name"])
    if query.get("against"):
        old = get(rt, query["against"])
    else:
        older = [s for s in rt.store.snapshots.all() if s.created_at < new.created_at]
        if not older:
            raise NotFoundError(f"no snapshot saved before {new.name!r}", "pass ?against=NAME")
        old = max(older, key=lambda s: s.created_at)
    return diff_view(old, new, diff(old, new))


def restore_plan(rt: Runtime, _query: Query, path: Mapping[str, str]) -> Document:
    """What ``perth restore NAME`` would do now (``--dry-run``): nothing is changed."""
    from perth.mux.execute import restore
    from perth.mux.service import driver_for, get
    from perth.mux.views import restore_view

    return restore_view(restore(rt, driver_for(rt), get(rt, path["name"]), dry_run=True))


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


def job(rt: Runtime, _query: Query, path: Mapping[str, str]) -> Document:
    """One job with the tail of its output (``perth job show``)."""
    from perth.ops.service import find, refresh
    from perth.ops.views import job_view

    return job_view(refresh(rt, find(rt, path["id"])))


def workflows(rt: Runtime, query: Query, _path: Mapping[str, str]) -> dict[str, Any]:
    """Workflow runs, newest first, one page at a time (offset cursor); ``?status=`` filters."""
    from perth.views.paging import page
    from perth.workflows.views import list_view

    found = rt.store.workflows.recent(limit=MAX_LIMIT * 10, status=query.get("status") or None)
    items, next_cursor = page(found, query.get("cursor"), _limit(query))
    return {**list_view(items).to_json(), "next_cursor": next_cursor}


def workflow(rt: Runtime, _query: Query, path: Mapping[str, str]) -> Document:
    """One workflow run and the state of its steps (``perth workflow show``)."""
    from perth.workflows.service import find
    from perth.workflows.views import run_view

    run = find(rt, path["run"])
    return run_view(run, rt.store.workflows.steps(run.id))


def events(rt: Runtime, _query: Query, _path: Mapping[str, str]) -> Document:
    """The events outbox and its transports."""
    from perth.events.service import status
    from perth.events.views import status_view

    return status_view(status(rt))


def dead_events(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """Dead-lettered events (of one ``?transport=``), as ``perth events dlq list``."""
    from perth.events.service import dead_letters
    from perth.events.views import dlq_view

    return dlq_view(dead_letters(rt, query.get("transport") or None))


def code_repos(rt: Runtime, _query: Query, _path: Mapping[str, str]) -> Document:
    """Indexed repositories (``perth code status``)."""
    from perth.codeindex.service import status
    from perth.codeindex.views import status_view

    return status_view(status(rt))


def code_find(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """Symbols by name or glob (``perth code find``) in ``?repo=`` (default: the only or current one)."""
    from perth.codeindex.graph import Graph
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import find_view

    text = query.get("q", "").strip()
    if not text:
        raise InvalidInputError("an empty symbol search", "pass a name or a glob as ?q=")
    repo = get_repo(rt, query.get("repo") or None)
    return find_view(repo, text, Graph(rt.store.code, repo.id).find(text, limit=_limit(query)))


def code_symbol(rt: Runtime, query: Query, _path: Mapping[str, str]) -> Document:
    """A symbol's definition, callers and callees (``perth code context``)."""
    from perth.codeindex.graph import Graph
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import context_view
    from perth.errors import NotFoundError

    name = query.get("name", "").strip()
    if not name:
        raise InvalidInputError("no symbol", "pass its name or qualified name as ?name=")
    repo = get_repo(rt, query.get("repo") or None)
    graph = Graph(rt.store.code, repo.id)
    found = graph.lookup(name)
    if not found:
        raise NotFoundError(f"no symbol {name[:80]!r} in {repo.name}", "search for it with ?q= on /code")
    return context_view(repo, graph.context(found[0]))


# -- writes -------------------------------------------------------------------------------------------


def _decide(approve: bool) -> Write:
    def work(rt: Runtime, principal: Principal, path: Mapping[str, str], fields: Mapping[str, str]) -> Document:
        from perth.workflows.service import carry_on, decide, find
        from perth.workflows.views import decision_view

        run = find(rt, path["run"])
        step = decide(rt, run, path["step"], approve=approve, note=fields.get("note", ""), user=principal.name)
        carry_on(rt, run.id)
        return decision_view(run, step)

    return work


def retry_job(rt: Runtime, _principal: Principal, path: Mapping[str, str], _fields: Mapping[str, str]) -> Document:
    """Queue a failed, dead or cancelled job again (``perth job retry``)."""
    from perth.ops.service import find, retry
    from perth.ops.views import job_view

    return job_view(retry(rt, find(rt, path["id"])), "retry")


def _dead_letter(action: str) -> Write:
    def work(rt: Runtime, _principal: Principal, path: Mapping[str, str], _fields: Mapping[str, str]) -> Document:
        from perth.events.service import dlq_drop, dlq_retry
        from perth.events.views import dlq_change_view

        change = (dlq_retry if action == "retry" else dlq_drop)(rt, path["transport"], [path["id"]])
        return dlq_change_view(change)

    return work


#: Write endpoints (POST): path -> (the permission it needs, the function).
WRITES: dict[str, tuple[str, Write]] = {
    "/api/workflows/{run}/steps/{step}/approve": ("approve", _decide(True)),
    "/api/workflows/{run}/steps/{step}/reject": ("approve", _decide(False)),
    "/api/jobs/{id}/retry": ("operate", retry_job),
    "/api/events/dead/{transport}/{id}/retry": ("operate", _dead_letter("retry")),
    "/api/events/dead/{transport}/{id}/drop": ("operate", _dead_letter("drop")),
}
