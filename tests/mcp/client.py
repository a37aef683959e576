"""Driving ``perth mcp`` with the official SDK's own client, over stdio or streamable HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import httpx2
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from mcp import Client


def perth_env(home: Path | str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ"))}
    return {**clean, "PERTH_HOME": str(home)}


@asynccontextmanager
async def stdio_client(env: dict[str, str], errlog: TextIO = sys.stderr) -> AsyncIterator[Client]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "perth", "mcp"], env=env)
    async with Client(params, read_timeout_seconds=60) as client:
        yield client


@asynccontextmanager
async def http_client(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http, \
            Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_perth(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], int]:
    """``perth ARGS --port 0`` (a server) and the port it reports, once it accepts connections there.

    The server picks its own free port and prints it, so no other process can take the port between
    choosing it and listening on it (which a port picked by the test and passed in would allow)."""
    server = subprocess.Popen([sys.executable, "-m", "perth", *args, "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    deadline = time.monotonic() + 30
    port = 0
    while not port and time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line and server.poll() is not None:
            raise AssertionError(f"perth {' '.join(args)} exited: {server.communicate()}")
        found = re.search(r"http://[^ /]+:(\d+)/", line)
        port = int(found.group(1)) if found else 0
    while port and time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"perth {' '.join(args)} did not start listening")


def start_http(env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """``perth mcp --http`` on a free port, once it accepts connections: the process and its port."""
    return start_perth(env, "mcp", "--http")


def stop(server: subprocess.Popen[str]) -> tuple[str, str]:
    server.terminate()
    try:
        return server.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.communicate()


def result_json(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content or json.loads(result.content[0].text)
    return data


def texts(result: Any) -> str:
    """Everything a tool result carries, as text (for the secret checks)."""
    parts = [getattr(block, "text", "") for block in result.content]
    if result.structured_content is not None:
        parts.append(json.dumps(result.structured_content))
    return "\n".join(parts)
