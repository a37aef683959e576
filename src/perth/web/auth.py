"""Who is asking: bearer tokens and the sign-in cookie, the gate in front of every route, CSRF tokens.

A request names a credential in ``Authorization: Bearer <token>`` (API clients) or in the
``perth_session`` cookie (the dashboard, set by ``POST /login``: HttpOnly, SameSite=Strict). The
credential is a user's token (:mod:`perth.identity`) or the owner's ``web.token`` (the local user,
role admin). The gate requires one for every state-changing request and, bound beyond loopback,
for every request but the health checks and the sign-in page; the write endpoints check the role.

A form sent with the cookie must carry the CSRF token of that cookie (an HMAC of it under a key
made at start-up); a cross-site ``Origin`` is refused outright.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.identity.model import Principal
    from perth.runtime import Runtime

COOKIE = "perth_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/login", "/static/perth.css", "/static/favicon.svg"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
       " base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store")]
#: The policy of the SVG images (chart, badges): their own inline styles, nothing else.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
REFUSAL = ("a bearer token is required — send Authorization: Bearer <token> (`perth token create USER`,"
           " or the owner's `perth serve --print-token`), or sign in at /login")


class Authenticator:
    """Turns a credential into a principal: the owner's token, or a user's token read from the store."""

    def __init__(self, make_runtime: Callable[[], Runtime], owner_token: str, owner: str) -> None:
        self.make_runtime = make_runtime
        self.owner_token = owner_token
        self.owner = owner
        self.csrf_key = secrets.token_bytes(32)

    def principal(self, credential: str) -> Principal | None:
        """Who the credential stands for (None: nobody)."""
        from perth.identity.model import TOKEN_PREFIX, Principal

        if self.owner_token and hmac.compare_digest(credential.encode(), self.owner_token.encode()):
            return Principal(name=self.owner, role="admin")
        if not credential.startswith(TOKEN_PREFIX):
            return None
        from perth.identity.service import authenticate

        rt = self.make_runtime()
        try:
            return authenticate(rt, credential)
        finally:
            rt.close()

    def csrf(self, credential: str) -> str:
        """The CSRF token forms carry when signed in with ``credential``."""
        return hmac.new(self.csrf_key, credential.encode(), hashlib.sha256).hexdigest()[:40]


def _headers(scope: dict[str, Any], name: bytes) -> list[bytes]:
    return [value for key, value in scope.get("headers", []) if key.lower() == name]


def credential(scope: dict[str, Any]) -> tuple[str, str]:
    """``(credential, "header" | "cookie" | "")`` of a request."""
    given = _headers(scope, b"authorization")
    if given:
        scheme, _, value = given[0].decode("latin-1").partition(" ")
        return (value.strip(), "header") if scheme.lower() == "bearer" and len(given) == 1 else ("", "")
    for header in _headers(scope, b"cookie"):
        for part in header.decode("latin-1").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and value:
                return value, "cookie"
    return "", ""


def same_origin(scope: dict[str, Any]) -> bool:
    """False when the request says it comes from another site (``Origin`` that is not this host)."""
    origin = _headers(scope, b"origin")
    if not origin:
        return True
    host = _headers(scope, b"host")
    value = origin[0].decode("latin-1")
    return bool(host) and value.split("://", 1)[-1] == host[0].decode("latin-1")


class Gate:
    """ASGI middleware: security headers on every response, the principal in ``scope["state"]``, refusals."""

    def __init__(self, app: Any, auth: Authenticator, *, reads_need_token: bool) -> None:
        self.app = app
        self.auth = auth
        self.reads_need_token = reads_need_token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                own = {name.lower() for name, _value in given}  # an SVG image sets its own policy
                message = {**message, "headers": [*given, *(h for h in SECURITY_HEADERS if h[0] not in own)]}
            await send(message)

        token, via = credential(scope)
        principal = await run_in_threadpool(self.auth.principal, token) if token else None
        state = scope.setdefault("state", {})
        state.update(principal=principal, via=via if principal else "",
                     csrf=self.auth.csrf(token) if principal else "")
        if scope["method"] not in SAFE_METHODS and not same_origin(scope):
            await _refuse(send_secured, 403, "a cross-site request — send it from the dashboard's own pages")
            return
        if principal is None and self.needs_token(scope):
            if scope["method"] == "GET" and any(b"text/html" in v for v in _headers(scope, b"accept")):
                await _redirect(send_secured, "/login?next=" + _quote(scope["path"]))
                return
            await _refuse(send_secured, 401, REFUSAL, [(b"www-authenticate", b"Bearer")])
            return
        from perth.runtime import ACTING

        acting = ACTING.set(principal)  # a runtime made while serving this request acts for its user
        try:
            await self.app(scope, receive, send_secured)
        finally:
            ACTING.reset(acting)

    def needs_token(self, scope: dict[str, Any]) -> bool:
        """Whether this request must carry a valid credential."""
        if scope["method"] not in SAFE_METHODS:
            return bool(scope["path"] != "/login")
        return self.reads_need_token and bool(scope["path"] not in OPEN_PATHS)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


async def _refuse(send: Any, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": f"perth: error: {message}"}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        *(headers or []), (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Any, location: str) -> None:
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", location.encode()), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def local_path(target: str, default: str = "/") -> str:
    """``target`` when it is a path on this site (never another host), else ``default``."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return default


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return bool(ipaddress.ip_address(host).is_loopback)
    except ValueError:
        return False
