"""The LLM-calls port: every provider call with its outcome and token usage (C4)."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.summarize.model import LlmCall, LlmStats


class LlmCallRepo(Protocol):
    """Persistence of provider calls."""

    def add(self, call: LlmCall) -> None:
        """Record one provider call."""

    def recent(self, *, provider: str | None = None, limit: int = 50) -> list[LlmCall]:
        """Recorded calls, newest first (of one provider, or all)."""

    def all(self) -> list[LlmCall]:
        """Every recorded call, oldest first (for copying a store)."""

    def stats(self) -> list[LlmStats]:
        """Per-provider totals of calls, outcomes, tokens and mean latency of successful calls."""
