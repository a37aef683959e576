"""A small HTTP proxy on 127.0.0.1 for tests: CONNECT tunnels and absolute-form requests, every
host name mapped to 127.0.0.1; it records what it was asked and can demand credentials or refuse."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from typing import NamedTuple

from tests.background_server import BackgroundServer


class ProxyRequest(NamedTuple):
    """What a client asked the proxy: method, target (authority or absolute URL), headers."""

    method: str
    target: str
    headers: dict[str, str]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1").rstrip("\r\n")
        headers: dict[str, str] = {}
        while (header := self.rfile.readline(8192).decode("latin-1").rstrip("\r\n")):
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, target, _version = line.split(" ", 2)
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(ProxyRequest(method, target, headers))
        if owner.credentials is not None and headers.get("proxy-authorization") != owner.credentials:
            self.wfile.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            return
        if owner.refuse is not None:
            self.wfile.write(b"HTTP/1.1 %d Refused\r\nContent-Length: 0\r\n\r\n" % owner.refuse)
            return
        if method == "CONNECT":
            port = int(target.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=10) as upstream:
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _relay(self.connection, upstream)
            return
        self._forward(method, target, headers)

    def _forward(self, method: str, url: str, headers: dict[str, str]) -> None:
        rest = url.removeprefix("http://")
        authority, _, path = rest.partition("/")
        port = int(authority.rsplit(":", 1)[1]) if ":" in authority else 80
        body = self.rfile.read(int(headers.get("content-length", "0")))
        kept = "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k != "proxy-authorization")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as upstream:
            upstream.sendall(f"{method} /{path} HTTP/1.1\r\n{kept}Connection: close\r\n\r\n".encode("latin-1") + body)
            while chunk := upstream.recv(65536):
                self.wfile.write(chunk)


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join(timeout=10)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: TestProxy


class TestProxy(BackgroundServer):
    """``with TestProxy() as proxy:`` then ``https_proxy=proxy.url``; ``credentials`` is the
    Proxy-Authorization value demanded (else 407); ``refuse`` a status to answer every request."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, *, credentials: str | None = None, refuse: int | None = None) -> None:
        self.credentials = credentials
        self.refuse = refuse
        self.lock = threading.Lock()
        self.requests: list[ProxyRequest] = []
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        super().__init__(server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
