"""``perth journal verify``: a hand-written session log checked against a real repository."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.journal.logparse import heading_window, line_branches, line_counts, line_shas, parse_session_log
from perth.journal.verify import resolve_objects
from tests.gitrepo import git
from tests.journal.conftest import BASE, HOUR, MIN, commit, make_repo

# The shape of the seed's "Session History" document (shortened): headings with dates, times and zones,
# bold Branch lines, SHAs after "Commit:"/"Commits:", a commit count, and a migration id that is not a SHA.
SEED = """## Session History

---

## Session: 2025-12-04 ~1:00-2:15 PM PST (LATEST)

**Duration**: ~75 minutes
**Branch**: feature/mrktzr-module
**Focus**: Module integration + code review

### Work Completed

- Moved the module into `hub/modules/mrktzr/`
- Found 25 issues (8 P1 critical, 9 P2 important, 8 P3 nice-to-have)

---

## Session: 2025-11-19 10:01 AM

**Duration**: ~3 hours (started 10:01 AM)
**Branch**: main

1. Workflow execution monitor
   - Commits: d5a0972, 9ac4919
2. Design document created
   - Commit: c7e538b

## Session: 2025-11-19 15:30 PST
**Duration**: ~2.5 hours
**Branch**: main

1. Created workflow metrics module - Commit: 8997fa8
2. Added spans - Commit: 2b96e13
3. Dashboards - Commit: 3f23995, 24526b5

**Total Progress**: 11 commits, 9 files created/modified, +3,101 lines, -84 lines

## Session: 2025-12-05 15:30-16:00 PST
**Branch**: fix/ci-infrastructure-issues

- Fixed migration `d3e92d35ba2f` to use `current_database()`
- CI running on commit `48ab1c5` - awaiting results
"""


@pytest.fixture
def history(work: Path) -> dict[str, Any]:
    """A repository with a morning on main and an afternoon on feature/login."""
    repo = make_repo(work / "proj")
    first = commit(repo, "scaffold", BASE + 10 * MIN)
    second = commit(repo, "add config", BASE + 40 * MIN)
    git(repo, "checkout", "-q", "-b", "feature/login")
    third = commit(repo, "login form", BASE + 5 * HOUR + 5 * MIN)
    fourth = commit(repo, "login tests", BASE + 5 * HOUR + 20 * MIN)
    return {"repo": repo, "shas": [first, second, third, fourth]}


def log_text(shas: list[str], *, count: int = 2, branch: str = "feature/login", sha: str | None = None) -> str:
    return f"""# Session history

## Session: 2026-03-02 09:00-09:45 UTC

**Branch**: main

### Work completed
- Scaffolded the project (`{shas[0][:7]}`)
- Commit: {shas[1][:9]}
- Total: 2 commits

---

## Session: 2026-03-02 ~2:00-2:30 PM UTC

**Branch**: {branch}

### Work Completed
- Commits: {(sha or shas[2])[:7]}, {shas[3][:8]}
- {count} commits, +40 lines
- Fixed migration `d3e92d35ba2f` (not a commit: a migration id)

