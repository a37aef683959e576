"""Bearer-token gate of ``perth mcp --http``: a wrong or missing token gets 401 and nothing else."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
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

    def __init__(self, app: Any, token: str, user_may_read: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.user_may_read = user_may_read

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not self.allowed(scope) and not await self.user_allowed(scope):
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"www-authenticate", b"Bearer"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)

    async def user_allowed(self, scope: dict[str, Any]) -> bool:
        """Whether the request carries a user's token that may read (checked in the store, off the loop)."""
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        if self.user_may_read is None or len(given) != 1 or not given[0].startswith(b"Bearer perth_"):
            return False
        import anyio.to_thread

        check = self.user_may_read
        return bool(await anyio.to_thread.run_sync(lambda: check(given[0][7:].decode("latin-1"))))

    def allowed(self, scope: dict[str, Any]) -> bool:
        """Whether the request carries the token (compared in constant time)."""
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        return len(given) == 1 and hmac.compare_digest(given[0], self.expected)


def user_may_read(make_runtime: Callable[[], Runtime]) -> Callable[[str], bool]:
    """Whether a user's token (``perth token create``) is live and its role may read."""
    def check(token: str) -> bool:
        from perth.identity.service import authenticate

        rt = make_runtime()
        try:
            principal = authenticate(rt, token)
        finally:
            rt.close()
        return principal is not None and principal.may("read")

    return check
