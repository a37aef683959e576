"""The search_index port: how far each source was indexed, values about the index, and the change
feeds of commands and entries that an index copies from."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from perth.capture.records import Command
from perth.record import replace
from perth.search.records import SourceState
from perth.store.port import Store
from tests.store.contract.builders import make_entry, make_pane

T = TypeVar("T")

PORT = "search_index"


def settled(read: Callable[[], list[T]], count: int) -> list[T]:
    """``read()`` once it holds ``count`` rows: on PostgreSQL a committed row reaches the feeds when
    every older transaction of the cluster has ended (another test's may still be open)."""
    deadline = time.monotonic() + 15
    rows = read()
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        rows = read()
    return rows


def command(n: int, text: str, pane_id: str | None = None) -> Command:
    return Command(id=f"00000000-0000-7000-8000-{n:012d}", pane_id=pane_id, pane_name=None, start_ms=n * 1000,
                   command=text, dedup_key=f"k{n}", duration_ms=5, exit=n % 2, host="box", user="ann")


def test_states_and_meta_round_trip_and_reset(store: Store) -> None:
    assert store.search_index.state("command") is None
    store.search_index.save_state(SourceState("intent", "3:10:0", 3, 100))
    store.search_index.save_state(SourceState("command", "7", 7, 100))
    store.search_index.save_state(SourceState("command", "9", 9, 120))
    assert store.search_index.state("command") == SourceState("command", "9", 9, 120)
    assert [s.source for s in store.search_index.states()] == ["command", "intent"]
    assert store.search_index.meta("model") is None
    store.search_index.set_meta("model", "m1")
    store.search_index.set_meta("model", "m2")
    assert store.search_index.meta("model") == "m2"
    store.search_index.reset()
    assert store.search_index.states() == []
    assert store.search_index.meta("model") is None


def test_the_command_feed_returns_each_command_once_in_order(store: Store) -> None:
    pane = make_pane("web")
    store.panes.add(pane)
    store.commands.add([command(1, "make test", pane.id), command(2, "git status")])
    first = settled(lambda: store.search_index.commands_after(0, 10), 2)
    assert [(c.command, c.pane_name, c.exit, c.user) for _, c in first] == [
        ("make test", "web", 1, "ann"), ("git status", None, 0, "ann")]
    assert first[0][0] < first[1][0]
    assert store.search_index.commands_after(first[-1][0], 10) == []
    store.commands.add([command(3, "ls"), command(4, "pwd"), command(5, "id")])
    settled(lambda: store.search_index.commands_after(first[-1][0], 10), 3)
    page = store.search_index.commands_after(first[-1][0], 2)
    assert [c.command for _, c in page] == ["ls", "pwd"]
    assert [c.command for _, c in store.search_index.commands_after(page[-1][0], 2)] == ["id"]
    assert store.search_index.count("command") == 5


def test_the_entry_feed_returns_new_edited_and_deleted_entries(store: Store) -> None:
    pane = make_pane("api")
    store.panes.add(pane)
    entries = [make_entry(pane, 1_000 + i, f"entry {i}") for i in range(3)]
    for entry in entries:
        store.entries.add(entry)
    feed = settled(lambda: store.search_index.entries_changed(0, 0, 10), 3)
    assert [e.summary for _, e in feed] == ["entry 0", "entry 1", "entry 2"]
    assert [e.pane_name for _, e in feed] == ["api"] * 3
    top = feed[-1][0]
    paged = store.search_index.entries_changed(0, 0, 2)
    assert [e.summary for _, e in store.search_index.entries_changed(0, 0, 2, paged[-1][0])] == ["entry 2"]
    synced_at = 5_000
    assert store.search_index.entries_changed(top, synced_at, 10) == []
    store.entries.update(replace(entries[0], summary="entry 0 edited", updated_at=synced_at + 1))
    store.entries.update(replace(entries[1], deleted_at=synced_at + 2))
    store.entries.add(make_entry(pane, 2_000, "entry 3"))
    changed = settled(lambda: store.search_index.entries_changed(top, synced_at, 10), 3)
    assert sorted((e.summary, e.deleted_at) for _, e in changed) == [
        ("entry 0 edited", None), ("entry 1", synced_at + 2), ("entry 3", None)]
    assert store.search_index.count("intent") == 3
