"""The model-free ``none`` provider: facts extracted from the collected sections, deterministically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.capture.records import Command
from perth.config import load_settings
from perth.ids import uuid7
from perth.panes.service import get_pane
from perth.paths import resolve_paths
from perth.redact import SecretFilter
from perth.resilience.policy import Timeouts
from perth.runtime import Runtime
from perth.summarize.context import collect_context
from perth.summarize.model import Budget, Context, Prompt, Section, Usage
from perth.summarize.providers.extractive import (
    KNOWN_SECTIONS,
    LINE_CHARS,
    ExtractiveProvider,
    extract_summary,
    parse_commands,
    parse_intents,
)
from tests.gitrepo import git

SECRETS = SecretFilter()
TIMEOUTS = Timeouts()

COMMANDS = """\
11-23 14:01 $ git status  # exit 0, 45ms
11-23 14:02 $ pytest -q tests/auth  # exit 1, 3.2s
11-23 14:03 $ vim src/auth.py  # exit 0, 2m05s
11-23 14:04 $ for f in *.py; do
    echo "$f"  # not the note
    done  # exit 0, 12ms, in src
11-23 14:05 $ pytest -q tests/auth  # exit 2, 2.9s
11-23 14:06 $ git status  # exit 0, 40ms
11-23 14:07 $ make lint  # exit ?, ?
[... cut at 16000 bytes]"""
INTENTS = """\
2026-11-23 13:50 [checkpoint] 1a2b3c4d: Started on the token refresh race
2026-11-23 13:55 [next] 5e6f7a8b: Write the migration for the sessions table
2026-11-23 14:08 [checkpoint, automated] 9c0d1e2f: Reproduced the race
    with two concurrent refreshes (goal: refresh is safe)"""
BRANCH = "branch: fix/auth\nupstream: origin/fix/auth [ahead 2, behind 1]"
STATUS = " M src/auth.py\nM  tests/test_auth.py\n?? notes.txt"
DIFFSTAT = """\
 src/auth.py        | 30 ++++++++++++++++++++----------
 tests/test_auth.py | 12 ++++++++++++
 README.md          |  2 +-
 3 files changed, 33 insertions(+), 11 deletions(-)"""
LOG = "a1b2c3d 2026-11-23 Guard the refresh with a lock\n0f9e8d7 2026-11-22 Add refresh tests"
FILES = "2026-11-23 14:03  src/auth.py\n2026-11-23 13:59  tests/test_auth.py"


def section(name: str, text: str, priority: int = 10, title: str = "") -> Section:
    return Section(name=name, title=title or name, priority=priority, text=SECRETS.redact(text, required=True))


def context(*sections: Section, pane: str | None = "fix/auth", repo: str | None = "/work/myrepo",
            branch: str | None = "fix/auth") -> Context:
    return Context(pane_id="p1" if pane else None, pane_name=pane, cwd="/work/myrepo/src", repo_root=repo,
                   branch=branch, since_ms=None, collected_at=1, sections=sections, reports=())


def full_context() -> Context:
    return context(section("intents", INTENTS), section("git.branch", BRANCH), section("commands", COMMANDS),
                   section("git.status", STATUS), section("git.diffstat", DIFFSTAT), section("git.log", LOG),
                   section("files", FILES), section("git.diff", "diff --git a/x b/x\n+added"))


def prompt_for(ctx: Context | None) -> Prompt:
    text = SECRETS.redact("unused by the extractive provider", required=True)
    return Prompt(purpose="summary", system=text, user=text, max_output_tokens=100,
                  budget=Budget(limit_tokens=1, used_tokens=1, tokenizer="estimate", lines=()), context=ctx)


def test_the_summary_says_where_what_changed_and_what_is_next() -> None:
    assert extract_summary(full_context()).splitlines() == [
        "Worked in pane fix/auth on myrepo (fix/auth, ahead 2, behind 1).",
        "Recent commands: 7, 2 failed; last failure: `pytest -q tests/auth` (exit 2); "
        "latest: `pytest -q tests/auth`, `git status`, `make lint`.",
        "Changes: 3 files changed, +33 -11 (src/auth.py, tests/test_auth.py, README.md); "
        "2 uncommitted files, 1 untracked file.",
        'Recent commits: 2 listed, latest a1b2c3d (2026-11-23) "Guard the refresh with a lock".',
        "Last intent: [checkpoint] Reproduced the race with two concurrent refreshes (goal: refresh is safe)",
        "Next step: Write the migration for the sessions table",
    ]


def test_the_provider_returns_the_summary_without_usage() -> None:
    completion = ExtractiveProvider().complete(prompt_for(full_context()), TIMEOUTS)
    assert (completion.provider, completion.model) == ("none", "extractive")
    assert completion.text == extract_summary(full_context())
    assert completion.usage == Usage(input_tokens=None, output_tokens=None)
    assert completion.warnings == ()


def test_commands_parse_multiline_commands_and_unknown_exits() -> None:
    commands = parse_commands(COMMANDS)
    assert [c.exit for c in commands] == [0, 1, 0, 0, 2, 0, None]
    assert commands[3].text == 'for f in *.py; do\necho "$f"  # not the note\ndone'
    assert commands[6].text == "make lint"


def test_intents_keep_their_type_without_the_source() -> None:
    assert [(i.type, i.summary[:20]) for i in parse_intents(INTENTS)] == [
        ("checkpoint", "Started on the token"), ("next", "Write the migration "), ("checkpoint", "Reproduced the race\n")]


def test_missing_sections_are_left_out() -> None:
    assert extract_summary(context()) == ("Worked in pane fix/auth on myrepo (fix/auth).\n"
                                          "No commands, changes or intents were recorded.")
    only_files = extract_summary(context(section("files", FILES), pane=None, repo=None, branch=None))
    assert only_files == ("Worked in /work/myrepo/src.\n"
                          "Changes: recently modified src/auth.py, tests/test_auth.py.")


def test_a_diff_stands_in_for_a_missing_diffstat_and_a_clean_tree_is_said() -> None:
    diff = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n-old\n+new\n+more"
    text = extract_summary(context(section("git.diff", diff), section("git.status", "clean: no changes")))
    assert "Changes: 1 file changed, +2 -1; working tree clean." in text


def test_a_detached_head_and_an_up_to_date_upstream() -> None:
    text = extract_summary(context(section("git.branch", "detached HEAD at abc1234\nupstream: none"), branch=None))
    assert text.startswith("Worked in pane fix/auth on myrepo (detached HEAD at abc1234).")
    text = extract_summary(context(section("git.branch", "branch: main\nupstream: origin/main [up to date]")))
    assert text.startswith("Worked in pane fix/auth on myrepo (main).")


def test_other_sections_are_listed_by_title_for_narratives() -> None:
    text = extract_summary(context(section("journal.sessions", "2 sessions, 3h10m active\nmore\nmore", title="Sessions"),
                                   pane=None))
    assert "Sessions: 2 sessions, 3h10m active (+2 more lines)" in text


def test_no_context_is_said_plainly() -> None:
    assert extract_summary(None) == "No context was collected, so there is nothing to summarize."


def test_redacted_commands_stay_redacted() -> None:
    secret = "ghp_" + "Zq8Yv3Xw7Tu1Sr5Qp9On2Ml6Kj4Ih0Gf8Ed"
    text = extract_summary(context(section("commands", f"11-23 14:01 $ export GITHUB_TOKEN={secret}  # exit 1, 1ms")))
    assert secret not in text
    assert "[REDACTED:" in text


section_names = st.sampled_from((*KNOWN_SECTIONS, "journal.facts", ""))
line_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from([*COMMANDS.splitlines(), *INTENTS.splitlines(), *DIFFSTAT.splitlines(), *STATUS.splitlines(),
                     *LOG.splitlines(), *BRANCH.splitlines(), "exit 99999999999999999999", " 9" * 500 + " files changed"]),
)
section_texts = st.lists(line_text, max_size=12).map("\n".join)
contexts = st.builds(
    lambda sections, pane, repo, branch: context(*(section(n, t) for n, t in sections), pane=pane, repo=repo,
                                                 branch=branch),
    st.lists(st.tuples(section_names, section_texts), max_size=8),
    st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.text(max_size=30)),
    st.one_of(st.none(), st.text(max_size=30)))


@settings(max_examples=300, deadline=None)
@given(contexts)
def test_any_context_gives_a_bounded_deterministic_summary(ctx: Context) -> None:
    first = extract_summary(ctx)
    again = extract_summary(Context(**{name: getattr(ctx, name) for name in Context._fields}))
    assert first == again
    assert first.strip()
    lines = first.split("\n")
    assert 1 < len(lines) <= 16
    assert all(line and len(line) <= LINE_CHARS for line in lines)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=20_000))
def test_large_adversarial_sections_stay_fast(text: str) -> None:
    big = context(*(section(name, text * 3) for name in KNOWN_SECTIONS))
    assert extract_summary(big)


def test_it_reads_what_the_real_collectors_write(repo: Path, cli: Callable[..., object],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    cli("log", "Started the parser rewrite", "--pane", "parser")
    cli("log", "Wire the parser into the CLI", "--type", "next", "--pane", "parser")
    (repo / "README.md").write_text("hello\nworld\n")
    (repo / "parser.py").write_text("print('x')\n")
    git(repo, "add", "parser.py")
    git(repo, "commit", "-q", "-m", "Add the parser")
    (repo / "parser.py").write_text("print('y')\nprint('z')\n")
    rt = Runtime(load_settings(resolve_paths()), cwd=str(repo))
    pane = get_pane(rt, "parser")
    now = rt.clock()
    rt.store.commands.add([
        Command(id=uuid7(), pane_id=pane.id, pane_name=pane.name, start_ms=now - 3000 + i * 1000, duration_ms=100,
                exit=code, command=text, cwd=str(repo), dedup_key=f"test-{i}")
        for i, (text, code) in enumerate([("pytest -q", 1), ("vim parser.py", 0), ("pytest -q -x", 0)])])
    summary = extract_summary(collect_context(rt, pane))
    assert "Worked in pane parser on myrepo (feature/x" in summary
    assert "Recent commands: 3, 1 failed; last failure: `pytest -q` (exit 1)" in summary
    assert "Changes: 2 files changed, +3 -1 (parser.py, README.md); 2 uncommitted files." in summary
    assert 'latest' in summary and '"Add the parser"' in summary
    assert "Last intent: [next] Wire the parser into the CLI" in summary


def test_an_open_blocker_is_reported_with_the_next_step() -> None:
    intents = ("2026-11-23 13:50 [blocker] 1a2b3c4d: CI runner is out of disk\n"
               "2026-11-23 13:55 [next, agent-x] 5e6f7a8b: Ask ops for a bigger runner\n"
               "2026-11-23 14:00 [decision] 9c0d1e2f: Skip the slow suite for now")
    lines = extract_summary(context(section("intents", intents))).splitlines()
    assert lines[-3:] == ["Last intent: [decision] Skip the slow suite for now",
                          "Next step: Ask ops for a bigger runner", "Blocker: CI runner is out of disk"]


def test_earlier_automated_summaries_are_not_quoted_as_intents() -> None:
    intents = ("2026-11-23 13:50 [next] 1a2b3c4d: add the verify tests\n"
               "2026-11-23 14:05 [checkpoint, perth summary] 5e6f7a8b: Worked in pane demo. Last intent: [next] a\n")
    assert [i.generated for i in parse_intents(intents)] == [False, True]
    lines = extract_summary(context(section("intents", intents))).splitlines()
    assert "Last intent: [next] add the verify tests" in lines
    assert not any("Worked in pane demo" in line for line in lines)
    only_automated = extract_summary(context(section("intents", intents.splitlines()[1] + "\n")))
    assert "Last intent" not in only_automated
