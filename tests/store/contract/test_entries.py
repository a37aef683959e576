"""The entries port, on every adapter that offers it."""

from __future__ import annotations

import pytest

from perth.errors import ConflictError
from perth.ids import uuid7
from perth.record import replace
from perth.records import EntryQuery
from perth.store.port import Store
from tests.store.contract.builders import make_entry, make_pane

PORT = "entries"


def test_entries_filter_by_every_field(store: Store) -> None:
    a, b = make_pane("a"), make_pane("b")
    store.panes.add(a)
    store.panes.add(b)
    store.entries.add(make_entry(a, 100, type="decision", tags=("db",)))
    store.entries.add(make_entry(a, 200, source="agent", agent="claude"))
    store.entries.add(make_entry(b, 300, type="next", tags=("db", "ui")))
    assert [e.ts for e in store.entries.query(EntryQuery(pane_ids=(a.id,)))] == [200, 100]
    assert [e.ts for e in store.entries.query(EntryQuery(types=("next",)))] == [300]
    assert [e.ts for e in store.entries.query(EntryQuery(sources=("agent",)))] == [200]
    assert [e.ts for e in store.entries.query(EntryQuery(agent="claude"))] == [200]
    assert [e.ts for e in store.entries.query(EntryQuery(tags=("db",)))] == [300, 100]
    assert [e.ts for e in store.entries.query(EntryQuery(tags=("db", "ui")))] == [300]
    assert [e.ts for e in store.entries.query(EntryQuery(since=150, until=250))] == [200]
    assert [e.ts for e in store.entries.query(EntryQuery(oldest_first=True))] == [100, 200, 300]


def test_cursor_paging_visits_every_entry_once(store: Store) -> None:
    pane = make_pane("p")
    store.panes.add(pane)
    for ts in range(1, 26):
        store.entries.add(make_entry(pane, ts * 10))
    seen: list[int] = []
    cursor = None
    while True:
        page = store.entries.query(EntryQuery(limit=7, cursor=cursor))
        seen += [e.ts for e in page]
        if len(page) < 7:
            break
        cursor = (page[-1].ts, page[-1].id)
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == 25


def test_soft_deleted_entries_are_hidden_unless_asked(store: Store) -> None:
    pane = make_pane("p")
    store.panes.add(pane)
    entry = make_entry(pane, 10, tags=("t",))
    store.entries.add(entry)
    store.entries.update(replace(entry, deleted_at=20, tags=()))
    assert store.entries.query(EntryQuery()) == []
    assert store.entries.get(entry.id) is None
    assert store.entries.get(entry.id, include_deleted=True) == replace(entry, deleted_at=20, tags=())
    assert store.entries.query(EntryQuery(tags=("t",), include_deleted=True)) == []


def test_prefix_lookup_and_latest_entries(store: Store) -> None:
    pane = make_pane("p")
    store.panes.add(pane)
    entries = [make_entry(pane, ts, type="next" if ts % 2 else "checkpoint") for ts in (1, 2, 3, 4)]
    for entry in entries:
        store.entries.add(entry)
    assert store.entries.find_ids(entries[0].id[-8:]) == [entries[0].id]
    assert store.entries.find_ids(entries[1].id[-6:]) == [entries[1].id]
    latest = store.entries.latest([pane.id], types=("next",), per_pane=5)[pane.id]
    assert [e.ts for e in latest] == [3, 1]


def test_entry_of_a_missing_pane_or_a_known_id_is_a_conflict(store: Store) -> None:
    pane = make_pane("p")
    store.panes.add(pane)
    entry = make_entry(pane, 1)
    store.entries.add(entry)
    with pytest.raises(ConflictError):
        store.entries.add(entry)
    with pytest.raises(ConflictError):
        store.entries.add(make_entry(replace(pane, id=uuid7()), 3))
    assert store.entries.count(pane.id) == 1


def test_a_user_reads_the_entries_of_panes_they_may_read(store: Store) -> None:
    from perth.errors import UnsupportedByStoreError
    from perth.records import Visibility

    mine, shared, private = (make_pane("mine", owner="alice"), make_pane("shared", owner="bob", team="web"),
                             make_pane("private", owner="bob"))
    for pane in (mine, shared, private):
        store.panes.add(pane)
    entries = [make_entry(pane, n * 1_000, f"entry {n}", owner=owner)
               for n, (pane, owner) in enumerate(((mine, "alice"), (shared, "bob"), (private, "bob")), start=1)]
    for entry in entries:
        store.entries.add(entry)
    assert store.entries.get(entries[0].id) == entries[0]  # the owner is kept
    visible = EntryQuery(visible=Visibility(user="alice", teams=("web",)), oldest_first=True)
    if store.adapter == "redis":  # the Redis store is personal: no owners (docs/team.md)
        with pytest.raises(UnsupportedByStoreError, match="not supported by the redis store"):
            store.entries.query(visible)
        return
    assert [e.summary for e in store.entries.query(visible)] == ["entry 1", "entry 2"]
    assert [e.summary for e in store.entries.query(EntryQuery(visible=Visibility(user="bob")))] == [
        "entry 3", "entry 2"]
    assert store.entries.query(EntryQuery(visible=Visibility(user="carol", teams=("ops",)))) == []
