"""The dashboard's server-rendered pages: the API's documents as HTML, with forms for the write actions.

No inline script or style (the Content-Security-Policy forbids both), no CDN: the stylesheet, the
favicon, the trend chart (pygal SVG) and the badges are served by ``perth serve`` itself. Buttons
are plain forms posting to the API's write endpoints with the page's CSRF token; they are shown
only to a signed-in user whose role grants the action.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from urllib.parse import quote, urlencode

from perth.errors import NotFoundError, PerthError
from perth.record import Record
from perth.web import api

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.identity.model import Principal
    from perth.runtime import Runtime
    from perth.shellperf.badges import Badge
    from perth.views.document import Document

Query = Mapping[str, str]


class Viewer(Record):
    """Who looks at a page: the principal (None: not signed in), the page's CSRF token and path."""

    principal: Principal | None = None
    csrf: str = ""
    path: str = "/"


PageResult = tuple["Document", "str | None", list[str]]
Page = Callable[["Runtime", Query, Mapping[str, str], Viewer], PageResult]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def button_form(viewer: Viewer, action: str, permission: str, buttons: list[tuple[str, str, str]],
                note: bool = False) -> str:
    """A form posting to ``action`` (buttons: ``(id, label, formaction or "")``), or why it is not offered."""
    principal = viewer.principal
    if principal is None:
        return f'<span class="note">sign in (<a href="/login?next={quote(viewer.path)}">/login</a>) to act</span>'
    if not principal.may(permission):
        return f'<span class="note">{_e(principal.role)}s cannot {_e(permission)}</span>'
    fields = (f'<input type="hidden" name="csrf" value="{_e(viewer.csrf)}">'
              f'<input type="hidden" name="next" value="{_e(viewer.path)}">')
    if note:
        fields += '<input type="text" name="note" placeholder="note" aria-label="note">'
    shown = "".join(f'<button type="submit" id="{_e(bid)}"' + (f' formaction="{_e(to)}"' if to else "")
                    + f">{_e(label)}</button>" for bid, label, to in buttons)
    return f'<form method="post" action="{_e(action)}" class="inline">{fields}{shown}</form>'


def _action_table(title: str, columns: tuple[str, ...], rows: list[tuple[list[str], str]]) -> str:
    """A table whose cells are escaped text and whose last column is already-safe HTML (a form)."""
    if not rows:
        return ""
    head = "".join(f"<th>{_e(c)}</th>" for c in (*columns, "action"))
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + f"<td>{form}</td></tr>"
                   for cells, form in rows)
    return f"<h2>{_e(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# -- panes and timeline --------------------------------------------------------------------------------


