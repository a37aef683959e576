"""The Starlette application of ``perth serve``: routes, bearer-token gate, security headers, secret filter."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from perth.errors import InvalidInputError, NotFoundError, PerthError
from perth.web import api

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime

RuntimeFactory = Callable[[], "Runtime"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
       " base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
ROUTES: dict[str, api.Endpoint] = {
    "/api/panes": api.panes,
    "/api/panes/{name}": api.pane,
    "/api/panes/{name}/timeline": api.timeline,
    "/api/journal": api.journal,
    "/api/snapshots": api.snapshots,
    "/api/shellperf": api.shellperf,
    "/api/jobs": api.jobs,
    "/api/events": api.events,
}
STATUS = {NotFoundError: 404, InvalidInputError: 400}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Gate:
    """ASGI middleware: security headers on every response; the bearer token where it is required.

    The token is required for every state-changing request, and for every request except the
    health checks when ``reads_need_token`` (the server is bound beyond loopback).
    """

    def __init__(self, app: Any, token: str, *, reads_need_token: bool) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.reads_need_token = reads_need_token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        if self.needs_token(scope) and not self.allowed(scope):
            body = json.dumps({"error": "a bearer token is required — send Authorization: Bearer <web.token>"
                               " (print it with `perth serve --print-token`)"}).encode()
            await send_secured({"type": "http.response.start", "status": 401, "headers": [
                (b"www-authenticate", b"Bearer"), (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode())]})
            await send_secured({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send_secured)

    def needs_token(self, scope: dict[str, Any]) -> bool:
        """Whether this request must carry the token."""
        if scope["method"] not in SAFE_METHODS:
            return True
        return self.reads_need_token and scope["path"] not in OPEN_PATHS

    def allowed(self, scope: dict[str, Any]) -> bool:
        """Whether the request carries the token (compared in constant time)."""
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        return len(given) == 1 and hmac.compare_digest(given[0], self.expected)


def _json(rt: Runtime, data: Any, status: int = 200) -> Any:
    """A JSON response whose every string went through the secret filter."""
    from starlette.responses import JSONResponse

    from perth.views.redaction import filter_strings

    return JSONResponse(filter_strings(rt, data, "web"), status_code=status)


def _endpoint(make_runtime: RuntimeFactory, work: api.Endpoint) -> Any:
    from starlette.concurrency import run_in_threadpool

    def answer(query: dict[str, str], path: dict[str, str]) -> Any:
        rt = make_runtime()
        try:
            result = work(rt, query, path)
            return _json(rt, result if isinstance(result, dict) else result.to_json())
        except PerthError as exc:
            status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
            return _json(rt, {"error": f"perth: error: {exc.message}"}, status)
        finally:
            rt.close()

    async def endpoint(request: Any) -> Any:
        return await run_in_threadpool(answer, dict(request.query_params), dict(request.path_params))

    return endpoint


def _health(make_runtime: RuntimeFactory) -> list[Any]:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def ready() -> tuple[dict[str, Any], int]:
        try:
            rt = make_runtime()
            try:
                rt.store.panes.count()
            finally:
                rt.close()
        except PerthError as exc:
            return {"status": "unavailable", "error": exc.message}, 503
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

    def text() -> str:
        rt = make_runtime()
        try:
            return str(rt.redact(scrape(rt).decode(), "web"))
        finally:
            rt.close()

    async def metrics(_request: Any) -> Any:
        return Response(await run_in_threadpool(text), media_type="text/plain; version=0.0.4; charset=utf-8")

    return metrics


def _pages(make_runtime: RuntimeFactory) -> list[Any]:
    import os

    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from perth.web.pages import PAGES, render, trend_svg

    def on_runtime(work: Callable[[Runtime], Any]) -> Any:
        rt = make_runtime()
        try:
            return work(rt)
        finally:
            rt.close()

    def page_route(path: str, page: Any) -> Any:
        async def endpoint(request: Any) -> Any:
            query, params = dict(request.query_params), dict(request.path_params)
            html, status = await run_in_threadpool(on_runtime, lambda rt: render(rt, page, query, params))
            return HTMLResponse(html, status_code=status)

        return Route(path, endpoint)

    async def trend(_request: Any) -> Any:
        try:
            svg = await run_in_threadpool(on_runtime, trend_svg)
        except PerthError as exc:
            return Response(exc.message, status_code=503, media_type="text/plain")
        return Response(svg, media_type="image/svg+xml")

    static = os.path.join(os.path.dirname(__file__), "static")
    return [*(page_route(path, page) for path, page in PAGES.items()), Route("/shellperf/trend.svg", trend),
            Mount("/static", StaticFiles(directory=static), name="static")]


def build_app(make_runtime: RuntimeFactory, token: str, *, reads_need_token: bool = False) -> Any:
    """The ASGI application: the JSON API, health checks and ``/openapi.json``, behind the gate."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from perth.web.openapi import openapi

    async def schema(_request: Any) -> Any:
        return JSONResponse(openapi())

    routes = [Route(path, _endpoint(make_runtime, work)) for path, work in ROUTES.items()]
    app = Starlette(routes=[*routes, *_health(make_runtime), Route("/openapi.json", schema),
                            Route("/metrics", _metrics(make_runtime)), *_pages(make_runtime)])
    return Gate(app, token, reads_need_token=reads_need_token)
