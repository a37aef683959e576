"""Driving ``perth mcp`` with the official SDK's own client, over stdio or streamable HTTP."""

from __future__ import annotations

import json
import os
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


def start_perth(env: dict[str, str], port: int, *args: str) -> subprocess.Popen[str]:
    """``perth ARGS --port PORT`` (a server), once it accepts connections."""
    server = subprocess.Popen([sys.executable, "-m", "perth", *args, "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"perth {' '.join(args)} exited: {server.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"perth {' '.join(args)} did not start listening")


def start_http(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    """``perth mcp --http`` on ``port``, once it accepts connections."""
    return start_perth(env, port, "mcp", "--http")


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
