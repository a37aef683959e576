"""Consuming events: de-duplication by id, and a signed-webhook receiver.

Delivery is at least once, so a consumer may see an event twice (a batch re-sent after a lost
confirm, a replay).  :class:`Deduplicator` remembers the last ``capacity`` ids and lets each id
through once.  :class:`WebhookReceiver` is a small HTTP server that checks signatures and the
replay window (``perth events consume --transport webhook``, tests).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from perth.events import signing
from perth.events.inbox import Inbox

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Consumer(Protocol):
    """Reads what a transport delivers: every broker's consumer and the webhook receiver."""

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        """The bodies that arrived (waiting up to ``wait_s`` for the first one)."""

    def close(self) -> None:
        """Stop receiving."""


class Deduplicator:
    """Lets each event id through once (among the last ``capacity`` ids seen)."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.duplicates = 0

    def accept(self, body: bytes | str) -> dict[str, Any] | None:
        """The parsed envelope the first time its id is seen, else None."""
        event: dict[str, Any] = json.loads(body)
        event_id = str(event["id"])
        if event_id in self._seen:
            self.duplicates += 1
            self._seen.move_to_end(event_id)
            return None
        self._seen[event_id] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return event


class WebhookReceiver:
    """Accepts signed POSTs on ``host:port``: 204 for a valid one, 401 for a bad signature or timestamp."""

    def __init__(self, secret: str, host: str = "127.0.0.1", port: int = 0, *, tolerance_s: int = 300,
                 status: int = 204) -> None:
        self.secret, self.tolerance_s, self.status = secret, tolerance_s, status
        self.refused: list[str] = []
        self._inbox = Inbox()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def open(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                problem = signing.verify(receiver.secret, self.headers.get("Perth-Timestamp"),
                                         self.headers.get("Perth-Signature"), body, now_s=int(time.time()),
                                         tolerance_s=receiver.tolerance_s)
                status = 401 if problem else receiver.status
                if problem:
                    receiver.refused.append(problem)
                elif 200 <= status < 300:
                    receiver.deliver(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler

    def deliver(self, body: bytes) -> None:
        self._inbox.put(body)

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        return self._inbox.receive(wait_s)

    def close(self) -> None:
        if self._thread.is_alive():
            self.server.shutdown()  # waits for serve_forever: only when it runs
        self.server.server_close()
