"""``--replay DIR``: the timestamped byte stream of each sample, for debugging a measurement.

One JSON-lines file per sample, ``sample-<index>.jsonl``: ``{"t_ms": 12.345, "dir": "out",
"text": "..."}`` where ``dir`` is ``out`` (from the shell) or ``in`` (typed by the harness) and
``text`` is the bytes decoded as UTF-8 (escape sequences kept) after the secret filter.
"""

from __future__ import annotations

import json
import os

from perth.files import private_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.shellperf.probe import ReplayEvent


class ReplayWriter:
    """Writes each sample's stream through ``redact`` into ``directory``."""

    def __init__(self, directory: str, redact: Callable[[str], str]) -> None:
        private_dirs(directory)
        self.directory = directory
        self.redact = redact
        self.files: list[str] = []

    def __call__(self, index: int, events: list[ReplayEvent]) -> None:
        """Write one sample's events."""
        path = os.path.join(self.directory, f"sample-{index}.jsonl")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            for event in events:
                text = self.redact(event.data.decode("utf-8", errors="replace"))
                handle.write(json.dumps({"t_ms": round(event.at_ms, 3), "dir": event.direction, "text": text},
                                        ensure_ascii=False) + "\n")
        self.files.append(path)
