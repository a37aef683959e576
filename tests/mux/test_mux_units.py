"""Process-tree command detection, tmux output parsing and error mapping (no tmux needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import ExitCode, PerthError, UnavailableError
from perth.mux.model import PaneSnap, SessionSnap, Snapshot, WindowSnap, layout_shape
from perth.mux.process import ProcessTable, is_shell, parse_ps
from perth.mux.tmux import FIELDS, TmuxDriver, _error, build_sessions, layout_size

PS = """    1     0 /sbin/init
  100     1 -zsh
  101   100 vim notes.md
  200     1 /bin/bash
  300     1 sh -c sleep 300
  301   300 sleep 300
  400     1 sh -c tail -f x.log
"""


def test_commands_come_from_the_process_tree() -> None:
    table = ProcessTable(parse_ps(PS))
    assert table.command_of(100) == "vim notes.md"
    assert table.command_of(200) == ""
    assert table.command_of(300) == "sleep 300"
    assert table.command_of(400) == "tail -f x.log"
    assert table.command_of(999) == ""
    assert is_shell("-bash") and is_shell("/usr/bin/zsh -l") and not is_shell("bash script.sh")


def test_list_panes_rows_group_into_sessions() -> None:
    def row(session: str, window: int, pane: int) -> list[str]:
        return [session, str(window), f"w{window}", "b25d,80x24,0,0,0", "1" if window == 0 else "0", str(pane),
                f"%{window}{pane}", "/tmp", "0", "80", "24", "0", "0", "1" if pane == 0 else "0", "",
                "1" if window == 1 else "0"]

    rows = [row("a", 1, 0), row("a", 0, 1), row("a", 0, 0), row("b", 0, 0), ["short"]]
    assert len(rows[0]) == len(FIELDS)
    assert [w.zoomed for w in build_sessions(rows, lambda pid: "", None, 0)[0].windows] == [False, True]
    assert build_sessions([r[:-1] for r in rows], lambda pid: "", None, 0)[0].windows[1].zoomed is False
    sessions = build_sessions(rows, lambda pid: "", None, 0)
    assert [s.name for s in sessions] == ["a", "b"]
    assert [w.index for w in sessions[0].windows] == [0, 1]
    assert [p.index for p in sessions[0].windows[0].panes] == [0, 1]


def test_layout_helpers() -> None:
    assert layout_size("b25d,80x24,0,0,0") == (80, 24)
    assert layout_size("garbage") is None
    assert layout_shape("d7e7,120x40,0,0{60x40,0,0,2,59x40,61,0,4}") == "120x40,0,0{60x40,0,0,59x40,61,0}"


def test_errors_map_to_exit_codes() -> None:
    assert isinstance(_error("list-panes", "no server running on /tmp/tmux-0/x"), UnavailableError)
    assert _error("list-panes", "no server running on /tmp/x").exit_code == ExitCode.UNAVAILABLE
    other = _error("kill-pane", "can't find pane: %99")
    assert type(other) is PerthError and "can't find pane" in other.message


def test_missing_binary_and_timeout_are_unavailable() -> None:
    with pytest.raises(UnavailableError, match="not installed"):
        TmuxDriver(binary="/nonexistent/tmux").run("-V")
    slow = TmuxDriver(binary="sleep", timeout_s=0.05)
    with pytest.raises(UnavailableError, match="did not answer"):
        slow.run("5")


pane = st.builds(PaneSnap, index=st.integers(0, 9), cwd=st.text(max_size=8), command=st.text(max_size=8),
                 floating=st.booleans(), focused=st.booleans())
window = st.builds(WindowSnap, index=st.integers(0, 9), name=st.text(max_size=5), layout=st.text(max_size=5),
                   active=st.booleans(), panes=st.lists(pane, max_size=3).map(tuple))
session = st.builds(SessionSnap, name=st.text(max_size=5), windows=st.lists(window, max_size=3).map(tuple))


@given(st.lists(session, max_size=3).map(tuple))
def test_snapshot_json_round_trips(sessions: tuple[SessionSnap, ...]) -> None:
    snap = Snapshot(id="x", name="n", created_at=1, mux="tmux", scope="*", sessions=sessions)
    assert Snapshot.from_json(snap.to_json()) == snap


def test_views_do_not_repeat_their_title() -> None:
    from perth.mux.model import SessionSnap, Snapshot
    from perth.mux.views import show_view
    from perth.views.document import render

    snap = Snapshot(id="x", name="morning", created_at=0, mux="tmux", scope="all", kind="named", pinned=False,
                    sessions=(SessionSnap(name="work", windows=()),))
    text = render(show_view(snap), "text").splitlines()
    assert text[0] == "Snapshot morning" and "Snapshot:" not in text


def test_a_pane_running_perth_itself_records_no_command() -> None:
    import os

    from perth.mux.process import ProcessTable

    me = os.getpid()
    table = ProcessTable({100: (1, "-bash"), me: (100, "python -m perth snapshot save"), 200: (1, "-zsh"),
                          201: (200, "vim notes.md")})
    assert table.command_of(100) == ""
    assert table.command_of(200) == "vim notes.md"
