"""The CLI of snapshot/restore/pane open/reconcile against an isolated tmux server; JSON contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mux.tmuxserver import TmuxServer, needs_tmux, tmux_server

pytestmark = [needs_tmux, pytest.mark.timeout(60)]

CONTRACTS = {
    "perth.snapshot_save.v1": {"schema", "saved", "reason", "snapshot"},
    "perth.snapshot_list.v1": {"schema", "count", "snapshots"},
    "perth.snapshot.v1": {"schema", "snapshot"},
    "perth.snapshot_diff.v1": {"schema", "from", "to", "count", "changes"},
    "perth.snapshot_change.v1": {"schema", "action", "count", "snapshots"},
    "perth.restore.v1": {"schema", "snapshot", "status", "created", "reused", "commands_run", "commands_typed",
                         "duration_ms", "mux_calls", "warnings", "rolled_back", "plan"},
    "perth.pane_reconcile.v1": {"schema", "count", "changes"},
}
SUMMARY = {"name", "id", "created_at", "mux", "scope", "kind", "pinned", "sessions", "windows", "panes"}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TmuxServer]:
    with tmux_server() as srv:
        monkeypatch.setenv("PERTH_MUX__TMUX_SOCKET_NAME", srv.name)
        srv.start("main", "code", str(tmp_path), "sleep 300")
        srv.tmux("split-window", "-t", "=main:0", "-c", "/tmp", "sleep 299")
        yield srv


def run_json(cli: Callable[..., Any], *args: str) -> dict[str, Any]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    assert set(data) == CONTRACTS[data["schema"]], data["schema"]
    return data


def test_snapshot_commands_and_contracts(server: TmuxServer, cli: Callable[..., Any]) -> None:
    saved = run_json(cli, "snapshot", "save", "one")
    assert set(saved["snapshot"]) == SUMMARY
    server.tmux("new-window", "-t", "=main:1", "-n", "extra")
    run_json(cli, "snapshot", "save", "two", "--session", "main")
    listing = run_json(cli, "snapshot", "list")
    assert [s["name"] for s in listing["snapshots"]] == ["two", "one"]
    shown = run_json(cli, "snapshot", "show", "one")
    assert shown["snapshot"]["schema"] == "perth.snapshot.v1"
    changes = run_json(cli, "snapshot", "diff", "one", "two")["changes"]
    assert {"change": "added", "what": "window", "where": "main:extra", "detail": "1 pane(s)"} in changes
    assert run_json(cli, "snapshot", "pin", "one")["snapshots"][0]["pinned"] is True
    run_json(cli, "snapshot", "unpin", "one")
    assert run_json(cli, "snapshot", "prune", "--keep", "0", "--older-than", "0")["count"] == 0  # hand-named
    run_json(cli, "snapshot", "delete", "two")
    plan = run_json(cli, "restore", "one", "--dry-run")
    assert plan["status"] == "dry-run"
    for fmt in ("text", "markdown", "llm"):
        out = cli("restore", "one", "--dry-run", "--format", fmt)
        assert out.code == 0 and "reuse-window" in out.out
    assert cli("snapshot", "show", "nope").code == 3


def test_restore_under_a_new_session_name(server: TmuxServer, cli: Callable[..., Any]) -> None:
    run_json(cli, "snapshot", "save", "base", "--session", "main")
    report = run_json(cli, "restore", "base", "--session", "copy")
    assert report["status"] == "ok" and report["created"] == 2
    assert "copy" in server.tmux("list-sessions", "-F", "#{session_name}").split()
    assert run_json(cli, "restore", "base", "--session", "copy")["status"] == "nothing to do"


def test_pane_open_creates_then_focuses_and_reconcile_follows(server: TmuxServer, cli: Callable[..., Any]) -> None:
    created = cli("pane", "open", "api/work", "--tab", "api", "--format", "json")
    assert created.code == 0, created.err
    pane = json.loads(created.out)["pane"]
    assert pane["mux_kind"] == "tmux" and pane["tab"] == "api"
    assert server.tmux("display-message", "-p", "-t", pane["mux_pane_id"], "#{@perth_name}").strip() == "api/work"
    again = cli("pane", "open", "api/work", "--format", "json")
    assert json.loads(again.out)["pane"]["mux_pane_id"] == pane["mux_pane_id"]
    assert "Focused" in cli("pane", "open", "api/work").out
    server.tmux("set-option", "-p", "-t", pane["mux_pane_id"], "@perth_name", "api/renamed")
    changes = run_json(cli, "pane", "reconcile")["changes"]
    assert changes[0]["change"] == "renamed" and changes[0]["pane"] == "api/renamed"
    server.tmux("kill-pane", "-t", pane["mux_pane_id"])
    closed = run_json(cli, "pane", "reconcile")["changes"]
    assert closed == [{"pane": "api/renamed", "change": "closed", "detail": "its multiplexer pane is gone"}]
    assert run_json(cli, "pane", "reconcile")["count"] == 0


def test_secret_in_command_arguments_is_redacted(server: TmuxServer, cli: Callable[..., Any]) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    sleeper = f"{sys.executable} -c 'import time; time.sleep(300)' --token={token}"
    server.tmux("new-window", "-t", "=main:5", "-n", "secret", sleeper)
    assert server.wait_for(lambda: "--token" in subprocess.run(["ps", "-e", "-o", "args="], capture_output=True,
                                                               text=True, timeout=10, check=False).stdout)
    out = cli("snapshot", "save", "s", "--format", "json")
    assert token not in out.out
    shown = cli("snapshot", "show", "s", "--format", "json").out
    assert token not in shown
    assert "time.sleep(300) --token=[REDACTED:" in shown


def test_scrollback_tail_is_off_by_default_and_redacted_when_on(server: TmuxServer, cli: Callable[..., Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    token = "ghp_" + "Xq7Rk2Vm9Lp4Zt8Wn3Jh6Bc1Fd5Gs0Ya2Ue7I"
    server.tmux("new-window", "-t", "=main:3", "-n", "out", f"printf 'hello\\nGITHUB_TOKEN={token}\\n'; sleep 300")
    assert server.wait_for(lambda: "hello" in server.tmux("capture-pane", "-p", "-t", "=main:3"))
    plain = run_json(cli, "snapshot", "save", "plain")
    assert plain["saved"]
    shown = cli("snapshot", "show", "plain", "--format", "json").out
    assert all(not p["scrollback"] for s in json.loads(shown)["snapshot"]["sessions"] for w in s["windows"]
               for p in w["panes"])
    monkeypatch.setenv("PERTH_MUX__SCROLLBACK_LINES", "20")
    server.tmux("rename-window", "-t", "=main:3", "out2")
    run_json(cli, "snapshot", "save", "tail")
    shown = cli("snapshot", "show", "tail", "--format", "json").out
    assert "hello" in shown and token not in shown and "[REDACTED:" in shown


def test_save_defaults_to_the_session_this_runs_in(server: TmuxServer, cli: Callable[..., Any],
                                                   monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server.tmux("new-session", "-d", "-s", "other", "-c", str(tmp_path))
    pane = server.tmux("display-message", "-p", "-t", "=main:0.0", "#{pane_id}").strip()
    monkeypatch.setenv("TMUX_PANE", pane)
    here = run_json(cli, "snapshot", "save", "here")["snapshot"]
    assert (here["scope"], here["sessions"]) == ("main", 1)
    every = run_json(cli, "snapshot", "save", "every", "--all")["snapshot"]
    assert (every["scope"], every["sessions"]) == ("*", 2)
