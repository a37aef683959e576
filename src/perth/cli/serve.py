"""``perth serve``: the HTTP API (and health checks) on web.host:web.port."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

INSTALL = "pip install 'perth[web]'"


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth serve``."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Binds 127.0.0.1 by default; bound to any other address every request but /healthz, /readyz and"
        " /login needs a token (`Authorization: Bearer <token>`, or the cookie /login sets), and"
        " state-changing requests always do, from a user whose role allows them (`perth user`,"
        " `perth token`). The owner's token (web.token, the local user as admin) is generated into the"
        " config file on first use."))
    parser.add_argument("--host", help="Address to bind (default web.host, 127.0.0.1).")
    parser.add_argument("--port", type=int, help="Port (default web.port, 8766; 0 picks a free one).")
    parser.add_argument("--print-token", action="store_true",
                        help="Print the bearer token (generating it if needed) and exit.")
    parser.set_defaults(handler=run)


def require_web() -> None:
    """A clean error when the ``[web]`` extra is missing."""
    from perth.errors import UnavailableError

    try:
        import prometheus_client  # noqa: F401
        import starlette  # noqa: F401 - only checking that it imports
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UnavailableError("perth serve needs Starlette, uvicorn and prometheus-client (the [web] extra)",
                               INSTALL) from exc


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Serve until interrupted."""
    from perth.cli.mcp import _factory
    from perth.mcp.auth import ensure_token

    rt = ctx.runtime()
    token, created = ensure_token(rt, "web.token")
    if args.print_token:
        print(token)
        return 0
    require_web()
    from perth.listen import bind, serve, url
    from perth.web.app import build_app, is_loopback, request_tracer

    if created:
        print(f"perth: generated the web bearer token into {rt.settings.paths.config_file} (web.token);"
              " show it with `perth serve --print-token`", file=sys.stderr)
    host = args.host or str(rt.settings.get("web.host"))
    port = args.port if args.port is not None else rt.settings.get_int("web.port")
    private = not is_loopback(host) or rt.settings.store.multi_user  # a multi-user store: every read signed
    app = build_app(_factory(rt), token, reads_need_token=private, tracer=request_tracer(rt.settings))
    sock = bind(host, port)
    print(f"perth: serving {url(sock)} (API under /api, schema at /openapi.json)", file=sys.stderr, flush=True)
    serve(app, sock, lifespan="off")
    return 0
