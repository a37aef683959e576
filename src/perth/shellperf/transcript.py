"""What the terminal showed, as text, with the time each piece arrived.

Every chunk read from the pseudo-terminal is timestamped; its readable text (escapes stripped)
is appended to :attr:`Transcript.text` and the chunk's time is remembered for the text's new end.
A token found in the text is dated by the chunk that completed it — the moment it was on screen.
"""

from __future__ import annotations

import bisect

from perth.shellperf.escapes import EscapeStripper


class Transcript:
    """Readable screen text plus the arrival time (ns, monotonic) of every part of it."""

    def __init__(self) -> None:
        self._stripper = EscapeStripper()
        self._parts: list[str] = []
        self._length = 0
        self._ends: list[int] = []
        self._times: list[int] = []
        self._text_cache: str | None = ""

    @property
    def text(self) -> str:
        """Everything readable so far."""
        if self._text_cache is None:
            self._text_cache = "".join(self._parts)
        return self._text_cache

    def __len__(self) -> int:
        return self._length

    def add(self, data: bytes, at_ns: int) -> None:
        """Append one chunk read at ``at_ns``."""
        readable = self._stripper.feed(data)
        if not readable:
            return
        self._parts.append(readable)
        self._length += len(readable)
        self._ends.append(self._length)
        self._times.append(at_ns)
        self._text_cache = None

    def find(self, token: str, start: int = 0) -> int | None:
        """Offset just past the first ``token`` that ends after ``start``, else ``None``."""
        index = self.text.find(token, max(0, start))
        return None if index < 0 else index + len(token)

    def time_at(self, offset: int) -> int:
        """When the text up to ``offset`` was complete (the arrival of its last chunk)."""
        position = bisect.bisect_left(self._ends, offset)
        return self._times[min(position, len(self._times) - 1)]

    def tail(self, characters: int = 200) -> str:
        """The last characters shown, for error messages (callers redact it)."""
        return self.text[-characters:]