```sh
git show deadbeef123   # code blocks are not claims
```
"""


def test_a_correct_log_passes(history: dict[str, Any], cli: Callable[..., Any], work: Path) -> None:
    path = work / "SESSIONS.md"
    path.write_text(log_text(history["shas"]))
    result = cli("journal", "verify", str(path), "--repo", str(history["repo"]))
    assert result.code == 0, result.out + result.err
    assert "OK: checked 4 SHA(s), 2 count(s) and 2 branch claim(s) in 2 session(s)" in result.out


def test_wrong_sha_count_and_branch_are_reported_with_their_lines(history: dict[str, Any],
                                                                   cli: Callable[..., Any], work: Path) -> None:
    path = work / "SESSIONS.md"
    path.write_text(log_text(history["shas"], count=3, branch="feature/logout", sha="abc1234"))
    result = cli("journal", "--repo", str(history["repo"]), "verify", str(path))
    assert result.code == 5
    lines = result.out.splitlines()
    assert f"{path}:19: commit abc1234 does not exist in this repository" in lines
    assert f"{path}:20: claims 3 commits; git has 2 on any local branch inside the session's time window" in lines
    assert f"{path}:16: branch feature/logout does not exist (neither local nor remote-tracking)" in lines
    assert "3 claim(s)" in result.err and "do not match git" in result.err
    document = json.loads(cli("journal", "verify", str(path), "--repo", str(history["repo"]), "--format",
                              "json").out)
    assert document["schema"] == "perth.journal.verify.v1" and document["ok"] is False
    assert {(m["line"], m["kind"]) for m in document["mismatches"]} == {(19, "sha-missing"), (20, "count"),
                                                                      (16, "branch-missing")}
    assert set(document) == {"schema", "file", "repo", "ok", "sections", "checked", "mismatches", "notes"}


def test_a_commit_on_another_branch_and_a_count_against_listed_shas(history: dict[str, Any],
                                                                    cli: Callable[..., Any], work: Path) -> None:
    shas = history["shas"]
    path = work / "log.md"
    path.write_text(f"## 2026-03-03 notes\n\nBranch: main\n\n- commit {shas[3][:7]}\n- commit {shas[0][:7]}\n"
                    "- 3 commits today\n")
    result = cli("journal", "verify", str(path), "--repo", str(history["repo"]))
    assert result.code == 5
    assert f"{path}:5: commit {shas[3][:7]} is not on branch main" in result.out
    assert f"{path}:7: claims 3 commits but the section lists 2 distinct SHAs" in result.out


def _ambiguous_prefix() -> tuple[str, bytes, bytes]:
    """Two blob contents whose object ids share 7 hex digits (birthday search, about 20k hashes)."""
    seen: dict[str, bytes] = {}
    index = 0
    while True:
        content = f"blob content {index}\n".encode()
        oid = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()  # noqa: S324 - git's object id
        prefix = oid[:7]
        if prefix in seen and any(c.isdigit() for c in prefix) and any(c.isalpha() for c in prefix):
            return prefix, seen[prefix], content
        seen[prefix] = content
        index += 1


def test_an_ambiguous_short_sha_and_a_blob_are_mismatches(history: dict[str, Any], cli: Callable[..., Any],
                                                          work: Path) -> None:
    repo = history["repo"]
    prefix, one, two = _ambiguous_prefix()
    for content in (one, two):
        subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=content, check=True,
                       capture_output=True)
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    objects = resolve_objects(str(repo), [prefix, tree, history["shas"][0][:7]])
    assert objects.problems[prefix][0] == "sha-ambiguous" and objects.problems[tree][0] == "not-a-commit"
    assert objects.full[history["shas"][0][:7]] == history["shas"][0]
    path = work / "log.md"
    path.write_text(f"## 2026-03-02 session\n\n- fixed it (`{prefix}`)\n")
    result = cli("journal", "verify", str(path), "--repo", str(repo))
    assert result.code == 5 and f"{path}:3: short SHA {prefix} is ambiguous" in result.out


def test_missing_file_and_not_a_repository(cli: Callable[..., Any], work: Path, history: dict[str, Any]) -> None:
    assert cli("journal", "verify", str(work / "absent.md"), "--repo", str(history["repo"])).code == 3
    path = work / "log.md"
    path.write_text("## 2026-03-02\n- commit abc1234\n")
    outside = cli("journal", "verify", str(path))  # the working directory is not a repository
    assert outside.code == 1 and "not inside a git repository" in outside.err and "--repo" in outside.err


def test_an_uncheckable_count_is_a_note_not_a_mismatch(history: dict[str, Any], cli: Callable[..., Any],
                                                       work: Path) -> None:
    path = work / "log.md"
    path.write_text("## Session: 2026-03-02 10:01 AM\n\n**Total Progress**: 11 commits, 9 files\n")
    result = cli("journal", "verify", str(path), "--repo", str(history["repo"]))
    assert result.code == 0 and "note: 11 commits cannot be checked" in result.out


def test_the_seed_session_history_parses_as_a_person_would_read_it() -> None:
    sections = [s for s in parse_session_log(SEED) if s.is_session]
    assert len(sections) == 4
    first = sections[0]
    assert [b.value for b in first.branches] == ["feature/mrktzr-module"]
    assert first.start_ms is not None and first.end_ms is not None
    assert first.end_ms - first.start_ms == 75 * MIN - 1 + MIN  # ~1:00-2:15 PM PST, the end minute included
    afternoon = next(s for s in sections if s.title.startswith("Session: 2025-11-19 15:30"))
    assert [c.value for c in afternoon.counts] == ["11"] and len(afternoon.shas) == 4
    assert [c.value for c in sections[1].shas] == ["d5a0972", "9ac4919", "c7e538b"]
    assert sections[1].start_ms is None  # a start time alone is no window
    ci = sections[-1]
    assert [c.value for c in ci.shas] == ["48ab1c5"]  # not the migration id d3e92d35ba2f on the line before


@pytest.mark.parametrize(("line", "shas"), [
    ("- Commits: d5a0972, 9ac4919", ["d5a0972", "9ac4919"]),
    ("CI running on commit `48ab1c5` - awaiting", ["48ab1c5"]),
    ("- fix token refresh (`a1b2c3d`, +12/-3)", ["a1b2c3d"]),
    ("- decided (entry `0a1b2c3d`)", []),
    ("colour #a1b2c3d4 and file a1b2c3d.py and 1234567 and deadbeefcafe", []),
    ("commit 1234567", ["1234567"]),
    ("- bump (`1234567`, +1/-1) and (`abcdefa`, +0/-2)", ["1234567", "abcdefa"]),
    ("url https://x/commit/a1b2c3d", []),
])
def test_sha_rule(line: str, shas: list[str]) -> None:
    assert line_shas(line) == shas


def test_count_and_branch_rules() -> None:
    assert line_counts("**Total Progress**: 11 commits, 9 files") == ["11"]
    assert line_counts("squashed 1 commit and 1,024 commits") == ["1", "1024"]
    assert line_counts("**Commits**: 3") == ["3"]
    assert line_branches("**Branch**: feature/mrktzr-module") == ["feature/mrktzr-module"]
    assert line_branches("- **Branches**: main, `fix/x` (merged)") == ["main", "fix/x"]
    assert line_branches("pushed 2 commits on `main`") == ["main"]
    assert line_branches("lunch on `Friday`") == []


def test_heading_windows() -> None:
    hour = 3_600_000
    window = heading_window("Session: 2025-12-03 12:30-1:15 PM PST")
    assert window is not None and window[1] + 1 - window[0] == 46 * MIN
    late = heading_window("Session 2026-01-05 23:30 – 2026-01-06 00:45 +0100 (1h 15m active)")
    assert late is not None and late[1] + 1 - late[0] == 76 * MIN
    noon = datetime(2026, 1, 5, 11, 30, tzinfo=UTC).timestamp() * 1000
    assert heading_window("2026-01-05 11:30-12:15 PM UTC") == (noon, noon + 46 * MIN - 1)
    assert heading_window("2025-11-19 10:01 AM") is None and heading_window("no date") is None
    assert heading_window("2025-13-45 10:00-11:00") is None
    overnight = heading_window("2026-01-05 23:00-01:00 Z")
    assert overnight is not None and overnight[1] + 1 - overnight[0] == 2 * hour + MIN


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_the_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    for section in parse_session_log(text):
        assert all(c.line >= 1 for c in (*section.shas, *section.counts, *section.branches))


MARKDOWNISH = st.lists(st.sampled_from([
    "## Session 2026-01-05 14:00 – 15:30 +0100", "# T", "### x", "```", "~~~", "<!--", "-->", "**Branch**: ",
    "main", "`", "a1b2c3d", "commit", "commits", " ", "\n", "12", ":", "-", "PM", "PST", "2025-02-30", "99:99",
    "on `x`", "Branches:", ",", "and", "T", "~", "–",
]), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_the_parser_never_crashes_on_markdownish_text(text: str) -> None:
    sections = parse_session_log(text)
    for section in sections:
        if section.start_ms is not None:
            assert section.end_ms is not None and section.end_ms >= section.start_ms