def _panes(rt: Runtime, _query: Query, _path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    from perth.panes.service import list_panes
    from perth.views.panes import pane_list_view

    return pane_list_view(list_panes(rt)), "/panes/{}", []


def _filter_form(name: str, query: Query) -> str:
    kind = query.get("kind", "all")
    options = "".join(f'<option value="{k}"' + (" selected" if k == kind else "") + f">{k}</option>"
                      for k in ("all", "intent", "command"))
    failed = " checked" if query.get("failed") in ("1", "true", "on") else ""
    return (f'<form method="get" action="/panes/{_e(quote(name))}" class="filters" id="filters">'
            f'<label>kind <select name="kind" id="kind">{options}</select></label>'
            f'<label><input type="checkbox" name="failed" value="1" id="failed"{failed}> failed commands only</label>'
            f'<label>since <input type="text" name="since" id="since" value="{_e(query.get("since", ""))}"'
            ' placeholder="2h, yesterday, 2026-01-31"></label>'
            f'<label>search <input type="search" name="q" id="q" value="{_e(query.get("q", ""))}"></label>'
            '<button type="submit" id="apply">Apply</button></form>')


def _timeline(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    name = path["name"]
    form = _filter_form(name, query)
    if query.get("q", "").strip():
        doc = api.search(rt, {**query, "pane": name}, path)
        return doc, None, [form]
    doc = api.timeline(rt, query, path)
    cursor = doc.data["next_cursor"]
    kept = {k: v for k, v in query.items() if k in ("kind", "failed", "since", "until", "type") and v}
    older = [f'<p><a id="older" href="/panes/{_e(quote(name))}?{_e(urlencode({**kept, "cursor": cursor}))}">'
             "Older</a></p>"] if cursor else []
    return doc, None, [form, *older]


# -- journal, handoff ----------------------------------------------------------------------------------


def _journal(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    pane = query.get("pane", "")
    link = f'<p><a id="handoff" href="/handoff{"?pane=" + _e(quote(pane)) if pane else ""}">Handoff note</a></p>'
    return api.journal(rt, query, path), None, [link]


def _handoff(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    return api.handoff(rt, query, path), None, []


# -- snapshots -----------------------------------------------------------------------------------------


def _snapshots(rt: Runtime, _query: Query, _path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    from perth.mux.views import list_view

    return list_view(rt.store.snapshots.all()), "/snapshots/{}", []


def _snapshot(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    name = path["name"]
    others = [s.name for s in rt.store.snapshots.all() if s.name != name]
    options = "".join(f'<option value="{_e(o)}">{_e(o)}</option>' for o in others)
    diff = (f'<form method="get" action="/snapshots/{_e(quote(name))}/diff" id="diff-form">'
            f'<label>compare with <select name="against" id="against">{options}</select></label>'
            '<button type="submit" id="diff">Diff</button></form>') if others else ""
    plan = f'<p><a id="restore-plan" href="/snapshots/{_e(quote(name))}/restore-plan">Restore plan (preview)</a></p>'
    return api.snapshot(rt, query, path), None, [diff, plan]


def _snapshot_diff(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    return api.snapshot_diff(rt, query, path), None, []


def _restore_plan(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    note = '<p class="note">A preview: nothing was changed. Run <code>perth restore NAME</code> to apply it.</p>'
    return api.restore_plan(rt, query, path), None, [note]


# -- shellperf -----------------------------------------------------------------------------------------


def _shellperf(rt: Runtime, _query: Query, _path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    from perth.shellperf.views import ledger_view

    runs = rt.store.shellperf.list_runs(limit=200)
    extra = []
    if runs:
        shown = "".join(f'<img class="badge" id="badge-{_e(b.name)}" alt="{_e(b.label)}: {_e(b.message)}"'
                        f' src="/shellperf/badges/{_e(quote(b.name))}.svg">' for b in latest_badges(rt))
        extra = [f'<p class="badges">{shown}</p>',
                 '<img class="chart" id="trend" alt="Shell start-up trend" src="/shellperf/trend.svg">']
    return ledger_view(runs, None), None, extra


def latest_badges(rt: Runtime) -> list[Badge]:
    """The badges of the newest recorded run (``perth shellperf badge``)."""
    from perth.shellperf.badges import badges_for
    from perth.shellperf.ledger import governance_state, load_entry, shellperf_settings

    entry = load_entry(rt, "latest", None)
    return badges_for(shellperf_settings(rt), entry.run, entry.assessment, governance_state(rt, entry.run.scope))


def badge_svg(rt: Runtime, name: str) -> str:
    """One badge of the newest run as SVG."""
    from perth.shellperf.badges import badge_svg as draw

    for badge in latest_badges(rt):
        if badge.name == name:
            return str(rt.redact(draw(badge), "web"))
    raise NotFoundError(f"no badge named {name[:40]!r}", "see the badges on /shellperf")


def trend_svg(rt: Runtime) -> str:
    """The shellperf trend chart as SVG (pygal, from the package, no script), through the secret filter."""
    from perth.shellperf.chart import trend_svg as draw

    return str(rt.redact(draw(rt.store.shellperf.list_runs(limit=200), "Shell start-up (median ms)"), "web"))


# -- jobs and workflows --------------------------------------------------------------------------------


def _jobs(rt: Runtime, _query: Query, _path: Mapping[str, str], viewer: Viewer) -> PageResult:
    from perth.ops.model import JobQuery
    from perth.ops.service import list_jobs
    from perth.ops.views import list_view

    found = list_jobs(rt, JobQuery(limit=200))
    rows = [([job.short_id, job.kind, job.status, (job.error or "")[:80]],
             button_form(viewer, f"/api/jobs/{quote(job.id)}/retry", "operate",
                         [(f"retry-{job.short_id}", "Retry", "")]))
            for job in found if job.status in ("failed", "dead", "cancelled")]
    return list_view(found, rt.store.jobs.counts()), None, [
        _action_table("Retry", ("job", "kind", "status", "error"), rows)]


def _workflows(rt: Runtime, _query: Query, _path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    from perth.workflows.views import list_view

    runs = rt.store.workflows.recent(limit=200)
    ids = {r.short_id: r.id for r in runs}
    links = "".join(f'<li><a href="/workflows/{_e(quote(full))}" id="run-{_e(short)}">{_e(short)}</a></li>'
                    for short, full in ids.items())
    return list_view(runs), None, [f'<h2>Runs</h2><ul class="runs">{links}</ul>' if links else ""]


def _workflow(rt: Runtime, query: Query, path: Mapping[str, str], viewer: Viewer) -> PageResult:
    doc = api.workflow(rt, query, path)
    run_id = doc.data["run"]["id"]
    rows = []
    for step in doc.data["run"]["steps"]:
        approval = step["approval"]
        if step["status"] == "waiting" and approval and approval["decision"] is None:
            base = f"/api/workflows/{quote(run_id)}/steps/{quote(step['id'])}"
            form = button_form(viewer, base + "/approve", "approve",
                               [(f"approve-{step['id']}", "Approve", ""), (f"reject-{step['id']}", "Reject",
                                                                           base + "/reject")], note=True)
            rows.append(([step["id"], f"requested by {approval['requested_by']}"], form))
    return doc, None, [_action_table("Waiting for approval", ("step", "gate"), rows)]


# -- events --------------------------------------------------------------------------------------------


def _events(rt: Runtime, query: Query, path: Mapping[str, str], viewer: Viewer) -> PageResult:
    from perth.events.service import dead_letters

    rows = []
    for letter in dead_letters(rt):
        base = f"/api/events/dead/{quote(letter.transport)}/{quote(letter.event.id)}"
        short = letter.event.id[-8:]
        rows.append(([letter.transport, letter.event.id, letter.event.type, str(letter.attempts), letter.error[:80]],
                     button_form(viewer, base + "/retry", "operate",
                                 [(f"retry-{short}", "Retry", ""), (f"drop-{short}", "Drop", base + "/drop")])))
    table = _action_table("Dead letters", ("transport", "id", "type", "attempts", "error"), rows) or \
        '<h2>Dead letters</h2><p class="note">The dead-letter queue is empty.</p>'
    return api.events(rt, query, path), None, [table]


# -- code graph ----------------------------------------------------------------------------------------


def _code(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    repo = query.get("repo", "")
    form = ('<form method="get" action="/code" id="code-search"><label>symbol <input type="search" name="q" id="symbol"'
            f' value="{_e(query.get("q", ""))}" placeholder="name or glob"></label>'
            f'<input type="hidden" name="repo" value="{_e(repo)}"><button type="submit" id="find">Find</button></form>')
    if query.get("q", "").strip():
        doc = api.code_find(rt, query, path)
        repo = doc.data["repo"]
        items = "".join(f'<li><a href="/code/symbol?{_e(urlencode({"repo": repo, "name": s["qualname"]}))}">'
                        f'{_e(s["qualname"])}</a></li>' for s in doc.data["symbols"])
        return doc, None, [form, f'<h2>Open a symbol</h2><ul id="symbols">{items}</ul>' if items else ""]
    return api.code_repos(rt, query, path), "/code?repo={}", [form]


def _symbol(rt: Runtime, query: Query, path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    doc = api.code_symbol(rt, query, path)
    repo = doc.data["repo"]
    near = [("Callers", "caller"), ("Callees", "callee")]
    lists = []
    for title, key in near:
        names = dict.fromkeys(site[key] for site in doc.data[f"{key}s"])
        items = "".join(f'<li><a href="/code/symbol?{_e(urlencode({"repo": repo, "name": n}))}">{_e(n)}</a></li>'
                        for n in names)
        lists.append(f'<h2>{title} (links)</h2><ul id="{key}s">{items}</ul>' if items else "")
    return doc, None, lists


def _api_docs(_rt: Runtime, _query: Query, _path: Mapping[str, str], _viewer: Viewer) -> PageResult:
    """The API's reference, drawn from the OpenAPI document (no Swagger UI: it would need scripts)."""
    from perth.views.document import Document, Note, Table
    from perth.web.openapi import openapi

    spec = openapi()
    rows = [(f"{method.upper()} {path}", op["summary"],
             ", ".join(p["name"] for p in op["parameters"]) or "-") for path, ops in spec["paths"].items()
            for method, op in ops.items()]
    return Document("perth.api_docs.v1", {}, title="HTTP API", blocks=[
        Note(spec["info"]["description"]), Table(("endpoint", "what", "parameters"), rows),
        Note("The machine-readable description: /openapi.json (OpenAPI 3.1).")]), None, []


PAGES: dict[str, Page] = {
    "/": _panes,
    "/panes/{name}": _timeline,
    "/journal": _journal,
    "/handoff": _handoff,
    "/snapshots": _snapshots,
    "/snapshots/{name}": _snapshot,
    "/snapshots/{name}/diff": _snapshot_diff,
    "/snapshots/{name}/restore-plan": _restore_plan,
    "/shellperf": _shellperf,
    "/jobs": _jobs,
    "/workflows": _workflows,
    "/workflows/{run}": _workflow,
    "/events": _events,
    "/code": _code,
    "/code/symbol": _symbol,
    "/docs": _api_docs,
}


def _account(viewer: Viewer) -> str:
    if viewer.principal is None:
        return f'<a class="account" id="sign-in" href="/login?next={_e(quote(viewer.path))}">Sign in</a>'
    return (f'<form method="post" action="/logout" class="account"><span id="who">{_e(viewer.principal.name)}'
            f" ({_e(viewer.principal.role)})</span>"
            f'<input type="hidden" name="csrf" value="{_e(viewer.csrf)}">'
            '<button type="submit" id="sign-out">Sign out</button></form>')


def render(rt: Runtime, page: Page, query: Query, path: Mapping[str, str], viewer: Viewer) -> tuple[str, int]:
    """The page's HTML (through the secret filter) and its status."""
    from perth.views.html import html_page

    try:
        doc, link, extra = page(rt, query, path, viewer)
        html = html_page(doc, link=link, extra=extra, header=_account(viewer))
        status = 200
    except PerthError as exc:
        from perth.views.document import Document, Note

        html = html_page(Document("perth.error.v1", {}, title="Error",
                                  blocks=[Note(f"perth: error: {exc.message}")]), header=_account(viewer))
        status = 404 if isinstance(exc, NotFoundError) else 503 if exc.exit_code == 4 else 400
    return str(rt.redact(html, "web")), status


def login_page(next_path: str, message: str = "") -> str:
    """The sign-in form (a token: a user's from `perth token create`, or the owner's web.token)."""
    from perth.views.document import Document, Note
    from perth.views.html import html_page

    form = ('<form method="post" action="/login" id="login">'
            f'<input type="hidden" name="next" value="{_e(next_path)}">'
            '<label>token <input type="password" name="token" id="token" autocomplete="off"></label>'
            '<button type="submit" id="sign-in-submit">Sign in</button></form>')
    blocks = [Note(message)] if message else [Note("Paste a token from `perth token create USER`.")]
    return html_page(Document("perth.login.v1", {}, title="Sign in", blocks=blocks), extra=[form])
