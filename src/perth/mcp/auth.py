"""Bearer-token gate of ``perth mcp --http``: a wrong or missing token gets 401 and nothing else."""

from __future__ import annotations

import hmac
import secrets
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
    """ASGI middleware: HTTP requests pass only with ``Authorization: Bearer <token>``."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not self.allowed(scope):
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"www-authenticate", b"Bearer"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)

    def allowed(self, scope: dict[str, Any]) -> bool:
        """Whether the request carries the token (compared in constant time)."""
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        return len(given) == 1 and hmac.compare_digest(given[0], self.expected)
