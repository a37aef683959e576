"""``perth mcp``: Perth as a Model Context Protocol server for AI agents (C11), on the official SDK.

An interface like :mod:`perth.cli`: the tools in :mod:`perth.mcp.tools` call the same functions the CLI
does; :mod:`perth.mcp.server` builds the server and runs it over stdio or streamable HTTP (bearer
token, :mod:`perth.mcp.auth`).  Needs the ``[mcp]`` extra.
"""
