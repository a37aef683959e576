"""A socketserver served from a daemon thread for the length of a ``with`` block (test servers
on 127.0.0.1)."""

from __future__ import annotations

import socketserver
import threading
from typing import Self


class BackgroundServer:
    """Serves ``server`` while the ``with`` block runs; stops and closes it at the end."""

    def __init__(self, server: socketserver.BaseServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The port listened on."""
        address = self._server.server_address
        assert isinstance(address, tuple)
        return int(address[1])
