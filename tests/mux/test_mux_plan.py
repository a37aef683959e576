"""The restore planner, executor (on the fake multiplexer), diff and prune rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.config import load_settings
from perth.errors import InvalidInputError
from perth.mux.execute import RestoreFailedError, restore
from perth.mux.fake import FakeMux
from perth.mux.model import PaneSnap, SessionSnap, Snapshot, WindowSnap, digest
from perth.mux.restore import allowed, plan
from perth.mux.service import DAY_MS, diff, prunable, save
from perth.paths import resolve_paths
from perth.record import replace
from perth.runtime import Runtime

ALLOW = ("vim", "tail -f", "sleep")
names = st.text(alphabet="abcdefgh", min_size=1, max_size=4)
panes = st.lists(st.tuples(st.sampled_from(["/a", "/b", "/c"]), st.sampled_from(["", "vim x", "make", "sleep 9"])),
                 min_size=1, max_size=4)
windows = st.dictionaries(names, panes, min_size=1, max_size=4)
sessions = st.dictionaries(names, windows, min_size=1, max_size=3)


def build(spec: dict[str, dict[str, list[tuple[str, str]]]]) -> tuple[SessionSnap, ...]:
    return tuple(SessionSnap(name=s, windows=tuple(
        WindowSnap(index=i, name=w, layout=f"lay-{w}", active=i == 0,
                   panes=tuple(PaneSnap(index=j, cwd=cwd, command=cmd, focused=j == 0) for j, (cwd, cmd)
                               in enumerate(ps))) for i, (w, ps) in enumerate(ws.items())))
        for s, ws in spec.items())


def snapshot(spec: dict[str, dict[str, list[tuple[str, str]]]], name: str = "s") -> Snapshot:
    return Snapshot(id="0", name=name, created_at=0, mux="fake", scope="*", sessions=build(spec))


@pytest.fixture
def rt() -> Iterator[Runtime]:
    runtime = Runtime(load_settings(resolve_paths(), environ={"PERTH_MUX__RESTORE_COMMANDS": ",".join(ALLOW)}))
    yield runtime
    runtime.close()


def shape(mux: FakeMux) -> list[object]:
    return [[s.name, [[w.name, w.layout, [p.cwd for p in w.panes]] for w in s.windows]] for s in mux.sessions()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=sessions)
def test_restore_into_nothing_recreates_and_is_idempotent(rt: Runtime, spec: dict) -> None:  # type: ignore[type-arg]
    snap = snapshot(spec)
    mux = FakeMux()
    report = restore(rt, mux, snap)
    assert report.status == "ok"
    assert shape(mux) == [[s.name, [[w.name, w.layout, [p.cwd for p in w.panes]] for w in s.windows]]
                          for s in snap.sessions]
    assert report.commands_run == sum(allowed(p.command, ALLOW) for s in snap.sessions for w in s.windows
                                      for p in w.panes)
    calls = mux.calls
    again = restore(rt, mux, snap)
    assert again.status == "nothing to do"
    assert mux.calls == calls


@settings(max_examples=60, deadline=None)
@given(spec=sessions, fail_after=st.integers(min_value=0, max_value=30))
def test_a_failure_leaves_the_workspace_as_it_was(spec: dict, fail_after: int) -> None:  # type: ignore[type-arg]
    mux = FakeMux(build({"keep": {"w": [("/k", "")]}}), fail_after=fail_after)
    before = shape(mux)
    steps = [a for a in plan(snapshot(spec), mux.sessions(), ALLOW) if not a.op.startswith("reuse")]
    runtime = Runtime(load_settings(resolve_paths(), environ={}))
    try:
        if len(steps) > fail_after:
            with pytest.raises(RestoreFailedError) as failed:
                restore(runtime, mux, snapshot(spec))
            assert failed.value.report.status == "failed"
            assert shape(mux) == before
        else:
            assert restore(runtime, mux, snapshot(spec)).status in ("ok", "nothing to do")
    finally:
        runtime.close()


@given(spec=sessions)
def test_diff_of_a_snapshot_with_itself_is_empty(spec: dict) -> None:  # type: ignore[type-arg]
    snap = snapshot(spec)
    assert diff(snap, snap) == []


@given(a=sessions, b=sessions)
def test_diff_is_empty_exactly_when_the_workspace_key_matches(a: dict, b: dict) -> None:  # type: ignore[type-arg]
    left, right = snapshot(a), snapshot(b)
    if digest(left.sessions) == digest(right.sessions):
        assert diff(left, right) == []


def test_diff_names_added_removed_and_changed() -> None:
    a = snapshot({"s": {"edit": [("/a", "vim x"), ("/b", "")], "old": [("/c", "")]}}, "a")
    b = snapshot({"s": {"edit": [("/a", "vim y")], "new": [("/c", "")]}}, "b")
    got = {(c.change, c.what, c.where) for c in diff(a, b)}
    assert ("removed", "window", "s:old") in got
    assert ("added", "window", "s:new") in got
    assert ("removed", "pane", "s:edit.#1") in got
    assert ("changed", "pane", "s:edit.#0") in got


def test_allow_list_matches_programs_and_prefixes() -> None:
    assert allowed("vim notes.md", ALLOW)
    assert allowed("/usr/bin/vim", ALLOW)
    assert allowed("tail -f /var/log/x", ALLOW)
    assert not allowed("tail -n 5 x", ALLOW)
    assert not allowed("vimdiff a b", ALLOW)
    assert not allowed("rm -rf /", ALLOW)
    assert not allowed("sleep 3 --token=[REDACTED:github-pat]", ALLOW)


def test_rename_needs_exactly_one_session() -> None:
    two = snapshot({"a": {"w": [("/a", "")]}, "b": {"w": [("/b", "")]}})
    with pytest.raises(InvalidInputError):
        plan(two, (), ALLOW, rename="new")
    one = snapshot({"a": {"w": [("/a", "")]}})
    assert plan(one, (), ALLOW, rename="new")[0].session == "new"


def test_prune_keeps_pinned_named_and_the_newest() -> None:
    now = 100 * DAY_MS
    snaps = [Snapshot(id=f"{i:03}", name=f"n{i}", created_at=i * DAY_MS, mux="fake", scope="*",
                      kind="auto" if i % 3 else "named", pinned=i == 4) for i in range(1, 60)]
    doomed = prunable(snaps, now, keep=5, days=50)
    assert doomed
    assert all(s.kind == "auto" and not s.pinned and s.created_at < now - 50 * DAY_MS for s in doomed)
    newest = sorted(snaps, key=lambda s: s.created_at)[-5:]
    assert not {s.name for s in newest} & {s.name for s in doomed}


def test_save_skips_empty_and_identical(rt: Runtime) -> None:
    assert save(rt, FakeMux()).saved is False
    mux = FakeMux(build({"s": {"w": [("/a", "vim x")]}}))
    assert save(rt, mux, name="first").saved
    repeat = save(rt, mux)
    assert not repeat.saved and "identical" in repeat.reason
    mux.split(mux.sessions()[0].windows[0].panes[0].mux_pane_id, "/b")
    assert save(rt, mux).saved
    assert [s.name for s in rt.store.snapshots.all()][1] == "first"
    assert rt.store.snapshots.get("first") == replace(rt.store.snapshots.all()[1])
