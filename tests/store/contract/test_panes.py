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


def test_owners_keep_their_own_pane_names_and_see_what_is_shared_with_their_teams(store: Store) -> None:
    from perth.records import Visibility

    alice = make_pane("api", at=1_000, owner="alice")
    bob = make_pane("api", at=2_000, owner="bob", team="web")
    carol = make_pane("notes", at=3_000, owner="carol")
    store.panes.add(alice)
    if store.adapter == "redis":  # the Redis store is personal: a name is one key, whoever owns it (docs/team.md)
        with pytest.raises(ConflictError):
            store.panes.add(bob)
        return
    for pane in (bob, carol):
        store.panes.add(pane)  # names are unique per owner: two "api" panes
    with pytest.raises(ConflictError):
        store.panes.add(make_pane("api", at=4_000, owner="alice"))
    assert store.panes.get(name="api", owner="alice") == alice
    assert store.panes.get(name="api", owner="bob") == bob
    assert store.panes.get(name="notes", owner="alice") is None
    in_web = Visibility(user="alice", teams=("web",))
    assert [p.name + ":" + p.owner for p in store.panes.query(PaneQuery(visible=in_web))] == ["api:bob", "api:alice"]
    alone = Visibility(user="alice")
    assert store.panes.query(PaneQuery(visible=alone)) == [alice]
    assert store.panes.query(PaneQuery(visible=Visibility(user="dave", teams=("ops",)))) == []


def test_multiplexer_and_place_lookups_can_be_narrowed_to_an_owner(store: Store) -> None:
    alice = make_pane("a", at=1_000, owner="alice", mux_kind="tmux", mux_pane_id="%1", auto_key="/src/app")
    bob = make_pane("b", at=2_000, owner="bob", mux_kind="tmux", mux_pane_id="%1", auto_key="/src/app")
    store.panes.add(alice)
    store.panes.add(bob)
    assert store.panes.find_by_mux("tmux", "%1", owner="alice") == alice
    assert store.panes.find_by_mux("tmux", "%1", owner="bob") == bob
    assert store.panes.find_by_mux("tmux", "%1", owner="carol") is None
    assert store.panes.find_by_auto_key("/src/app", owner="bob") == bob
    assert store.panes.find_by_auto_key("/src/app", owner="carol") is None
