"""The Starlette application of ``perth serve``: routes, the gate, the secret filter on every body, spans.

Read endpoints (``GET /api/...``) answer the CLI's JSON documents; write endpoints (``POST``,
:data:`perth.web.api.WRITES`) need a principal whose role grants the action and answer JSON, or,
for a dashboard form (``application/x-www-form-urlencoded``, with its CSRF token), a redirect back
to the page. Every request is a span when OpenTelemetry is on (``trace.exporter``, or a process
already under OpenTelemetry); its attributes are the route's template, never the raw path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from perth.errors import InvalidInputError, NotFoundError, PerthError, UnavailableError
from perth.web import api
from perth.web.auth import COOKIE, SVG_CSP, Authenticator, Gate, is_loopback, local_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.identity.model import Principal
    from perth.runtime import Runtime
    from perth.web.pages import Viewer

RuntimeFactory = Callable[[], "Runtime"]
ROUTES: dict[str, api.Endpoint] = {
    "/api/panes": api.panes,
    "/api/panes/{name}": api.pane,
    "/api/panes/{name}/timeline": api.timeline,
    "/api/search": api.search,
    "/api/journal": api.journal,
    "/api/handoff": api.handoff,
    "/api/snapshots": api.snapshots,
    "/api/snapshots/{name}": api.snapshot,
    "/api/snapshots/{name}/diff": api.snapshot_diff,
    "/api/snapshots/{name}/restore-plan": api.restore_plan,
    "/api/shellperf": api.shellperf,
    "/api/jobs": api.jobs,
    "/api/jobs/{id}": api.job,
    "/api/workflows": api.workflows,
    "/api/workflows/{run}": api.workflow,
    "/api/events": api.events,
    "/api/events/dead": api.dead_events,
    "/api/code/repos": api.code_repos,
    "/api/code/find": api.code_find,
    "/api/code/symbol": api.code_symbol,
}
MAX_FORM = 64 * 1024


def status_of(exc: PerthError) -> int:
    """The HTTP status of an error: 404 not found, 403 forbidden, 409 conflict, 503 unavailable, 400 bad input,
    else 500."""
    from perth.errors import ConflictError, ForbiddenError, UserError

    for kind, code in ((NotFoundError, 404), (ForbiddenError, 403), (ConflictError, 409), (UnavailableError, 503),
                       (InvalidInputError, 400), (UserError, 400)):
        if isinstance(exc, kind):
            return code
    return 500


def _json(rt: Runtime, data: Any, status: int = 200) -> Any:
    """A JSON response whose every string went through the secret filter."""
    from starlette.responses import JSONResponse

    from perth.views.redaction import filter_strings

    return JSONResponse(filter_strings(rt, data, "web"), status_code=status)


def _on_runtime(make_runtime: RuntimeFactory, work: Callable[[Runtime], Any]) -> Any:
    rt = make_runtime()
    try:
        return work(rt)
    finally:
        rt.close()


def _endpoint(make_runtime: RuntimeFactory, work: api.Endpoint) -> Any:
    from starlette.concurrency import run_in_threadpool

    def answer(rt: Runtime, query: dict[str, str], path: dict[str, str]) -> Any:
        try:
            result = work(rt, query, path)
            return _json(rt, result if isinstance(result, dict) else result.to_json())
        except PerthError as exc:
            return _json(rt, {"error": f"perth: error: {exc.message}"}, status_of(exc))

    async def endpoint(request: Any) -> Any:
        query, path = dict(request.query_params), dict(request.path_params)
        return await run_in_threadpool(_on_runtime, make_runtime, lambda rt: answer(rt, query, path))

    return endpoint


async def _fields(request: Any) -> tuple[dict[str, str], bool]:
    """The request's fields (a form or a JSON object) and whether it was a form."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise InvalidInputError("a request body over 64 KiB", "send a smaller request")
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), True
    if not body.strip():
        return {}, False
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise InvalidInputError("a request body that is not JSON", "send a JSON object, e.g. {\"note\": \"...\"}") \
            from exc
    if not isinstance(data, dict):
        raise InvalidInputError("a JSON body that is not an object", "send a JSON object, e.g. {\"note\": \"...\"}")
    return {str(k): str(v) for k, v in data.items()}, False


