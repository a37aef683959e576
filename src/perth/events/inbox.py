"""A thread-safe inbox: a consumer's callback thread puts bodies in, ``receive`` takes them out."""

from __future__ import annotations

import threading


class Inbox:
    """Bodies delivered by another thread, taken in arrival order."""

    def __init__(self) -> None:
        self._got: list[bytes] = []
        self._arrived = threading.Condition()

    def put(self, body: bytes) -> None:
        with self._arrived:
            self._got.append(body)
            self._arrived.notify_all()

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        """Every body waiting now (waiting up to ``wait_s`` for the first one)."""
        with self._arrived:
            if not self._got:
                self._arrived.wait(wait_s)
            got, self._got = self._got, []
        return got
