"""The listening socket of Perth's HTTP servers (``perth serve``, ``perth mcp --http``).

The socket is bound before the server starts, so the address printed is the one really served
(``--port 0`` picks a free port and the message names it) and a port already in use is one clear
error instead of a traceback from the server library.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Literal

from perth.errors import UnavailableError

if TYPE_CHECKING:
    from typing import Any


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (IPv6 when ``host`` has a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise UnavailableError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                               "choose another address with --host/--port (--port 0 picks a free one)") from exc
    return sock


def url(sock: socket.socket, path: str = "/") -> str:
    """``http://host:port/path`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}{path}" if ":" in host else f"http://{host}:{port}{path}"


def serve(app: Any, sock: socket.socket, *, lifespan: Literal["on", "off"]) -> None:
    """Run ``app`` with uvicorn on the bound ``sock`` until interrupted."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan)
    uvicorn.Server(config).run(sockets=[sock])
