"""The Store port's contract: every adapter must pass these."""

from __future__ import annotations

import pytest

from perth.errors import ConflictError
from perth.ids import uuid7
from perth.record import replace
from perth.records import Entry, EntryQuery, Pane, PaneQuery
from perth.store.port import Store


def make_pane(name: str, at: int = 1_000, **fields: object) -> Pane:
    return Pane(id=uuid7(at), name=name, created_at=at, last_seen_at=at, **fields)  # type: ignore[arg-type]


def make_entry(pane: Pane, ts: int, summary: str = "did a thing", **fields: object) -> Entry:
    return Entry(id=uuid7(ts), pane_id=pane.id, pane_name=pane.name, ts=ts, summary=summary,
                 **fields)  # type: ignore[arg-type]


def test_pane_round_trip_keeps_every_field(store: Store) -> None:
    pane = make_pane("fix/auth-bug", session="work", tab="editor", mux_kind="tmux", mux_pane_id="%3",
                     cwd="/src/app", repo_root="/src/app", branch="fix/auth", tags=("a", "b"),
                     meta={"ticket": "OPS-1"}, status="closed")
    store.add_pane(pane)
    assert store.get_pane(name="fix/auth-bug") == pane
    assert store.get_pane(pane_id=pane.id) == pane
    assert store.find_pane_by_mux("tmux", "%3") == pane


def test_duplicate_live_name_conflicts_but_deleted_name_is_free(store: Store) -> None:
    first = make_pane("dup")
    store.add_pane(first)
    with pytest.raises(ConflictError, match="already exists"):
        store.add_pane(make_pane("dup"))
    store.update_pane(replace(first, deleted_at=2_000))
    store.add_pane(make_pane("dup"))
    assert store.get_pane(name="dup") != first


def test_list_panes_filters_status_tags_and_orders_by_last_seen(store: Store) -> None:
    old = make_pane("old", at=1_000, tags=("x",))
    new = make_pane("new", at=5_000, tags=("x", "y"))
    closed = make_pane("closed", at=9_000, status="closed")
    for pane in (old, new, closed):
        store.add_pane(pane)
    assert [p.name for p in store.list_panes(PaneQuery())] == ["closed", "new", "old"]
    assert [p.name for p in store.list_panes(PaneQuery(statuses=("active",)))] == ["new", "old"]
    assert [p.name for p in store.list_panes(PaneQuery(tags=("x", "y")))] == ["new"]


def test_entries_filter_by_every_field(store: Store) -> None:
    a, b = make_pane("a"), make_pane("b")
    store.add_pane(a)
    store.add_pane(b)
    store.add_entry(make_entry(a, 100, type="decision", tags=("db",)))
    store.add_entry(make_entry(a, 200, source="agent", agent="claude"))
    store.add_entry(make_entry(b, 300, type="next", tags=("db", "ui")))
    assert [e.ts for e in store.query_entries(EntryQuery(pane_ids=(a.id,)))] == [200, 100]
    assert [e.ts for e in store.query_entries(EntryQuery(types=("next",)))] == [300]
    assert [e.ts for e in store.query_entries(EntryQuery(sources=("agent",)))] == [200]
    assert [e.ts for e in store.query_entries(EntryQuery(agent="claude"))] == [200]
    assert [e.ts for e in store.query_entries(EntryQuery(tags=("db",)))] == [300, 100]
    assert [e.ts for e in store.query_entries(EntryQuery(tags=("db", "ui")))] == [300]
    assert [e.ts for e in store.query_entries(EntryQuery(since=150, until=250))] == [200]
    assert [e.ts for e in store.query_entries(EntryQuery(oldest_first=True))] == [100, 200, 300]


def test_cursor_paging_visits_every_entry_once(store: Store) -> None:
    pane = make_pane("p")
    store.add_pane(pane)
    for ts in range(1, 26):
        store.add_entry(make_entry(pane, ts * 10))
    seen: list[int] = []
    cursor = None
    while True:
        page = store.query_entries(EntryQuery(limit=7, cursor=cursor))
        seen += [e.ts for e in page]
        if len(page) < 7:
            break
        cursor = (page[-1].ts, page[-1].id)
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == 25


def test_soft_deleted_entries_are_hidden_unless_asked(store: Store) -> None:
    pane = make_pane("p")
    store.add_pane(pane)
    entry = make_entry(pane, 10, tags=("t",))
    store.add_entry(entry)
    store.update_entry(replace(entry, deleted_at=20, tags=()))
    assert store.query_entries(EntryQuery()) == []
    assert store.get_entry(entry.id) is None
    assert store.get_entry(entry.id, include_deleted=True) == replace(entry, deleted_at=20, tags=())
    assert store.query_entries(EntryQuery(tags=("t",), include_deleted=True)) == []


def test_prefix_lookup_and_latest_entries(store: Store) -> None:
    pane = make_pane("p")
    store.add_pane(pane)
    entries = [make_entry(pane, ts, type="next" if ts % 2 else "checkpoint") for ts in (1, 2, 3, 4)]
    for entry in entries:
        store.add_entry(entry)
    assert store.find_entry_ids(entries[0].id[-8:]) == [entries[0].id]
    assert store.find_entry_ids(entries[1].id[-6:]) == [entries[1].id]
    latest = store.latest_entries([pane.id], types=("next",), per_pane=5)[pane.id]
    assert [e.ts for e in latest] == [3, 1]


def test_import_is_idempotent_and_atomic(store: Store) -> None:
    pane = make_pane("p")
    entries = [make_entry(pane, ts) for ts in (1, 2)]
    first = store.import_records([pane], entries)
    assert (first.panes_added, first.entries_added) == (1, 2)
    again = store.import_records([pane], entries)
    assert (again.panes_added, again.entries_added, again.entries_skipped) == (0, 0, 2)
    broken = make_entry(replace(pane, id=uuid7()), 3)  # refers to a pane that does not exist
    with pytest.raises(Exception):  # noqa: B017, PT011 - adapters raise their integrity error
        store.import_records([make_pane("q")], [broken])
    assert store.get_pane(name="q") is None


def test_transaction_rolls_back_everything(store: Store) -> None:
    pane = make_pane("p")
    with pytest.raises(RuntimeError), store.transaction():
        store.add_pane(pane)
        store.add_entry(make_entry(pane, 1))
        raise RuntimeError
    assert store.get_pane(name="p") is None
    assert store.query_entries(EntryQuery()) == []


def test_redaction_counters_add_up(store: Store) -> None:
    store.add_redaction_counts({("github-pat", "intent"): 2}, at=10)
    store.add_redaction_counts({("github-pat", "intent"): 3, ("jwt", "import"): 1}, at=20)
    counts = {(c.rule_id, c.source): (c.count, c.last_at) for c in store.redaction_counts()}
    assert counts == {("github-pat", "intent"): (5, 20), ("jwt", "import"): (1, 20)}


def test_info_counts_live_rows(store: Store) -> None:
    pane = make_pane("p")
    store.add_pane(pane)
    store.add_entry(make_entry(pane, 1))
    info = store.info()
    assert (info.panes, info.entries) == (1, 1)
    assert info.schema_version == info.latest_schema_version
