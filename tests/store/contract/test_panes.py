"""The panes port, on every adapter that offers it."""

from __future__ import annotations

import pytest

from perth.errors import ConflictError
from perth.record import replace
from perth.records import PaneQuery
from perth.store.port import Store
from tests.store.contract.builders import make_pane

PORT = "panes"


def test_pane_round_trip_keeps_every_field(store: Store) -> None:
    pane = make_pane("fix/auth-bug", session="work", tab="editor", mux_kind="tmux", mux_pane_id="%3",
                     cwd="/src/app", repo_root="/src/app", branch="fix/auth", tags=("a", "b"),
                     meta={"ticket": "OPS-1"}, status="closed")
    store.panes.add(pane)
    assert store.panes.get(name="fix/auth-bug") == pane
    assert store.panes.get(pane_id=pane.id) == pane
    assert store.panes.find_by_mux("tmux", "%3") == pane


def test_duplicate_live_name_conflicts_but_deleted_name_is_free(store: Store) -> None:
    first = make_pane("dup")
    store.panes.add(first)
    with pytest.raises(ConflictError, match="already exists"):
        store.panes.add(make_pane("dup"))
    store.panes.update(replace(first, deleted_at=2_000))
    store.panes.add(make_pane("dup"))
    assert store.panes.get(name="dup") != first


def test_list_panes_filters_status_tags_and_orders_by_last_seen(store: Store) -> None:
    old = make_pane("old", at=1_000, tags=("x",))
    new = make_pane("new", at=5_000, tags=("x", "y"))
    closed = make_pane("closed", at=9_000, status="closed")
    for pane in (old, new, closed):
        store.panes.add(pane)
    assert [p.name for p in store.panes.query(PaneQuery())] == ["closed", "new", "old"]
    assert [p.name for p in store.panes.query(PaneQuery(statuses=("active",)))] == ["new", "old"]
    assert [p.name for p in store.panes.query(PaneQuery(tags=("x", "y")))] == ["new"]


def test_a_name_conflict_inside_a_unit_leaves_the_unit_usable(store: Store) -> None:
    first = make_pane("shared")
    with store.unit() as uow:
        uow.panes.add(first)
        with pytest.raises(ConflictError):
            uow.panes.add(make_pane("shared"))  # another process got there first: use theirs
        uow.panes.update(replace(first, branch="main"))
    assert store.panes.get(name="shared") == replace(first, branch="main")
