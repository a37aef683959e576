"""The daemon (a real background process), pause/resume and the import-history command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.capture.integration import global_pause_flag, session_pause_flag
from perth.capture.spool_format import SpoolRecord, format_line

Cli = Callable[..., Any]


def spool_line(command: str, start_us: int) -> str:
    return format_line(SpoolRecord(start_us, 10, 0, "zsh", "d1", "", "", "", "/tmp", "", "", "h", "u", command)) + "\n"


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.integration
def test_daemon_ingests_is_unique_and_stops_on_sigterm(perth_home: Path, cli: Cli) -> None:
    env = {**os.environ, "PERTH_CAPTURE__INGEST_INTERVAL_S": "1", "PERTH_CAPTURE__AUTO_INGEST_BUDGET_MS": "0"}
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for((perth_home / "state" / "daemon.lock").exists)
        spool = perth_home / "state" / "spool"
        spool.mkdir(parents=True, exist_ok=True)
        (spool / "zsh-d1.spool").write_text(spool_line("make deploy", 1) + spool_line("make verify", 2))

        def ingested() -> bool:
            out = subprocess.run([sys.executable, "-m", "perth", "history", "--commands", "--format", "json"],
                                 env=env, capture_output=True, text=True, check=False).stdout
            return len(json.loads(out)["commands"]) == 2 if out else False

        assert wait_for(ingested), "the daemon ingested the spool"
        status = json.loads(cli("daemon", "status", "--format", "json").out)
        assert status["running"] is True
        assert status["pid"] == daemon.pid
        second = subprocess.run([sys.executable, "-m", "perth", "daemon"], env=env, capture_output=True,
                                text=True, timeout=30, check=False)
        assert second.returncode == 1
        assert f"already running (pid {daemon.pid})" in second.stderr
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0
    assert "daemon stopped" in out
    assert "ingest: ingested 2 of 2 lines" in out
    assert json.loads(cli("daemon", "status", "--format", "json").out)["running"] is False


def test_daemon_once_and_install(perth_home: Path, cli: Cli, tmp_path: Path) -> None:
    spool = perth_home / "state" / "spool"
    spool.mkdir(parents=True)
    (spool / "zsh-d1.spool").write_text(spool_line("ls", 1))
    once = cli("daemon", "--once")
    assert once.code == 0
    assert "ingested 1 of 1 lines" in once.out
    unit = cli("daemon", "install", "--kind", "systemd", "--print")
    assert f"ExecStart={sys.executable} -m perth daemon" in unit.out
    assert f"Environment=PERTH_HOME={perth_home}" in unit.out
    plist = cli("daemon", "install", "--kind", "launchd", "--print")
    assert "<string>daemon</string>" in plist.out
    written = cli("daemon", "install", "--kind", "systemd")
    assert written.code == 0
    assert (Path(os.environ["HOME"]) / ".config/systemd/user/perth-daemon.service").read_text() == unit.out
    assert "systemctl --user enable --now perth-daemon.service" in written.out
    removed = cli("daemon", "uninstall", "--kind", "systemd")
    assert removed.code == 0 and "systemctl --user disable --now perth-daemon.service" in removed.out
    assert not (Path(os.environ["HOME"]) / ".config/systemd/user/perth-daemon.service").exists()
    assert cli("daemon", "uninstall", "--kind", "systemd").code == 3


def test_pause_and_resume_flags(perth_home: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = str(perth_home / "state" / "spool")
    no_session = cli("pause")
    assert no_session.code == 1
    assert "--global" in no_session.err
    monkeypatch.setenv("PERTH_SESSION", "123-456")
    assert cli("pause").code == 0
    assert Path(session_pause_flag(spool, "123-456")).exists()
    assert cli("resume").code == 0
    assert not Path(session_pause_flag(spool, "123-456")).exists()
    assert "was not paused" in cli("resume").out
    assert cli("pause", "--global").code == 0
    assert Path(global_pause_flag(spool)).exists()
    assert cli("resume", "--global").code == 0
    assert not Path(global_pause_flag(spool)).exists()


def test_import_history_cli_is_idempotent(perth_home: Path, cli: Cli, tmp_path: Path) -> None:
    history = tmp_path / "zsh_history"
    history.write_bytes(b": 1700000000:3;git status\n: 1700000005:0;echo one\\\ntwo\n")
    first = json.loads(cli("import-history", "--shell", "zsh", "--file", str(history), "--format", "json").out)
    assert (first["commands"], first["inserted"]) == (2, 2)
    again = json.loads(cli("import-history", "--shell", "zsh", "--file", str(history), "--format", "json").out)
    assert (again["inserted"], again["duplicates"]) == (0, 2)
    listed = json.loads(cli("history", "--commands", "--format", "json").out)["commands"]
    assert [c["command"] for c in listed] == ["echo one\ntwo", "git status"]
    assert listed[1]["duration_ms"] == 3000
    missing = cli("import-history", "--shell", "zsh", "--file", str(tmp_path / "nope"))
    assert missing.code == 3
