"""Snapshot a real tmux workspace on an isolated socket, kill the server, restore it exactly."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from perth.config import load_settings
from perth.errors import UnavailableError
from perth.mux.execute import RestoreFailedError, restore
from perth.mux.model import Snapshot, layout_shape
from perth.mux.service import get, save
from perth.mux.tmux import TmuxDriver
from perth.paths import resolve_paths
from perth.runtime import Runtime
from tests.mux.tmuxserver import TmuxServer, needs_tmux, tmux_server

pytestmark = [needs_tmux, pytest.mark.timeout(60)]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[TmuxServer]:
    with tmux_server() as srv:
        monkeypatch.setenv("PERTH_MUX__TMUX_SOCKET_NAME", srv.name)
        monkeypatch.setenv("PERTH_MUX__RESTORE_COMMANDS", "sleep,tail -f")
        yield srv


@pytest.fixture
def runtime(server: TmuxServer) -> Iterator[Runtime]:
    rt = Runtime(load_settings(resolve_paths()))
    yield rt
    rt.close()


def build(server: TmuxServer, tmp_path: Path) -> dict[str, str]:
    dirs = {name: str(tmp_path / name) for name in ("api", "web", "logs", "docs")}
    for path in dirs.values():
        os.makedirs(path)
    log = tmp_path / "logs" / "app.log"
    log.write_text("start\n")
    server.start("work", "editor", dirs["api"], "sleep 300")
    server.tmux("split-window", "-h", "-t", "=work:0", "-c", dirs["web"], "sleep 301")
    server.tmux("split-window", "-v", "-t", "=work:0.1", "-c", dirs["docs"], "less /etc/hostname")
    server.tmux("new-window", "-t", "=work:1", "-n", "logs", "-c", dirs["logs"], f"tail -f {log}")
    server.tmux("split-window", "-v", "-t", "=work:1", "-c", dirs["api"])
    server.tmux("new-session", "-d", "-s", "side", "-n", "notes", "-c", dirs["docs"], "-x", "100", "-y", "30")
    server.tmux("select-pane", "-t", "=work:1.0")  # the logs window: its first pane active, and zoomed
    server.tmux("resize-pane", "-Z", "-t", "=work:1.0")
    server.tmux("select-pane", "-t", "=work:0.1")  # the editor window: its middle pane active
    server.tmux("select-window", "-t", "=work:0")
    return dirs


def focus_and_zoom(server: TmuxServer) -> list[tuple[str, str, str, str, str]]:
    """(session, window, active window?, active pane, zoomed?) of every window, with no client attached."""
    out = server.tmux("list-windows", "-a", "-F",
                      "#{session_name}\t#{window_index}\t#{window_active}\t#{pane_index}\t#{window_zoomed_flag}")
    return sorted(tuple(line.split("\t")) for line in out.splitlines())  # type: ignore[misc]


def shape(snap: Snapshot) -> list[Any]:
    return [[s.name, [[w.index, w.name, layout_shape(w.layout), [[p.cwd, p.command] for p in w.panes]] for w in s.windows]]
            for s in sorted(snap.sessions, key=lambda s: s.name)]


def wait_same(server: TmuxServer, rt: Runtime, expected: list[Any]) -> list[Any]:
    mux = TmuxDriver(socket_name=server.name)
    got: list[Any] = []

    def same() -> bool:
        nonlocal got
        from perth.mux.service import take

        got = shape(take(rt, mux))
        return [[s[0], [w[:3] for w in s[1]]] for s in got] == [[s[0], [w[:3] for w in s[1]]] for s in expected]

    server.wait_for(same, timeout=8)
    return got


def test_snapshot_kill_restore_round_trip(server: TmuxServer, runtime: Runtime, tmp_path: Path) -> None:
    build(server, tmp_path)
    mux = TmuxDriver(socket_name=server.name)

    def programs_started() -> bool:  # under load a pane's program may start after the pane exists
        from perth.mux.service import take

        work = next(s for s in take(runtime, mux).sessions if s.name == "work")
        return [p.command for p in work.windows[0].panes] == ["sleep 300", "sleep 301", "less /etc/hostname"] \
            and work.windows[1].panes[0].command.startswith("tail -f")

    server.wait_for(programs_started, timeout=8)
    result = save(runtime, mux, name="before")
    assert result.saved
    snap = result.snapshot
    work = next(s for s in snap.sessions if s.name == "work")
    assert [w.name for w in work.windows] == ["editor", "logs"]
    assert [p.command for p in work.windows[0].panes] == ["sleep 300", "sleep 301", "less /etc/hostname"]
    assert work.windows[0].layout.count(",") > 6  # the exact layout string of a three-pane window
    assert work.windows[0].active
    assert [next(p.index for p in w.panes if p.focused) for w in work.windows] == [1, 0]
    assert [w.zoomed for w in work.windows] == [False, True]
    focus_before = focus_and_zoom(server)
    assert ("work", "1", "0", "0", "1") in focus_before and ("work", "0", "1", "1", "0") in focus_before
    assert save(runtime, mux, name="again").saved is False  # identical consecutive snapshot
    expected = shape(snap)

    server.kill()  # "reboot"
    with pytest.raises(UnavailableError, match="tmux is not running"):
        save(runtime, TmuxDriver(socket_name=server.name))
    dry = restore(runtime, TmuxDriver(socket_name=server.name), get(runtime, "before"), dry_run=True)
    ops = [a.op for a in dry.actions]
    assert ops.count("new-session") == 2 and ops.count("split") == 3  # everything is new
    assert not any(op.startswith("reuse") for op in ops)

    report = restore(runtime, TmuxDriver(socket_name=server.name), get(runtime, "before"))  # starts the server
    assert report.status == "ok"
    assert report.commands_run == 3  # sleep 300, sleep 301, tail -f (allow-listed)
    assert report.commands_typed == 1  # less: typed, not executed
    server.tmux("set-option", "-g", "default-shell", "/bin/sh")

    def restored_programs_started() -> bool:  # under load a restored program may start late
        from perth.mux.service import take

        work = [s for s in take(runtime, TmuxDriver(socket_name=server.name)).sessions if s.name == "work"]
        started = bool(work) and [p.command for p in work[0].windows[0].panes][:2] == ["sleep 300", "sleep 301"]
        return started and "less /etc/hostname" in server.tmux("capture-pane", "-p", "-t", "=work:0.2")

    assert server.wait_for(restored_programs_started, timeout=10)
    restored = list(wait_same(server, runtime, expected))
    work_now = restored[1]
    assert isinstance(work_now, list)
    windows = work_now[1]
    assert isinstance(windows, list)
    assert [w[:3] for w in windows] == [w[:3] for w in expected[1][1]]
    panes = [[p[0] for p in w[3]] for w in windows]
    assert panes == [[p[0] for p in w[3]] for w in expected[1][1]]
    editor = windows[0][3]
    assert [p[1] for p in editor][:2] == ["sleep 300", "sleep 301"]
    assert editor[2][1] == ""  # less was typed but not run
    typed = server.tmux("capture-pane", "-p", "-t", "=work:0.2")
    assert "less /etc/hostname" in typed
    assert focus_and_zoom(server) == focus_before  # every window's active pane, the zoom and the active window

    again = restore(runtime, TmuxDriver(socket_name=server.name), get(runtime, "before"))
    assert [a.describe() for a in again.actions if not a.op.startswith("reuse")] == []
    assert again.status == "nothing to do"
    assert again.created == 0


def test_failure_part_way_closes_what_it_created(server: TmuxServer, runtime: Runtime, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    build(server, tmp_path)
    snap = save(runtime, TmuxDriver(socket_name=server.name), name="base").snapshot
    server.tmux("kill-session", "-t", "=work")
    before = server.tmux("list-panes", "-a", "-F", "#{pane_id}").split()
    mux = TmuxDriver(socket_name=server.name)
    real: Callable[..., str] = mux.split
    calls = {"n": 0}

    def flaky(pane_id: str, cwd: str, *, floating: bool = False) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            return real("%999999", cwd)  # no such pane: tmux fails
        return real(pane_id, cwd, floating=floating)

    monkeypatch.setattr(mux, "split", flaky)
    with pytest.raises(RestoreFailedError) as failed:
        restore(runtime, mux, snap)
    assert failed.value.report.status == "failed"
    assert failed.value.report.rolled_back == ("session work:0",)
    after = server.tmux("list-panes", "-a", "-F", "#{pane_id}").split()
    assert after == before
    assert "work" not in server.tmux("list-sessions", "-F", "#{session_name}").split()


def test_cli_snapshot_and_restore_json(server: TmuxServer, tmp_path: Path, cli: Callable[..., object]) -> None:
    build(server, tmp_path)
    result = cli("snapshot", "save", "cli", "--format", "json")
    data = json.loads(result.out)  # type: ignore[attr-defined]
    assert data["schema"] == "perth.snapshot_save.v1" and data["saved"]
    plan = cli("restore", "cli", "--dry-run", "--format", "json")
    doc = json.loads(plan.out)  # type: ignore[attr-defined]
    assert doc["schema"] == "perth.restore.v1"
    assert doc["status"] == "dry-run"
    assert {a["op"] for a in doc["plan"]} <= {"reuse-session", "reuse-window", "reuse-pane"}


def test_tmux_not_running_is_exit_4(monkeypatch: pytest.MonkeyPatch, cli: Callable[..., object]) -> None:
    monkeypatch.setenv("PERTH_MUX__TMUX_SOCKET_NAME", "perth-test-nobody-here")
    result = cli("snapshot", "save")
    assert result.code == 4  # type: ignore[attr-defined]
    assert "tmux is not running" in result.err  # type: ignore[attr-defined]


def test_restore_outside_tmux_says_how_to_attach(server: TmuxServer, tmp_path: Path,
                                                 cli: Callable[..., object]) -> None:
    build(server, tmp_path)
    assert cli("snapshot", "save", "hint").code == 0  # type: ignore[attr-defined]
    server.tmux("kill-session", "-t", "=side")
    done = cli("restore", "hint")
    assert done.code == 0, done.err  # type: ignore[attr-defined]
    assert f"perth: attach with: tmux -L {server.name} attach -t =" in done.err  # type: ignore[attr-defined]
    dry = cli("restore", "hint", "--dry-run")
    assert "attach with" not in dry.err  # type: ignore[attr-defined]
