"""Building Perth's MCP server on the official SDK and running it over stdio or streamable HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perth.errors import UnavailableError
from perth.mcp.tools import RuntimeFactory, Tools

if TYPE_CHECKING:
    import socket

INSTRUCTIONS = ("Perth remembers a developer's work: intents logged per pane, shell commands, work sessions, "
                "workspace snapshots and the symbols of registered repositories. Search it with search_memory, "
                "log what you do with log_intent, ask pane_status, pane_context, journal or handoff before "
                "resuming work, and the code_* tools about a repository's code.")
TOOL_NAMES = ("log_intent", "search_memory", "list_panes", "pane_status", "pane_context", "journal", "handoff",
              "shellperf_summary", "code_find", "code_context", "code_calls", "code_impact", "code_map",
              "code_list_repos", "code_add_repo", "code_reindex")
INSTALL = "pip install 'perth[mcp]'"


def require_sdk() -> None:
    """A clean error when the ``[mcp]`` extra is missing."""
    try:
        import mcp.server.mcpserver  # noqa: F401 - only checking that it imports
    except ImportError as exc:
        raise UnavailableError("the MCP server needs the official MCP SDK (the [mcp] extra)", INSTALL) from exc


def build_server(make_runtime: RuntimeFactory, page_size: int = 20) -> Any:
    """The MCP server with every tool and resource registered."""
    require_sdk()
    from mcp.server.mcpserver import MCPServer

    from perth import __version__

    tools = Tools(make_runtime, page_size)
    server = MCPServer(name="perth", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")
    for name in TOOL_NAMES:
        server.tool(name=name)(getattr(tools, name))
    server.resource("perth://panes", name="panes", mime_type="application/json",
                    description="Every pane, most recently seen first.")(tools.panes_resource)
    server.resource("perth://panes/{name}", name="pane", mime_type="application/json",
                    description="A pane and its recent intent entries.")(tools.pane_resource)
    server.resource("perth://journal/{name}", name="journal", mime_type="text/markdown",
                    description="The last work sessions of a pane (all: every pane).")(tools.journal_resource)
    return server


def run_stdio(make_runtime: RuntimeFactory, page_size: int) -> None:
    """Serve over standard input and output until the client closes them."""
    import anyio

    anyio.run(build_server(make_runtime, page_size).run_stdio_async)


def run_http(make_runtime: RuntimeFactory, page_size: int, *, sock: socket.socket, host: str, token: str) -> None:
    """Serve streamable HTTP at ``/mcp`` on the bound ``sock``; every request needs ``Authorization: Bearer <token>``
    (the owner's ``mcp.token``, or a user's token from ``perth token create``)."""
    from perth.listen import serve
    from perth.mcp.auth import BearerGate, user_may_read

    server = build_server(make_runtime, page_size)
    app = BearerGate(server.streamable_http_app(host=host), token, user_may_read(make_runtime))
    serve(app, sock, lifespan="on")
