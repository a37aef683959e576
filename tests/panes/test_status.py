"""``perth status`` against a real git repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from perth.panes.entries import EntryDraft, log_entry
from perth.panes.service import PaneSpec, create_pane, set_pane_status
from perth.panes.status import status
from perth.runtime import Runtime
from tests.gitrepo import git


def test_where_was_i(make_rt: Callable[..., Runtime], repo: Path) -> None:
    rt = make_rt(cwd=repo)
    log_entry(rt, EntryDraft(summary="old next step", type="next", at=1000), None)
    log_entry(rt, EntryDraft(summary="shipped login", type="milestone", at=2000), None)
    log_entry(rt, EntryDraft(summary="write the logout test", type="next", at=3000), None)
    log_entry(rt, EntryDraft(summary="ran the suite", commands_run=("pytest -q", "ruff check"), at=4000), None)
    (repo / "README.md").write_text("changed\n")
    (repo / "new.py").write_text("x = 1\n")
    git(repo, "checkout", "-q", "-b", "feature/y")
    other = create_pane(rt, PaneSpec(name="elsewhere", cwd="/"))
    set_pane_status(rt, "elsewhere", "archived")
    report = status(rt)
    assert report.current.name == "myrepo/feature/y"
    assert [s.pane.name for s in report.panes] == ["myrepo/feature/x"]
    state = report.panes[0]
    assert state.branch == "feature/y"
    assert set(state.dirty) == {"README.md", "new.py"}
    assert state.dirty_total == 2
    assert state.last_entry is not None and state.last_entry.summary == "ran the suite"
    assert state.last_commands == ("pytest -q", "ruff check")
    assert [e.summary for e in state.next_steps] == ["write the logout test"]
    assert state.git_error is None
    assert other.name not in [s.pane.name for s in report.panes]


def test_current_pane_listed_first_and_limits(make_rt: Callable[..., Runtime]) -> None:
    rt = make_rt({"PERTH_PANE": "mine"})
    for name in ("a", "b", "mine", "c"):
        log_entry(rt, EntryDraft(summary=f"in {name}"), name)
    report = status(rt, limit=2)
    assert report.panes[0].pane.name == "mine"
    assert report.panes[0].current is True
    assert report.more == 2


def test_missing_repository_is_reported_not_fatal(make_rt: Callable[..., Runtime], repo: Path) -> None:
    rt = make_rt(cwd=repo)
    log_entry(rt, EntryDraft(summary="x"), None)
    import shutil

    shutil.rmtree(repo / ".git")
    report = status(rt)
    assert report.panes[0].git_error is not None
    assert report.panes[0].branch == "feature/x"


def test_a_token_in_the_branch_or_a_file_name_is_redacted_in_names_store_and_report(
        make_rt: Callable[..., Runtime], repo: Path) -> None:
    import random
    import string

    from perth.panes.resolve import resolve

    token = "ghp_" + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(36))
    git(repo, "checkout", "-q", "-b", f"fix-{token}")
    (repo / f"notes-{token}.txt").write_text("x\n")
    rt = make_rt(cwd=repo)
    found = resolve(rt)
    assert found.name == "myrepo/fix-REDACTED-github-pat"  # as capture ingest names it from redacted text
    log_entry(rt, EntryDraft(summary="working"), None)  # the automatic pane is created, not refused
    auto = rt.store.panes.get(name=found.name)
    assert auto is not None and auto.branch == "fix-[REDACTED:github-pat]"
    made = create_pane(rt, PaneSpec(name="explicit"))
    assert made.branch == "fix-[REDACTED:github-pat]" and made.repo_root == str(repo)
    report = status(rt)
    (state,) = [s for s in report.panes if s.pane.name == found.name]
    assert state.branch == "fix-[REDACTED:github-pat]"
    assert state.dirty == ("notes-[REDACTED:github-pat].txt",)
    assert token not in repr(report)
