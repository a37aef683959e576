"""Redis Streams (redis-py): ``XADD <stream> MAXLEN ~ <n>`` per event, a batch in one pipeline.

Each entry has the fields ``id`` (the event id), ``type`` and ``body`` (the envelope).  Redis
answers every command of the pipeline: an error reply refuses that event, a lost connection or a
timeout fails the batch (sent again: consumers de-duplicate by ``id``).
"""

from __future__ import annotations

from perth.errors import TransientError
from perth.events.transports.port import EventRejectedError, missing_extra

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.config import Settings
    from perth.events.records import StoredEvent


def _redis() -> Any:
    try:
        import redis
    except ImportError as exc:
        raise missing_extra("redis", "redis") from exc
    return redis


def _client(url: str, timeout_s: float) -> Any:
    return _redis().Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)


class RedisTransport:
    """Appends events to one stream, trimmed to about ``maxlen`` entries."""

    def __init__(self, url: str, stream: str, *, maxlen: int = 100_000, timeout_s: float = 10.0) -> None:
        self.url, self.stream, self.maxlen, self.timeout_s = url, stream, maxlen, timeout_s
        _redis()  # fail now, with the pip command, when the extra is missing
        self._client: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisTransport:
        return cls(str(settings.get("events.redis_url")), str(settings.get("events.redis_stream")),
                   maxlen=settings.get_int("events.redis_maxlen"),
                   timeout_s=float(settings.get_int("events.timeout_s")))

    @property
    def name(self) -> str:
        return "redis"

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        redis = _redis()
        if self._client is None:
            self._client = _client(self.url, self.timeout_s)
        pipe = self._client.pipeline(transaction=False)
        for e in events:
            pipe.xadd(self.stream, {"id": e.id, "type": e.type, "body": e.body}, maxlen=self.maxlen, approximate=True)
        try:
            results = pipe.execute(raise_on_error=False)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self.close()
            raise TransientError(f"Redis at {self._where()} is unreachable: {exc}",
                                 "check the server; events wait in the outbox") from exc
        for index, result in enumerate(results):
            if isinstance(result, Exception):
                raise EventRejectedError(index, f"Redis refused event {events[index].id}: {result}")

    def _where(self) -> str:
        return self.url.split("@", 1)[-1].split("://", 1)[-1]

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


class RedisConsumer:
    """Reads the stream from its start (``perth events consume``, tests)."""

    def __init__(self, url: str, stream: str, *, timeout_s: float = 10.0, start: str = "0") -> None:
        self.stream = stream
        self.last = start
        self._client = _client(url, timeout_s + 5)

    def open(self) -> RedisConsumer:
        self._client.ping()
        return self

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        reply = self._client.xread({self.stream: self.last}, count=1000, block=max(1, int(wait_s * 1000)))
        got: list[bytes] = []
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                self.last = entry_id
                got.append(bytes(fields[b"body"]))
        return got

    def close(self) -> None:
        self._client.close()