def _write(make_runtime: RuntimeFactory, permission: str, work: api.Write) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import RedirectResponse

    from perth.identity.service import permitted

    def act(rt: Runtime, principal: Principal, path: dict[str, str], fields: dict[str, str], form: bool) -> Any:
        try:
            doc = work(rt, principal, path, fields)
        except PerthError as exc:
            if form:
                return _error_page(rt, exc, status_of(exc))
            return _json(rt, {"error": f"perth: error: {exc.message}"}, status_of(exc))
        if form:
            return RedirectResponse(local_path(fields.get("next", "/")), status_code=303)
        return _json(rt, doc.to_json())

    async def endpoint(request: Any) -> Any:
        state = request.scope["state"]
        principal = state["principal"]
        try:
            fields, form = await _fields(request)
        except PerthError as exc:
            message = exc.message
            return await run_in_threadpool(_on_runtime, make_runtime, lambda rt: _json(
                rt, {"error": f"perth: error: {message}"}, 400))
        import hmac

        given = fields.get("csrf") or request.headers.get("x-csrf-token", "")
        if state["via"] == "cookie" and not hmac.compare_digest(given.encode(), state["csrf"].encode()):
            return await run_in_threadpool(_on_runtime, make_runtime, lambda rt: _json(
                rt, {"error": "perth: error: a missing or stale CSRF token — reload the page and try again"}, 403))
        refused = permitted(principal, permission)
        if refused:
            return await run_in_threadpool(_on_runtime, make_runtime, lambda rt: _json(
                rt, {"error": f"perth: error: {refused} — ask an admin for a token with that role"}, 403))
        path = dict(request.path_params)
        return await run_in_threadpool(_on_runtime, make_runtime, lambda rt: act(rt, principal, path, fields, form))

    return endpoint


def _error_page(rt: Runtime, exc: PerthError, status: int) -> Any:
    from starlette.responses import HTMLResponse

    from perth.views.document import Document, Note
    from perth.views.html import html_page

    html = html_page(Document("perth.error.v1", {}, title="Error", blocks=[Note(f"perth: error: {exc.message}")]))
    return HTMLResponse(str(rt.redact(html, "web")), status_code=status)


def _health(make_runtime: RuntimeFactory) -> list[Any]:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def ready() -> tuple[dict[str, Any], int]:
        try:
            _on_runtime(make_runtime, lambda rt: rt.whole_store.panes.count())
        except PerthError as exc:
            from perth.redact import SecretFilter

            return {"status": "unavailable", "error": str(SecretFilter().redact(exc.message, source="web"))}, 503
        return {"status": "ready"}, 200

    async def healthz(_request: Any) -> Any:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Any) -> Any:
        body, status = await run_in_threadpool(ready)
        return JSONResponse(body, status_code=status)

    return [Route("/healthz", healthz), Route("/readyz", readyz)]


def _metrics(make_runtime: RuntimeFactory) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from perth.web.metrics import scrape

    async def metrics(_request: Any) -> Any:
        text = await run_in_threadpool(_on_runtime, make_runtime, lambda rt: str(rt.redact(scrape(rt).decode(), "web")))
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    return metrics


def _viewer(request: Any) -> Viewer:
    from perth.web.pages import Viewer

    state = request.scope["state"]
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Viewer(principal=state["principal"], csrf=state["csrf"], path=path)


def _pages(make_runtime: RuntimeFactory, auth: Authenticator) -> list[Any]:
    import os

    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from perth.web.pages import PAGES, badge_svg, render, trend_svg

    def page_route(path: str, page: Any) -> Any:
        async def endpoint(request: Any) -> Any:
            query, params, viewer = dict(request.query_params), dict(request.path_params), _viewer(request)
            html, status = await run_in_threadpool(_on_runtime, make_runtime,
                                                   lambda rt: render(rt, page, query, params, viewer))
            return HTMLResponse(html, status_code=status)

        return Route(path, endpoint)

    def svg(work: Callable[[Runtime], str]) -> Any:
        async def endpoint(_request: Any) -> Any:
            try:
                body = await run_in_threadpool(_on_runtime, make_runtime, work)
            except PerthError as exc:
                return Response(exc.message, status_code=status_of(exc) if status_of(exc) != 500 else 503,
                                media_type="text/plain")
            return Response(body, media_type="image/svg+xml", headers={"content-security-policy": SVG_CSP})

        return endpoint

    async def badge(request: Any) -> Any:
        name = request.path_params["name"]
        return await svg(lambda rt: badge_svg(rt, name))(request)

    static = os.path.join(os.path.dirname(__file__), "static")
    return [*(page_route(path, page) for path, page in PAGES.items()), *_login(make_runtime, auth),
            Route("/shellperf/trend.svg", svg(trend_svg)), Route("/shellperf/badges/{name}.svg", badge),
            Mount("/static", StaticFiles(directory=static), name="static")]


