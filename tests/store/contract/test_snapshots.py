"""The snapshots port: workspace snapshots by name and scope, pins and digests."""

from __future__ import annotations

import pytest

from perth.errors import ConflictError
from perth.mux.model import PaneSnap, SessionSnap, Snapshot, WindowSnap
from perth.store.port import Store

PORT = "snapshots"


def snapshot(name: str, at: int, scope: str = "tmux:default", **fields: object) -> Snapshot:
    pane = PaneSnap(index=0, cwd="/src/app", command="vim app.py", perth_name="fix/a", width=80, height=24)
    session = SessionSnap(name="work", windows=(WindowSnap(index=0, name="edit", layout="abcd,80x24,0,0,1",
                                                           active=True, panes=(pane,)),))
    return Snapshot(id=f"id-{name}", name=name, created_at=at, mux="tmux", scope=scope, sessions=(session,),
                    **fields)  # type: ignore[arg-type]


def test_round_trip_keeps_the_whole_document(store: Store) -> None:
    snap = snapshot("first", 1_000, kind="auto", mux_version="3.3a")
    store.snapshots.add(snap, "digest-1")
    assert store.snapshots.get("first") == snap
    assert store.snapshots.get("missing") is None


def test_names_are_unique(store: Store) -> None:
    store.snapshots.add(snapshot("dup", 1_000), "d1")
    with pytest.raises(ConflictError, match="already exists"):
        store.snapshots.add(snapshot("dup", 2_000), "d2")


def test_listing_is_newest_first_and_by_scope_with_the_latest_digest(store: Store) -> None:
    store.snapshots.add(snapshot("old", 1_000), "d-old")
    store.snapshots.add(snapshot("new", 3_000), "d-new")
    store.snapshots.add(snapshot("other", 2_000, scope="zellij:x"), "d-other")
    assert [s.name for s in store.snapshots.all()] == ["new", "other", "old"]
    assert [s.name for s in store.snapshots.all(scope="tmux:default")] == ["new", "old"]
    assert store.snapshots.latest_digest("tmux:default") == "d-new"
    assert store.snapshots.latest_digest("nowhere") is None


def test_pin_and_delete_say_whether_the_snapshot_existed(store: Store) -> None:
    store.snapshots.add(snapshot("keep", 1_000), "d")
    assert store.snapshots.pin("keep", True) is True
    assert store.snapshots.get("keep").pinned is True  # type: ignore[union-attr]
    assert store.snapshots.pin("keep", False) is True
    assert store.snapshots.get("keep").pinned is False  # type: ignore[union-attr]
    assert store.snapshots.pin("nope", True) is False
    assert store.snapshots.delete("keep") is True
    assert store.snapshots.delete("keep") is False
    assert store.snapshots.all() == []


def test_digests_are_kept_per_snapshot(store: Store) -> None:
    store.snapshots.add(snapshot("b", 1_000), "digest-b")
    store.snapshots.add(snapshot("a", 2_000), "digest-a")
    assert store.snapshots.digests() == {"a": "digest-a", "b": "digest-b"}
