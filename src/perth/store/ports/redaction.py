"""The redaction-counters port: how often each rule matched, per source (never the secret) (C3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from perth.records import RedactionCount


class RedactionStats(Protocol):
    """Per-(rule, source) counters of the secret filter."""

    def add(self, counts: Mapping[tuple[str, str], int], at: int) -> None:
        """Add per-(rule, source) match counts."""

    def all(self) -> list[RedactionCount]:
        """Every recorded per-(rule, source) count, most frequent first."""