def _login(make_runtime: RuntimeFactory, auth: Authenticator) -> list[Any]:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, RedirectResponse
    from starlette.routing import Route

    from perth.web.pages import login_page

    async def filtered(html: str, status: int = 200) -> Any:
        body = await run_in_threadpool(_on_runtime, make_runtime, lambda rt: str(rt.redact(html, "web")))
        return HTMLResponse(body, status_code=status)

    async def show(request: Any) -> Any:
        return await filtered(login_page(local_path(request.query_params.get("next", "/"))))

    async def sign_in(request: Any) -> Any:
        try:
            fields, _form = await _fields(request)
        except PerthError:
            fields = {}
        token = fields.get("token", "").strip()
        target = local_path(fields.get("next", "/"))
        principal = await run_in_threadpool(auth.principal, token) if token else None
        if principal is None:
            return await filtered(login_page(target, "That token was not accepted (unknown, revoked or expired)."),
                                  401)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return response

    async def sign_out(request: Any) -> Any:
        import hmac

        state = request.scope["state"]
        fields, _form = await _fields(request)
        if state["via"] == "cookie" and not hmac.compare_digest(fields.get("csrf", "").encode(),
                                                                state["csrf"].encode()):
            return HTMLResponse("a missing or stale CSRF token", status_code=403)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return [Route("/login", show, methods=["GET"]), Route("/login", sign_in, methods=["POST"]),
            Route("/logout", sign_out, methods=["POST"])]


class Traced:
    """ASGI middleware: one span per request (``GET /api/panes/{name}``), when OpenTelemetry is on.

    Attributes follow the HTTP semantic conventions: the method, the route's template (never the
    raw path, which may hold anything), the status code, and the user's name when signed in.
    """

    def __init__(self, app: Any, tracer: Callable[[], Any]) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        tracer = self.tracer() if scope["type"] == "http" else None
        if tracer is None:
            await self.app(scope, receive, send)
            return
        from opentelemetry.trace import SpanKind, Status, StatusCode

        status = [0]

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        span = tracer.start_span(f"{scope['method']} request", kind=SpanKind.SERVER,
                                 attributes={"http.request.method": scope["method"]})
        started = time.perf_counter()
        try:
            await self.app(scope, receive, watch)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            span.update_name(f"{scope['method']} {template}")
            span.set_attribute("http.route", template)
            span.set_attribute("http.response.status_code", status[0])
            span.set_attribute("perth.duration_ms", round((time.perf_counter() - started) * 1000, 3))
            principal = scope.get("state", {}).get("principal")
            if principal is not None:
                span.set_attribute("enduser.id", principal.name)
                span.set_attribute("enduser.role", principal.role)
            if status[0] >= 500:
                span.set_status(Status(StatusCode.ERROR))
            span.end()


def build_app(make_runtime: RuntimeFactory, token: str, *, reads_need_token: bool = False, owner: str = "",
              tracer: Callable[[], Any] | None = None) -> Any:
    """The ASGI application: the API, the dashboard, health checks, ``/metrics`` and ``/openapi.json``,
    behind the gate (``token`` is the owner's, acting as ``owner`` with the admin role)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from perth.web.metrics import Instrumented
    from perth.web.openapi import openapi

    async def schema(_request: Any) -> Any:
        return JSONResponse(openapi())

    if not owner:
        from perth.workflows.service import local_user

        owner = local_user()
    auth = Authenticator(make_runtime, token, owner)
    reads = [Route(path, _endpoint(make_runtime, work)) for path, work in ROUTES.items()]
    writes = [Route(path, _write(make_runtime, permission, work), methods=["POST"])
              for path, (permission, work) in api.WRITES.items()]
    app = Starlette(routes=[*reads, *writes, *_health(make_runtime), Route("/openapi.json", schema),
                            Route("/metrics", _metrics(make_runtime)), *_pages(make_runtime, auth)])
    gated = Gate(Instrumented(app), auth, reads_need_token=reads_need_token)
    return Traced(gated, tracer) if tracer is not None else gated


def request_tracer(settings: Any) -> Callable[[], Any]:
    """The tracer of each request: Perth's (``trace.exporter``), else an ambient OpenTelemetry one, else None."""
    def tracer() -> Any:
        from perth import tracing

        return tracing.tracer_for(settings)

    return tracer


__all__ = ["ROUTES", "build_app", "is_loopback", "request_tracer", "status_of"]
