"""Signed webhooks: one HTTP POST per event, the envelope as the body (structured mode).

Signed with :mod:`perth.events.signing` (``events.webhook_secret``, required).  Answers: 2xx
delivered; 408, 429 and 5xx (and any connection error or timeout) fail the batch and are tried
again later; any other status refuses the event (after ``events.max_attempts`` refusals it is
dead-lettered).  Receivers de-duplicate by ``Perth-Event-Id``.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse

from perth.errors import ConfigError, TransientError
from perth.events import signing
from perth.events.transports.port import EventRejectedError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from perth.config import Settings
    from perth.events.records import StoredEvent

RETRIED = frozenset({408, 425, 429})


class WebhookTransport:
    """POSTs each event to one URL with an HMAC-SHA256 signature and a timestamp."""

    def __init__(self, url: str, secret: str, *, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"events.webhook_url must be an http(s) address (got {url!r})",
                              "perth config set events.webhook_url https://example.com/hooks/perth")
        if not secret:
            raise ConfigError("the webhook transport needs events.webhook_secret to sign requests",
                              "perth config set events.webhook_secret <a long random string>")
        self.parts, self.secret, self.timeout_s, self.clock = parts, secret, timeout_s, clock
        self._connection: http.client.HTTPConnection | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookTransport:
        return cls(str(settings.get("events.webhook_url")), str(settings.get("events.webhook_secret")),
                   timeout_s=float(settings.get_int("events.timeout_s")))

    @property
    def name(self) -> str:
        return "webhook"

    def _open(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self.parts.scheme == "https" else http.client.HTTPConnection
            self._connection = kind(self.parts.hostname or "", self.parts.port, timeout=self.timeout_s)
        return self._connection

    def _post(self, event: StoredEvent) -> int:
        body = event.body.encode()
        path = self.parts.path or "/"
        if self.parts.query:
            path += "?" + self.parts.query
        connection = self._open()
        connection.request("POST", path, body, signing.headers(self.secret, int(self.clock()), event.id, body))
        response = connection.getresponse()
        response.read()
        return response.status

    def publish(self, events: Sequence[StoredEvent]) -> None:
        for index, event in enumerate(events):
            try:
                status = self._post(event)
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise TransientError(f"webhook {self.parts.netloc} is unreachable: {exc!r}",
                                     "check the receiver; events wait in the outbox") from exc
            if 200 <= status < 300:
                continue
            if status >= 500 or status in RETRIED:
                raise TransientError(f"webhook {self.parts.netloc} answered HTTP {status}", "it is tried again later")
            raise EventRejectedError(index, f"webhook {self.parts.netloc} refused event {event.id}: HTTP {status}")

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
