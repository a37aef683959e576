"""The full-text port: BM25-ranked search over captured commands and intent entries (C2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from perth.capture.records import CommandQuery, SearchHit


class FullTextIndex(Protocol):
    """Full-text search over the rows other ports store."""

    def search(self, text: str, query: CommandQuery, *, kinds: Sequence[str] = ("command", "intent"),
               limit: int = 20) -> list[SearchHit]:
        """BM25-ranked matches over commands and intent entries."""
