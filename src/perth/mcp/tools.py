"""The MCP tools and resources: thin adapters over the functions the CLI calls.

Each call gets a fresh :class:`~perth.runtime.Runtime` (tools run in worker threads; a runtime's
SQLite connection belongs to one), returns the same JSON contract as the CLI's ``--format json``,
and passes every string of its answer through the secret filter.  A :class:`~perth.errors.PerthError`
becomes a tool error carrying Perth's one-line message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from perth.errors import PerthError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.views.document import Document

RuntimeFactory = Callable[[], "Runtime"]
T = TypeVar("T")


def filtered(rt: Runtime, value: Any) -> Any:
    """``value`` with every string passed through the secret filter (dict keys included)."""
    from perth.views.redaction import filter_strings

    return filter_strings(rt, value, "mcp")


def _offset(cursor: str | None) -> int:
    """The offset an offset cursor names (a bad one is refused by :func:`perth.views.paging.page`)."""
    return int(cursor) if cursor is not None and cursor.isdigit() else 0


class Tools:
    """The tool and resource functions, bound to a runtime factory."""

    def __init__(self, make_runtime: RuntimeFactory, page_size: int) -> None:
        self.make_runtime = make_runtime
        self.page_size = page_size

    def call(self, work: Callable[[Runtime], Document | dict[str, Any] | str]) -> Any:
        """Run ``work`` on a fresh runtime; its answer filtered, its Perth errors as tool errors."""
        from mcp.server.mcpserver.exceptions import ToolError

        rt = self.make_runtime()
        try:
            result = work(rt)
            data = result if isinstance(result, dict | str) else result.to_json()
            return filtered(rt, data)
        except PerthError as exc:
            raise ToolError(str(rt.redact(f"perth: error: {exc.message}", "mcp"))) from exc
        finally:
            rt.close()

    def log_intent(self, summary: str, pane: str | None = None, *, type: str = "checkpoint",
                   goal_delta: str | None = None, tags: list[str] | None = None,
                   agent: str = "mcp") -> dict[str, Any]:
        """Log an intent entry (what you are doing, decided or finished) in a pane."""
        from perth.panes.entries import EntryDraft, log_entry
        from perth.views.panes import entry_view

        draft = EntryDraft(summary=summary, type=type, source="agent", agent=agent, goal_delta=goal_delta,
                           tags=tuple(tags or ()))
        return self.call(lambda rt: entry_view(log_entry(rt, draft, pane)[0]))  # type: ignore[no-any-return]

    def search_memory(self, query: str, kinds: list[str] | None = None, *, mode: str | None = None,
                      pane: str | None = None, repo: str | None = None, limit: int | None = None,
                      cursor: str | None = None) -> dict[str, Any]:
        """Search commands, intents, journal sessions, snapshots and code symbols (kinds: command, intent,
        journal, snapshot, code; default all), best first; repo: a registered code repository's name or a
        repository's root path; pass next_cursor to get the next page."""
        from perth.capture.query import CommandFilter
        from perth.search.service import search
        from perth.views.search import search_view

        def work(rt: Runtime) -> Document:
            root = repo
            if repo and not repo.startswith("/"):
                from perth.codeindex.service import get_repo

                root = get_repo(rt, repo).root
            flt = CommandFilter(panes=(pane,) if pane else (), repo=root, limit=limit or self.page_size, cursor=cursor)
            return search_view(search(rt, query, flt, tuple(kinds or ()), mode))

        return self.call(work)  # type: ignore[no-any-return]

    def list_panes(self, cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
        """Panes, most recently seen first; pass next_cursor to get the next page."""
        from perth.panes.service import list_panes
        from perth.views.paging import page
        from perth.views.panes import pane_list_view

        def work(rt: Runtime) -> dict[str, Any]:
            items, next_cursor = page(list_panes(rt), cursor, limit or self.page_size)
            return {**pane_list_view(items).to_json(), "next_cursor": next_cursor}

        return self.call(work)  # type: ignore[no-any-return]

    def pane_status(self, pane: str | None = None) -> dict[str, Any]:
        """Status of a pane (or of the active panes): branch, dirty files, last commands, next steps."""
        from perth.panes.service import get_pane
        from perth.panes.status import status
        from perth.views.panes import status_view

        def work(rt: Runtime) -> Document:
            if pane:
                get_pane(rt, pane)
            return status_view(status(rt, pane_name=pane, limit=self.page_size))

        return self.call(work)  # type: ignore[no-any-return]

    def pane_context(self, pane: str | None = None) -> dict[str, Any]:
        """The context block of a pane: recent intents, commands, git state (what `perth context` prints)."""
        from perth.panes.resolve import resolve
        from perth.panes.service import get_pane
        from perth.summarize.context import collect_context
        from perth.views.summarize import context_view

        def work(rt: Runtime) -> Document:
            found = get_pane(rt, pane) if pane else resolve(rt, None).pane
            return context_view(collect_context(rt, found, since_ms=None))

        return self.call(work)  # type: ignore[no-any-return]

    def journal(self, pane: str | None = None, last: int = 5, cursor: str | None = None) -> dict[str, Any]:
        """The newest work sessions (of a pane, or everywhere) with their claims and sources, ``last`` per page;
        pass next_cursor to get the older ones."""
        from perth.journal.service import MAX_LAST, JournalRequest, build_journal
        from perth.record import replace
        from perth.views.journal import journal_view
        from perth.views.paging import page

        def work(rt: Runtime) -> dict[str, Any]:
            start = _offset(cursor)
            request = JournalRequest(last=min(MAX_LAST, start + max(1, last) + 1) if last >= 1 else last, pane=pane)
            journal = build_journal(rt, request)
            sessions, next_cursor = page(journal.sessions, cursor, last)
            return {**journal_view(replace(journal, sessions=tuple(sessions))).to_json(), "next_cursor": next_cursor}

        return self.call(work)  # type: ignore[no-any-return]

    def handoff(self, pane: str | None = None) -> dict[str, Any]:
        """The resume-here note of a pane: state, decisions, blockers, next steps, failing commands."""
        from perth.journal.handoff import build_handoff
        from perth.views.journal import handoff_view

        return self.call(lambda rt: handoff_view(build_handoff(rt, pane)))  # type: ignore[no-any-return]

    def shellperf_summary(self, scope: str | None = None, limit: int = 10,
                          cursor: str | None = None) -> dict[str, Any]:
        """Recorded shell start-up measurements, newest first, with their verdicts; pass next_cursor to get
        the next page."""
        from perth.shellperf.views import ledger_view
        from perth.views.paging import page

        def work(rt: Runtime) -> dict[str, Any]:
            runs = rt.store.shellperf.list_runs(scope=scope, limit=_offset(cursor) + max(1, limit) + 1)
            items, next_cursor = page(runs, cursor, limit)
            return {**ledger_view(items, scope).to_json(), "next_cursor": next_cursor}

        return self.call(work)  # type: ignore[no-any-return]

    def code_find(self, name: str, repo: str | None = None, kinds: list[str] | None = None,
                  limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
        """Find symbols in an indexed repository by name, qualified name or glob ('get_*'); pass next_cursor
        to get the next page."""
        from perth.codeindex.graph import Graph
        from perth.codeindex.service import get_repo
        from perth.codeindex.views import find_view
        from perth.views.paging import page

        def work(rt: Runtime) -> dict[str, Any]:
            found = get_repo(rt, repo)
            size = limit or self.page_size
            graph = Graph(rt.store.code, found.id)
            symbols = graph.find(name, kinds=tuple(kinds or ()), limit=_offset(cursor) + max(1, size) + 1)
            items, next_cursor = page(symbols, cursor, size)
            return {**find_view(found, name, items).to_json(), "next_cursor": next_cursor}

        return self.call(work)  # type: ignore[no-any-return]

    def code_list_repos(self, cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
        """Registered repositories with their index state and counts; pass next_cursor to get the next page."""
        from perth.codeindex.service import list_repos
        from perth.codeindex.views import repos_view
        from perth.views.paging import page

        def work(rt: Runtime) -> dict[str, Any]:
            items, next_cursor = page(list_repos(rt), cursor, limit or self.page_size)
            return {**repos_view(items).to_json(), "next_cursor": next_cursor}

        return self.call(work)  # type: ignore[no-any-return]

    def code_add_repo(self, path: str, name: str | None = None, index: bool = True) -> dict[str, Any]:
        """Register a repository's working tree (an absolute path) under a short name, and index it now
        (index=false: leave it to code_reindex or the daemon)."""
        from perth.codeindex import service
        from perth.codeindex.indexer import index_repo
        from perth.codeindex.views import repo_view

        def work(rt: Runtime) -> Document:
            repo = service.add_repo(rt, path, name=name)
            text = f"Registered {repo.name} at {repo.root}."
            if index:
                report = index_repo(rt, repo)
                repo = rt.store.code.get_repo(repo_id=repo.id) or repo
                text += f" Indexed {report.files} files: {report.symbols} symbols, {report.edges} edges."
            return repo_view("add", repo, text)

        return self.call(work)  # type: ignore[no-any-return]

    def code_reindex(self, repo: str | None = None, full: bool = False, every: bool = False) -> dict[str, Any]:
        """Bring a repository's code index up to date now (changed files only; full=true re-parses every file;
        every=true: every registered repository).  Files of languages whose grammar is missing are listed
        in missing_languages."""
        from perth.codeindex import service
        from perth.codeindex.views import reindex_view

        return self.call(lambda rt: reindex_view(  # type: ignore[no-any-return]
            service.reindex(rt, repo, full=full, every=every)))

    def code_context(self, symbol: str, repo: str | None = None) -> dict[str, Any]:
        """A symbol's definition, signature, docstring, callers, callees and neighbours."""
        from perth.codeindex.graph import Graph
        from perth.codeindex.service import get_repo
        from perth.codeindex.views import context_view

        def work(rt: Runtime) -> Document:
            found = get_repo(rt, repo)
            graph = Graph(rt.store.code, found.id)
            return context_view(found, graph.context(graph.lookup(symbol)[0]))

        return self.call(work)  # type: ignore[no-any-return]

    def code_calls(self, symbol: str, direction: str = "callers", repo: str | None = None,
                   depth: int = 1) -> dict[str, Any]:
        """The callers (or, with direction='callees', the callees) of a symbol, with each call's confidence."""
        from perth.codeindex.graph import Graph
        from perth.codeindex.service import get_repo
        from perth.codeindex.views import calls_view
        from perth.errors import UsageError

        def work(rt: Runtime) -> Document:
            if direction not in ("callers", "callees"):
                raise UsageError(f"direction must be callers or callees, not {direction!r}")
            found = get_repo(rt, repo)
            graph = Graph(rt.store.code, found.id)
            symbols = graph.lookup(symbol)
            query = graph.callers if direction == "callers" else graph.callees
            return calls_view(direction, found, symbols, query(symbols, depth=max(1, depth)), max(1, depth))

        return self.call(work)  # type: ignore[no-any-return]

    def code_impact(self, target: str, repo: str | None = None, depth: int = 5) -> dict[str, Any]:
        """What a change to a file or symbol may break: transitive callers, files and the tests that reach it."""
        from perth.codeindex.graph import Graph
        from perth.codeindex.service import get_repo
        from perth.codeindex.views import impact_view

        def work(rt: Runtime) -> Document:
            found = get_repo(rt, repo)
            return impact_view(found, Graph(rt.store.code, found.id).impact(target, depth=max(1, depth)))

        return self.call(work)  # type: ignore[no-any-return]

    def code_map(self, repo: str | None = None, tokens: int = 1024,
                 focus: list[str] | None = None) -> dict[str, Any]:
        """A map of a repository's most important definitions, ranked over the call graph, within a token budget."""
        from perth.codeindex.repomap import build_map
        from perth.codeindex.service import get_repo
        from perth.codeindex.views import map_view

        def work(rt: Runtime) -> Document:
            found = get_repo(rt, repo)
            return map_view(found, build_map(rt.store.code, found.id, budget=max(1, tokens), focus=list(focus or ())))

        return self.call(work)  # type: ignore[no-any-return]

    def pane_resource(self, name: str) -> str:
        """``perth://panes/{name}``: a pane and its recent entries, as JSON."""
        import json

        from perth.panes.service import get_pane
        from perth.records import EntryQuery
        from perth.views.panes import pane_view

        def work(rt: Runtime) -> dict[str, Any]:
            found = get_pane(rt, name)
            recent = rt.store.entries.query(EntryQuery(pane_ids=(found.id,), limit=10))
            return pane_view(found, rt.store.entries.count(found.id), recent).to_json()

        return json.dumps(self.resource(work), indent=2)

    def panes_resource(self) -> str:
        """``perth://panes``: every pane as JSON."""
        import json

        from perth.panes.service import list_panes
        from perth.views.panes import pane_list_view

        return json.dumps(self.resource(lambda rt: pane_list_view(list_panes(rt)).to_json()), indent=2)

    def journal_resource(self, name: str) -> str:
        """``perth://journal/{name}``: the last sessions of a pane as Markdown (``all``: every pane)."""
        from perth.journal.service import JournalRequest, build_journal
        from perth.views.journal import render_journal

        request = JournalRequest(last=10, pane=None if name == "all" else name)
        return str(self.resource(lambda rt: render_journal(build_journal(rt, request), "markdown")))

    def resource(self, work: Callable[[Runtime], T]) -> T:
        """Run a resource read; a Perth error becomes a resource error (unknown names: not found)."""
        from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

        from perth.errors import NotFoundError

        rt = self.make_runtime()
        try:
            return filtered(rt, work(rt))  # type: ignore[no-any-return]
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(rt.redact(exc.message, "mcp"))) from exc
        except PerthError as exc:
            raise ResourceError(str(rt.redact(exc.message, "mcp"))) from exc
        finally:
            rt.close()

