"""``perth handoff``: state, decisions, open blockers, next steps, failures and the way back in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.errors import NotFoundError
from perth.journal.handoff import build_handoff, open_blockers
from perth.mux.model import PaneSnap, SessionSnap, Snapshot, WindowSnap
from perth.records import Entry, open_next_steps
from perth.views.document import render
from perth.views.journal import handoff_view
from tests.gitrepo import git
from tests.journal.conftest import BASE, MIN, capture, commit, intent, make_repo, make_rt, pane

TOKEN = "ghp_" + "Qw3eRt5yUi7oPa9sDf1gHj2kLz4xCv6bNm8q"


def _entry(index: int, kind: str, pane_id: str = "p1", tags: tuple[str, ...] = ()) -> Entry:
    return Entry(id=f"0190{index:04d}-0000-7000-8000-{index:012d}", pane_id=pane_id, pane_name=pane_id,
                 ts=BASE + index * MIN, summary=f"{kind} {index}", type=kind, tags=tags)


def test_open_blocker_rule() -> None:
    closed_by_tag = _entry(1, "blocker", tags=("resolved",))
    closed_later = _entry(2, "blocker")
    still_open = _entry(3, "blocker")
    other_pane = _entry(4, "blocker", pane_id="p2")
    resolver = _entry(5, "checkpoint", tags=(f"resolves:{closed_later.id[-8:]}",))
    entries = [closed_by_tag, closed_later, still_open, other_pane, resolver]
    assert open_blockers(entries) == [still_open, other_pane]
    unblocked = _entry(6, "checkpoint", tags=("unblocked",))
    assert open_blockers([*entries, unblocked]) == [other_pane]  # closes every earlier blocker of its pane
    assert open_blockers([_entry(7, "checkpoint", tags=("resolves:abc",)), still_open]) == [still_open]


def test_next_steps_after_the_latest_milestone() -> None:
    old_next, milestone, new_next = _entry(1, "next"), _entry(2, "milestone"), _entry(3, "next")
    assert open_next_steps([old_next, milestone, new_next]) == [new_next]
    assert open_next_steps([old_next, new_next]) == [old_next, new_next]


@pytest.fixture
def setup(work: Path) -> dict[str, Any]:
    repo = make_repo(work / "app")
    head = commit(repo, f"wire login, token {TOKEN}", BASE, {"login.py": "x\n"})
    git(repo, "checkout", "-q", "-b", "fix/login")
    rt = make_rt(work, now=BASE + 2 * 60 * MIN)
    pane(rt, "fix/login", repo)
    capture(rt, "fix/login", "pytest -q", BASE + MIN, repo=repo, branch="fix/login", exit_status=1)
    capture(rt, "fix/login", f"curl -H 'Authorization: Bearer {TOKEN}' x", BASE + 2 * MIN, repo=repo,
            branch="fix/login", exit_status=7)
    decision = intent(rt, "fix/login", "keep sessions server-side", BASE + 3 * MIN, "decision")
    blocker = intent(rt, "fix/login", "SSO sandbox rejects our callback", BASE + 4 * MIN, "blocker")
    gone = intent(rt, "fix/login", "CI is red", BASE + 5 * MIN, "blocker")
    intent(rt, "fix/login", "CI green again", BASE + 6 * MIN, tags=(f"resolves:{gone.id[-8:]}",))
    step = intent(rt, "fix/login", "write the callback test", BASE + 7 * MIN, "next")
    (repo / "dirty.txt").write_text("uncommitted\n")
    return {"rt": rt, "repo": repo, "head": head, "decision": decision, "blocker": blocker, "gone": gone,
            "step": step}


def test_handoff_content(setup: dict[str, Any]) -> None:
    note = build_handoff(setup["rt"], "fix/login")
    assert note.repo == str(setup["repo"]) and note.branch == "fix/login"
    assert note.dirty == ("dirty.txt",) and note.dirty_total == 1
    assert note.last_intent is not None and note.last_intent.source_id == setup["step"].id
    assert [c.source_id for c in note.decisions] == [setup["decision"].id]
    assert [c.source_id for c in note.blockers] == [setup["blocker"].id]
    assert [c.source_id for c in note.next_steps] == [setup["step"].id]
    assert [c.detail for c in note.failing] == ["exit 1", "exit 7"]
    assert [c.sha for c in note.commits] == [setup["head"]]
    commands = [s.command for s in note.resume]
    assert commands[:3] == [f"cd {setup['repo']}", "git switch fix/login", "export PERTH_PANE=fix/login"]
    assert "perth history --pane fix/login" in commands and note.snapshot is None
    for fmt in ("markdown", "text", "json", "llm"):
        out = render(handoff_view(note), fmt)
        assert TOKEN not in out, fmt
        assert setup["blocker"].id[-8:] in out or setup["blocker"].id in out


def test_handoff_points_at_the_snapshot_holding_the_pane(setup: dict[str, Any]) -> None:
    rt = setup["rt"]
    other = Snapshot(id="0190aaaa-0000-7000-8000-000000000001", name="later-other", created_at=BASE + 9 * MIN,
                     mux="tmux", scope="all", sessions=(SessionSnap(name="x", windows=(WindowSnap(
                         index=0, name="w", panes=(PaneSnap(index=0, perth_name="docs"),)),)),))
    mine = Snapshot(id="0190aaaa-0000-7000-8000-000000000002", name="with-login", created_at=BASE + 8 * MIN,
                    mux="tmux", scope="all", sessions=(SessionSnap(name="y", windows=(WindowSnap(
                        index=0, name="w", panes=(PaneSnap(index=0, perth_name="fix/login"),)),)),))
    rt.store.snapshots.add(other, "d1")
    rt.store.snapshots.add(mine, "d2")
    note = build_handoff(rt, "fix/login")
    assert note.snapshot == "with-login" and "perth restore with-login" in [s.command for s in note.resume]


def test_cli_handoff(setup: dict[str, Any], cli: Callable[..., Any]) -> None:
    result = cli("handoff", "--pane", "fix/login")
    assert result.code == 0, result.err
    assert result.out.startswith("# Handoff: fix/login") and "## Open blockers" in result.out
    assert f"(entry `{setup['blocker'].id[-8:]}`)" in result.out and TOKEN not in result.out
    document = json.loads(cli("handoff", "--pane", "fix/login", "--format", "json").out)
    assert document["schema"] == "perth.handoff.v1"
    assert set(document) == {"schema", "pane", "state", "commits", "decisions", "blockers", "next",
                             "failing_commands", "resume", "snapshot", "generated_at", "warnings"}
    assert [b["entry_id"] for b in document["blockers"]] == [setup["blocker"].id]
    assert document["state"]["last_intent"]["type"] == "next"
    assert cli("handoff", "--pane", "nobody").code == 3


def test_an_unknown_current_pane_is_not_found(work: Path) -> None:
    with pytest.raises(NotFoundError, match="no pane named"):
        build_handoff(make_rt(work))


def test_generated_summaries_are_neither_the_last_intent_nor_journal_notes(setup: dict[str, Any]) -> None:
    from perth.journal.service import JournalRequest, build_journal
    from perth.panes.entries import EntryDraft, log_entry

    rt = setup["rt"]
    summary, _ = log_entry(rt, EntryDraft(summary="Worked in pane fix/login (generated)", source="automated",
                                          tags=("summary",), at=BASE + 9 * MIN), "fix/login")
    scripted, _ = log_entry(rt, EntryDraft(summary="nightly job finished", source="automated", at=BASE + 8 * MIN),
                            "fix/login")
    note = build_handoff(rt, "fix/login")
    assert note.last_intent is not None and note.last_intent.source_id == scripted.id
    journal = build_journal(rt, JournalRequest(since_ms=BASE - MIN, until_ms=BASE + 60 * MIN, pane="fix/login"))
    notes = [claim.source_id for session in journal.sessions for claim in session.notes]
    assert scripted.id in notes and summary.id not in notes
