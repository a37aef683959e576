"""``perth journal`` over real repositories, captured commands and logged intents."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.capture.records import CommandQuery
from perth.clock import to_iso
from perth.errors import InvalidInputError, NotFoundError, UnavailableError
from perth.journal.model import Journal, Session
from perth.journal.service import JournalRequest, build_journal
from perth.runtime import Runtime
from perth.views.journal import render_journal
from tests.journal.conftest import BASE, HOUR, MIN, capture, commit, intent, make_repo, make_rt, pane

TOKEN = "ghp_" + "Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1z"


class World:
    """Two work sessions in one repository, two hours apart, plus a second pane elsewhere."""

    def __init__(self, work: Path) -> None:
        self.repo = make_repo(work / "app")
        self.rt = make_rt(work)
        pane(self.rt, "fix/auth", self.repo)
        capture(self.rt, "fix/auth", "git status", BASE, repo=self.repo)
        capture(self.rt, "fix/auth", "make test", BASE + 5 * MIN, repo=self.repo, exit_status=2, duration_ms=30_000)
        self.c1 = commit(self.repo, "fix token refresh", BASE + 10 * MIN, {"auth.py": "a\nb\nc\n"})
        self.decision = intent(self.rt, "fix/auth", "rotate refresh tokens on every use", BASE + 12 * MIN, "decision")
        self.c2 = commit(self.repo, f"ci: export GITHUB_TOKEN={TOKEN}", BASE + 20 * MIN, {"ci.yml": "x\n"})
        self.milestone = intent(self.rt, "fix/auth", "auth flow works end to end", BASE + 25 * MIN, "milestone")
        self.blocker = intent(self.rt, "fix/auth", "staging DB is down", BASE + 26 * MIN, "blocker")
        self.next = intent(self.rt, "fix/auth", "ask ops about staging", BASE + 27 * MIN, "next")
        later = BASE + 2 * HOUR + 30 * MIN
        capture(self.rt, "fix/auth", "pytest -q", later, repo=self.repo)
        self.c3 = commit(self.repo, "add tests", later + 10 * MIN, {"test_auth.py": "1\n2\n"})
        self.note = intent(self.rt, "fix/auth", "tests pass", later + 15 * MIN)
        self.other = make_repo(work / "other")
        pane(self.rt, "docs", self.other)
        self.c4 = commit(self.other, "docs: typo", later + 12 * MIN, {"README": "x\n"})
        capture(self.rt, "docs", "vim README", later + 11 * MIN, repo=self.other)

    def journal(self, **request: Any) -> Journal:
        defaults: dict[str, Any] = {"since_ms": BASE - HOUR, "until_ms": BASE + 6 * HOUR}
        return build_journal(self.rt, JournalRequest(**{**defaults, **request}))


@pytest.fixture
def world(work: Path) -> World:
    return World(work)


def _sha_exists(repo: Path, sha: str) -> bool:
    done = subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{sha}^{{commit}}"], check=False)
    return done.returncode == 0


def _check_sources(rt: Runtime, session: Session, repos: list[Path]) -> None:
    command_ids = {c.id for c in rt.store.commands.stream(CommandQuery())}
    for claim in session.claims():
        assert claim.source_kind in ("commit", "entry", "command")
        if claim.source_kind == "commit":
            assert any(_sha_exists(repo, claim.source_id) for repo in repos), claim
            assert claim.short == claim.source_id[:7]
        elif claim.source_kind == "entry":
            assert rt.store.entries.get(claim.source_id) is not None, claim
            assert claim.short == claim.source_id[-8:]
        else:
            assert claim.source_id in command_ids, claim


def test_sessions_split_at_the_idle_gap_with_sourced_claims_and_stats(world: World) -> None:
    journal = world.journal()
    assert [len(s.commits) for s in journal.sessions] == [2, 2]  # newest first: c3 + c4, then c1 + c2
    late, early = journal.sessions
    assert [c.sha for c in early.commits] == [world.c1, world.c2]
    assert {c.sha for c in late.commits} == {world.c3, world.c4}
    assert early.start_ms == BASE and early.end_ms == BASE + 27 * MIN
    assert early.stats.to_json() == {"commands": 2, "failures": 1, "commits": 2, "added": 4, "removed": 0}
    assert late.stats.to_json() == {"commands": 2, "failures": 0, "commits": 2, "added": 3, "removed": 0}
    assert [c.source_id for c in early.decisions] == [world.decision.id]
    assert [c.source_id for c in early.milestones] == [world.milestone.id]
    assert [c.source_id for c in early.blockers] == [world.blocker.id]
    assert [c.source_id for c in early.next_steps] == [world.next.id]
    assert [c.text for c in early.failures] == ["make test"] and early.failures[0].detail == "exit 2"
    assert early.branches == ("main",) and early.panes == ("fix/auth",)
    assert early.files_touched == ("auth.py", "ci.yml")
    assert late.files_touched == ("app:test_auth.py", "other:README")  # two repositories: prefixed
    assert early.active_ms == 27 * MIN  # no pause longer than the 10-minute cap
    for session in journal.sessions:
        _check_sources(world.rt, session, [world.repo, world.other])


def test_secrets_in_commit_subjects_never_reach_any_format(world: World) -> None:
    journal = world.journal()
    for fmt in ("markdown", "text", "json", "llm"):
        out = render_journal(journal, fmt)
        assert TOKEN not in out and "[REDACTED:github-pat]" in out, fmt
    assert world.c2[:7] in render_journal(journal, "markdown")


def test_markdown_names_every_source(world: World) -> None:
    out = render_journal(world.journal(), "markdown")
    assert f"- fix token refresh (`{world.c1[:7]}`, +3/-0)" in out
    assert f"- rotate refresh tokens on every use (entry `{world.decision.id[-8:]}`)" in out
    assert f"- Milestone: auth flow works end to end (entry `{world.milestone.id[-8:]}`)" in out
    assert "- `make test` (exit 2, command `" in out
    assert out.count("## Session 2026-03-02 ") == 2
    assert "**Stats**: 2 commands, 1 failed, 2 commits, +4/-0 lines" in out


def test_json_contract(world: World) -> None:
    document = json.loads(render_journal(world.journal(), "json"))
    assert document["schema"] == "perth.journal.v1"
    assert set(document) == {"schema", "scope", "since", "until", "idle_gap_min", "generated_at", "count", "sessions",
                             "warnings"}
    session = document["sessions"][1]
    assert set(session) == {"id", "start", "end", "active_ms", "repos", "branches", "panes", "commits", "milestones",
                            "decisions", "blockers", "next", "notes", "failures", "files_touched", "stats",
                            "narrative"}
    assert set(session["commits"][0]) == {"sha", "short", "repo", "at", "subject", "branch", "added", "removed",
                                          "files"}
    assert set(session["decisions"][0]) == {"text", "entry_id", "short", "at"}
    assert set(session["failures"][0]) == {"command", "command_id", "short", "at", "exit"}
    assert session["failures"][0]["exit"] == 2 and session["start"] == to_iso(BASE)
    assert session["narrative"] is None and document["idle_gap_min"] == 30


def test_idle_gap_setting_and_override(world: World, work: Path) -> None:
    assert len(world.journal(idle_gap_min=180).sessions) == 1
    wide = make_rt(work, **{"journal.idle_gap_min": "180"})
    assert len(build_journal(wide, JournalRequest(since_ms=BASE - HOUR, until_ms=BASE + 6 * HOUR)).sessions) == 1
    assert len(world.journal(idle_gap_min=1).sessions) > 2


def test_scopes_pane_and_repo(world: World) -> None:
    docs = world.journal(pane="docs")
    assert [c.sha for s in docs.sessions for c in s.commits] == [world.c4]
    assert all(s.panes == ("docs",) for s in docs.sessions)
    app = world.journal(repo=str(world.repo))
    assert {c.sha for s in app.sessions for c in s.commits} == {world.c1, world.c2, world.c3}
    assert sum(s.stats.commands for s in app.sessions) == 3
    assert world.next.id in {c.source_id for s in app.sessions for c in s.next_steps}
    assert world.journal().sessions[0].id != app.sessions[0].id  # ids depend on the scope
    with pytest.raises(NotFoundError):
        world.journal(pane="nope")
    with pytest.raises(InvalidInputError):
        world.journal(repo=str(world.repo.parent))


def test_a_window_cutting_a_session_shows_it_whole_with_the_same_id(world: World) -> None:
    full = world.journal()
    cut = world.journal(since_ms=BASE + 15 * MIN, until_ms=BASE + 16 * MIN)
    assert [s.id for s in cut.sessions] == [full.sessions[1].id]
    assert cut.sessions[0] == full.sessions[1]
    assert world.journal().sessions == full.sessions  # deterministic


def test_a_single_bound_gives_a_seven_day_window(world: World) -> None:
    before = world.journal(since_ms=None, until_ms=BASE + 30 * MIN)
    assert before.since_ms == BASE + 30 * MIN - 7 * 24 * HOUR and len(before.sessions) == 1
    assert len(world.journal(since_ms=BASE + 2 * HOUR, until_ms=None).sessions) == 1


def test_last_n_sessions(world: World) -> None:
    newest = world.journal(since_ms=None, until_ms=None, last=1)
    assert [s.id for s in newest.sessions] == [world.journal().sessions[0].id]
    both = world.journal(since_ms=None, until_ms=None, last=5)
    assert len(both.sessions) == 2


@pytest.mark.parametrize(("request_fields", "message"), [
    ({"since_ms": BASE + HOUR, "until_ms": BASE}, "--since is after --until"),
    ({"since_ms": None, "until_ms": None, "last": 0}, "--last 0"),
    ({"last": 2}, "--last cannot be combined"),
    ({"idle_gap_min": 0}, "idle gap"),
    ({"since_ms": BASE + 13 * HOUR, "until_ms": None}, "starts after it ends"),  # the clock is BASE + 12h
])
def test_bad_requests_are_refused(world: World, request_fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        world.journal(**request_fields)


def test_narrate_uses_the_summarize_service_and_labels_the_text(world: World) -> None:
    journal = world.journal(narrate=True)
    narrative = journal.sessions[0].narrative
    assert narrative is not None and narrative.provider == "none" and narrative.text
    assert TOKEN not in narrative.text
    out = render_journal(journal, "markdown")
    assert "### Narrative (generated by none/" in out and "verify against the facts above" in out
    assert json.loads(render_journal(journal, "json"))["sessions"][0]["narrative"]["generated"] is True


def test_a_failing_narrator_leaves_the_facts_and_warns(world: World) -> None:
    def broken(_rt: Runtime, _sections: object) -> Any:
        raise UnavailableError("no provider in the chain answered", "check llm.chain")

    journal = build_journal(world.rt, JournalRequest(since_ms=BASE - HOUR, until_ms=BASE + 6 * HOUR, narrate=True),
                            narrator=broken)
    assert all(s.narrative is None for s in journal.sessions) and len(journal.sessions) == 2
    assert any("no narrative" in w for w in journal.warnings)


def test_a_repository_that_disappeared_is_a_warning(world: World) -> None:
    import shutil

    shutil.rmtree(world.other)
    journal = world.journal()
    assert any("no longer exists" in w for w in journal.warnings)
    assert world.c4 not in {c.sha for s in journal.sessions for c in s.commits}


def test_cli_forms_and_errors(world: World, cli: Callable[..., Any]) -> None:
    window = ["--since", to_iso(BASE - HOUR), "--until", to_iso(BASE + 6 * HOUR)]
    result = cli("journal", *window)
    assert result.code == 0, result.err
    assert result.out.startswith("# Work journal") and f"`{world.c1[:7]}`" in result.out and TOKEN not in result.out
    document = json.loads(cli("journal", *window, "--pane", "docs", "--format", "json").out)
    assert [c["sha"] for s in document["sessions"] for c in s["commits"]] == [world.c4]
    assert cli("journal", *window, "--format", "text").out.startswith("Work journal")
    bad = cli("journal", "--since", to_iso(BASE + HOUR), "--until", to_iso(BASE))
    assert bad.code == 1 and "--since is after --until" in bad.err and bad.err.count("\n") == 1
    assert cli("journal", "--last", "0").code == 1
    assert cli("journal", "--pane", "nope").code == 3
    assert cli("journal", "bogus").code == 2
