"""The secret filter's counters port, on every adapter that offers it."""

from __future__ import annotations

from perth.store.port import Store

PORT = "redaction_stats"


def test_redaction_counters_add_up(store: Store) -> None:
    store.redaction_stats.add({("github-pat", "intent"): 2}, at=10)
    store.redaction_stats.add({("github-pat", "intent"): 3, ("jwt", "import"): 1}, at=20)
    counts = {(c.rule_id, c.source): (c.count, c.last_at) for c in store.redaction_stats.all()}
    assert counts == {("github-pat", "intent"): (5, 20), ("jwt", "import"): (1, 20)}
