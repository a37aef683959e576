"""A job's output: redacted, the tail kept in memory (bounded), all of it in a private file.

Bytes arrive in any pieces; they are decoded, cut at line ends (a line longer than
:data:`MAX_LINE` is cut there), passed through the secret filter a block at a time, appended
to the output file (mode 0600) and to a tail of at most ``limit`` characters.  Memory stays
bounded whatever the output's size.
"""

from __future__ import annotations

import codecs
import os
from collections import deque

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

    from perth.redact import SecretFilter

#: The longest piece passed to the filter at once; a longer line is cut.
MAX_LINE = 64 * 1024
TRUNCATION_MARK = "[... output truncated: the full output is in the job's output file ...]\n"


class OutputSink:
    """Collects one attempt's output; :meth:`close` flushes and returns the stored tail."""

    def __init__(self, path: str | None, limit: int, secrets: SecretFilter) -> None:
        self.path = path
        self.limit = limit
        self.secrets = secrets
        self.bytes = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._tail: deque[str] = deque()
        self._tail_chars = 0
        self._dropped = False
        self._file: BinaryIO | None = None
        if path is not None:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._file = os.fdopen(fd, "ab")

    def write(self, data: bytes) -> None:
        """Add raw output."""
        self.bytes += len(data)
        self._add(self._decoder.decode(data))

    def text(self, text: str) -> None:
        """Add output that is already text."""
        self.bytes += len(text.encode())
        self._add(text)

    def _add(self, text: str) -> None:
        pending = self._pending + text
        cut = pending.rfind("\n") + 1
        while len(pending) - cut > MAX_LINE:
            cut += MAX_LINE
        if cut:
            self._emit(pending[:cut])
        self._pending = pending[cut:]

    def _emit(self, block: str) -> None:
        for start in range(0, len(block), MAX_LINE * 4):
            safe = str(self.secrets.redact_block(block[start:start + MAX_LINE * 4], source="ops"))
            if self._file is not None:
                self._file.write(safe.encode())
            self._keep(safe)

    def _keep(self, safe: str) -> None:
        self._tail.append(safe)
        self._tail_chars += len(safe)
        while self._tail_chars > self.limit and self._tail:
            first = self._tail.popleft()
            self._tail_chars -= len(first)
            self._dropped = True
            excess = self._tail_chars + len(first) - self.limit
            if excess < len(first):
                self._tail.appendleft(first[excess:])
                self._tail_chars += len(first) - excess

    def tail(self) -> str:
        """The stored tail (what the job record keeps), marked when output was dropped."""
        text = "".join(self._tail)
        return (TRUNCATION_MARK + text) if self._dropped else text

    def close(self) -> str:
        """Flush what is pending, close the file, return the tail."""
        rest = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        if rest:
            self._emit(rest)
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.tail()
