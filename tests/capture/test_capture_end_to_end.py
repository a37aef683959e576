"""Real interactive shells with the hook -> perth ingest -> perth history --commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.capture.shell_driver import InteractiveShell


@pytest.mark.integration
@pytest.mark.parametrize("shell", ["zsh", "bash", "fish"])
def test_commands_reach_history_with_pane_exit_status_and_duration(
        shell: str, tmp_path: Path, perth_home: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / shell
    with InteractiveShell(shell, root, empty_path=False, env={"PERTH_PANE": f"e2e/{shell}"}) as session:
        (perth_home / "state").mkdir(parents=True, exist_ok=True)
        (perth_home / "state" / "spool").symlink_to(session.spool_dir)
        for command in ("echo hello from perth", "false", "sleep 0.3", " echo this one is private"):
            session.run(command)
    assert cli("ingest").code == 0
    listed = json.loads(cli("history", "--commands", "--pane", f"e2e/{shell}", "--format", "json").out)["commands"]
    by_text = {c["command"]: c for c in listed}
    assert set(by_text) == {"echo hello from perth", "false", "sleep 0.3"}
    assert by_text["echo hello from perth"]["exit"] == 0
    assert by_text["false"]["exit"] == 1
    assert by_text["sleep 0.3"]["duration_ms"] >= 290
    assert {c["pane"] for c in listed} == {f"e2e/{shell}"}
    assert {c["shell"] for c in listed} == {shell}
    logged = json.loads(cli("log", "checked the shell", "--pane", f"e2e/{shell}", "--format", "json").out)
    assert logged["entry"]["commands_run"] == [c["command"] for c in reversed(listed)]
