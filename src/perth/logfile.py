"""The optional JSON-lines log file (``log.file``).

A log sink accepts only :class:`~perth.redact.Redacted` text (mypy enforces it),
so nothing captured reaches the file without passing the secret filter.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from perth.clock import now_ms, to_iso
from perth.files import private_dirs
from perth.text import escape_strings, is_clean

if TYPE_CHECKING:
    from perth.redact import Redacted

LEVELS = ("debug", "info", "warning", "error")


class JsonLogSink:
    """Appends one JSON object per line; each write is a single ``write(2)``."""

    def __init__(self, path: str, level: str = "info") -> None:
        self.path = path
        self.threshold = LEVELS.index(level)

    def write(self, level: str, event: Redacted,
              fields: Mapping[str, Redacted | int | float | bool | None]) -> None:
        """Append one record if ``level`` reaches the threshold; I/O errors are swallowed."""
        if LEVELS.index(level) < self.threshold:
            return
        record = {"ts": to_iso(now_ms()), "level": level, "event": event, **fields}
        text = json.dumps(record, ensure_ascii=False, sort_keys=True)
        if not is_clean(text):
            text = json.dumps(escape_strings(record), ensure_ascii=False, sort_keys=True)
        line = (text + "\n").encode("utf-8")
        try:
            private_dirs(os.path.dirname(self.path))
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError:
            return  # logging must never break the command it describes
