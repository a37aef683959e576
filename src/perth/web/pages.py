"""The dashboard's server-rendered pages: the API's documents as HTML (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from perth.errors import NotFoundError, PerthError
from perth.web import api

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.views.document import Document

Page = Callable[["Runtime", Mapping[str, str], Mapping[str, str]], tuple["Document", str | None, list[str]]]


def _panes(rt: Runtime, query: Mapping[str, str], path: Mapping[str, str]) -> tuple[Document, str | None, list[str]]:
    from perth.panes.service import list_panes
    from perth.views.panes import pane_list_view

    return pane_list_view(list_panes(rt)), "/panes/{}", []


def _timeline(rt: Runtime, query: Mapping[str, str], path: Mapping[str, str]) -> tuple[Document, str | None,
                                                                                        list[str]]:
    doc = api.timeline(rt, query, path)
    cursor = doc.data["next_cursor"]
    extra = [f'<p><a id="older" href="/panes/{quote(path["name"])}?cursor={quote(cursor)}">Older</a></p>'] \
        if cursor else []
    return doc, None, extra


def _simple(endpoint: Callable[[Runtime, Mapping[str, str], Mapping[str, str]], Document],
            extra: list[str] | None = None) -> Page:
    def page(rt: Runtime, query: Mapping[str, str], path: Mapping[str, str]) -> tuple[Document, str | None,
                                                                                      list[str]]:
        return endpoint(rt, query, path), None, list(extra or [])

    return page


def _listing(view: Callable[[Runtime], Document], extra: list[str] | None = None) -> Page:
    return _simple(lambda rt, _q, _p: view(rt), extra)


def _snapshots(rt: Runtime) -> Document:
    from perth.mux.views import list_view

    return list_view(rt.store.snapshots.all())


def _shellperf(rt: Runtime) -> Document:
    from perth.shellperf.views import ledger_view

    return ledger_view(rt.store.shellperf.list_runs(limit=200), None)


def _jobs(rt: Runtime) -> Document:
    from perth.ops.model import JobQuery
    from perth.ops.service import list_jobs
    from perth.ops.views import list_view

    return list_view(list_jobs(rt, JobQuery(limit=200)), rt.store.jobs.counts())


PAGES: dict[str, Page] = {
    "/": _panes,
    "/panes/{name}": _timeline,
    "/journal": _simple(api.journal),
    "/snapshots": _listing(_snapshots),
    "/shellperf": _listing(_shellperf, ['<img class="chart" alt="Shell start-up trend" src="/shellperf/trend.svg">']),
    "/jobs": _listing(_jobs),
    "/events": _simple(api.events),
}


def render(rt: Runtime, page: Page, query: Mapping[str, str], path: Mapping[str, str]) -> tuple[str, int]:
    """The page's HTML (through the secret filter) and its status."""
    from perth.views.html import html_page

    try:
        doc, link, extra = page(rt, query, path)
        html = html_page(doc, link=link, extra=extra)
        status = 200
    except PerthError as exc:
        from perth.views.document import Document, Note

        html = html_page(Document("perth.error.v1", {}, title="Error",
                                  blocks=[Note(f"perth: error: {exc.message}")]))
        status = 404 if isinstance(exc, NotFoundError) else 400
    return str(rt.redact(html, "web")), status


def trend_svg(rt: Runtime) -> str:
    """The shellperf trend chart as SVG (pygal, from the package), through the secret filter."""
    import os
    import tempfile

    from perth.shellperf.chart import write_trend_chart

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trend.svg")
        write_trend_chart(path, rt.store.shellperf.list_runs(limit=200), "Shell start-up (median ms)")
        with open(path, encoding="utf-8") as svg:
            return str(rt.redact(svg.read(), "web"))
