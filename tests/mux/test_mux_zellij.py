"""The Zellij adapter against hand-written recordings of its CLI (no Zellij binary exists here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from perth.config import load_settings
from perth.errors import PerthError
from perth.mux.execute import restore
from perth.mux.kdl import layout_for, parse
from perth.mux.model import Snapshot
from perth.mux.service import save
from perth.mux.zellij import ZellijDriver, session_from_layout
from perth.paths import resolve_paths
from perth.runtime import Runtime

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mux"
DUMP = (FIXTURES / "zellij-dump-layout.kdl").read_text(encoding="utf-8")
TOKEN = "ghp_Xq7Rk2Vm9Lp4Zt8Wn3Jh6Bc1Fd5Gs0Ya2Ue7I"


class Recorder:
    """Replays recorded outputs and keeps every command line the adapter issued."""

    def __init__(self, dump: str = DUMP) -> None:
        self.dump = dump
        self.issued: list[list[str]] = []

    def __call__(self, args: Sequence[str]) -> str:
        self.issued.append(list(args))
        if args[-1] == "dump-layout":
            return self.dump
        if list(args) == ["--version"]:
            return (FIXTURES / "zellij-version.txt").read_text(encoding="utf-8")
        return ""


@pytest.fixture
def rt() -> Iterator[Runtime]:
    runtime = Runtime(load_settings(resolve_paths(), environ={"PERTH_MUX__RESTORE_COMMANDS": "nvim,tail -f"}))
    yield runtime
    runtime.close()


def test_dump_layout_becomes_tabs_panes_and_floating_panes() -> None:
    session = session_from_layout("dev", DUMP)
    assert [w.name for w in session.windows] == ["editor", "server"]
    editor = session.windows[0]
    assert editor.active
    assert [(p.cwd, p.command, p.floating) for p in editor.panes] == [
        ("/home/dev/src/api", "nvim main.py", False),
        ("/home/dev/src/api", "", False),
        ("/var/log", "tail -f app.log", False),
        ("/home/dev", "htop", True),
    ]
    assert editor.panes[0].perth_name == "api/edit" and editor.panes[0].focused
    assert session.windows[1].panes[0].command.startswith("npm run dev")


def test_snapshot_through_the_adapter_is_redacted(rt: Runtime) -> None:
    recorder = Recorder()
    result = save(rt, ZellijDriver(session="dev", runner=recorder), name="z")
    assert result.saved
    stored = rt.store.snapshots.get("z")
    assert stored is not None and stored.mux == "zellij" and stored.mux_version == "0.40.1"
    assert TOKEN not in str(stored.to_json())
    assert recorder.issued[0] == ["--session", "dev", "action", "dump-layout"]


def test_restore_issues_the_expected_commands(rt: Runtime) -> None:
    snap = Snapshot(id="1", name="z", created_at=0, mux="zellij", scope="*",
                    sessions=(session_from_layout("dev", DUMP),))
    recorder = Recorder(dump="layout {\n}\n")
    report = restore(rt, ZellijDriver(runner=recorder), snap)
    assert report.status == "ok"
    assert recorder.issued[:3] == [["action", "dump-layout"], ["attach", "--create-background", "dev"],
                                   ["--session", "dev", "action", "rename-tab", "editor"]]
    issued = [" ".join(a) for a in recorder.issued]
    assert "--session dev action new-pane --cwd /home/dev/src/api" in issued
    assert "--session dev action new-pane --floating --cwd /home/dev" in issued
    assert "--session dev action write-chars nvim main.py" in issued
    assert "--session dev action write 13" in issued
    assert "--session dev action rename-pane api/edit" in issued
    assert "--session dev action new-tab --name server --cwd /home/dev/web" in issued
    assert any(line.startswith("--session dev action write-chars npm run dev") for line in issued)
    assert report.commands_run == 2 and report.commands_typed == 2  # htop and npm are not allow-listed


def test_generated_kdl_layout_round_trips() -> None:
    session = session_from_layout("dev", DUMP)
    text = layout_for(session, allow=("nvim", "tail -f"))
    assert 'floating_panes {' in text and 'start_suspended true' in text
    again = session_from_layout("dev", text)
    assert [[(p.cwd, p.command, p.floating) for p in w.panes] for w in again.windows] == \
        [[(p.cwd, p.command, p.floating) for p in w.panes] for w in session.windows]


def test_unbalanced_layout_is_a_clear_error() -> None:
    with pytest.raises(PerthError, match="unbalanced"):
        parse("layout {\n tab {\n")
