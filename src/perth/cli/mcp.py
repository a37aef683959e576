"""``perth mcp``: serve Perth to AI agents over the Model Context Protocol (stdio, or --http)."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.runtime import Runtime


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth mcp``."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Standard input/output by default (register `perth mcp` as the command in the client);"
        " --http serves streamable HTTP on mcp.host:mcp.port at /mcp with a bearer token (mcp.token,"
        " generated into the config file on first use)."))
    parser.add_argument("--http", action="store_true", help="Serve streamable HTTP instead of stdio.")
    parser.add_argument("--host", help="Address to bind (default mcp.host, 127.0.0.1).")
    parser.add_argument("--port", type=int, help="Port (default mcp.port, 8765; 0 picks a free one).")
    parser.add_argument("--print-token", action="store_true",
                        help="Print the HTTP bearer token (generating it if needed) and exit.")
    parser.set_defaults(handler=run)


def _factory(base: Runtime) -> Any:
    """A runtime per request or tool call for a long-running server, which keeps its store connections."""
    from perth.runtime import Runtime
    from perth.store import keep_connections

    keep_connections(base.settings)
    return lambda: Runtime(settings=base.settings, environ=base.environ, cwd=base.cwd)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Serve until the client disconnects (stdio) or the process is interrupted (HTTP)."""
    from perth.mcp.auth import ensure_token
    from perth.mcp.server import require_sdk, run_http, run_stdio

    rt = ctx.runtime()
    page_size = rt.settings.get_int("mcp.page_size")
    if args.print_token:
        print(ensure_token(rt)[0])
        return 0
    require_sdk()
    if not args.http:
        run_stdio(_factory(rt), page_size)
        return 0
    token, created = ensure_token(rt)
    if created:
        print(f"perth: generated the MCP bearer token into {rt.settings.paths.config_file} (mcp.token);"
              " show it with `perth mcp --print-token`", file=sys.stderr)
    host = args.host or str(rt.settings.get("mcp.host"))
    port = args.port if args.port is not None else rt.settings.get_int("mcp.port")
    from perth.listen import bind, url

    sock = bind(host, port)
    print(f"perth: MCP over streamable HTTP at {url(sock, '/mcp')}", file=sys.stderr, flush=True)
    run_http(_factory(rt), page_size, sock=sock, host=host, token=token)
    return 0
