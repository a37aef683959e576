"""Records the contract suites store."""

from __future__ import annotations

from perth.ids import uuid7
from perth.records import Entry, Pane


def make_pane(name: str, at: int = 1_000, **fields: object) -> Pane:
    return Pane(id=uuid7(at), name=name, created_at=at, last_seen_at=at, **fields)  # type: ignore[arg-type]


def make_entry(pane: Pane, ts: int, summary: str = "did a thing", **fields: object) -> Entry:
    return Entry(id=uuid7(ts), pane_id=pane.id, pane_name=pane.name, ts=ts, summary=summary,
                 **fields)  # type: ignore[arg-type]
