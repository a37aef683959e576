"""Bearer-token gate of ``perth mcp --http``: a wrong or missing token gets 401 and nothing else."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.identity.model import Principal
    from perth.runtime import Runtime

TOKEN_KEY = "mcp.token"  # noqa: S105 - the config key's name, not a password


def ensure_token(rt: Runtime, key: str = TOKEN_KEY) -> tuple[str, bool]:
    """The token at ``key``, or a new one written to the config file (0600): ``(token, created)``."""
    from perth.config import set_value

    current = str(rt.settings.get(key))
    if current:
        return current, False
    token = secrets.token_urlsafe(32)
    set_value(rt.settings.paths.config_file, key, token)
    return token, True


class BearerGate:
    """ASGI middleware: HTTP requests pass only with ``Authorization: Bearer <token>``: the owner's
    token, or (with ``user_may_read``) a user's token whose role may read (:mod:`perth.identity`)."""

    def __init__(self, app: Any, token: str, user_may_read: Callable[[str], Principal | None] | None = None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.user_may_read = user_may_read

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        principal = await self.user_allowed(scope)
        if principal is None:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"www-authenticate", b"Bearer"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        from perth.runtime import ACTING

        acting = ACTING.set(principal)  # the tools called by this request act for its user
        try:
            await self.app(scope, receive, send)
        finally:
            ACTING.reset(acting)

    async def user_allowed(self, scope: dict[str, Any]) -> Principal | None:
        """The user whose token the request carries, when it is live and may read (checked off the loop)."""
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        if self.user_may_read is None or len(given) != 1 or not given[0].startswith(b"Bearer perth_"):
            return None
        import anyio.to_thread

        check = self.user_may_read
        return await anyio.to_thread.run_sync(lambda: check(given[0][7:].decode("latin-1")))

    def allowed(self, scope: dict[str, Any]) -> bool:
        """Whether the request carries the token (compared in constant time)."""
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        return len(given) == 1 and hmac.compare_digest(given[0], self.expected)


def user_may_read(make_runtime: Callable[[], Runtime]) -> Callable[[str], Principal | None]:
    """The user of a token (``perth token create``) when it is live and its role may read."""
    def check(token: str) -> Principal | None:
        from perth.identity.service import authenticate

        rt = make_runtime()
        try:
            principal = authenticate(rt, token)
        finally:
            rt.close()
        return principal if principal is not None and principal.may("read") else None

    return check
