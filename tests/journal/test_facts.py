"""Commits read from real repositories: window, diff stats, odd subjects and paths, redaction, bounds."""

from __future__ import annotations

import time
from pathlib import Path

from perth.journal.facts import MARK, commits_between, local_branches, parse_log, recent_commits
from tests.gitrepo import git
from tests.journal.conftest import BASE, MIN, commit, make_repo, make_rt

TOKEN = "ghp_" + "Ab3dEf6hIj9kLm2oPq5sTu8wXy1zAb4dEf7h"


def test_commits_in_the_window_with_numstat_renames_and_binary_files(work: Path) -> None:
    repo = make_repo(work / "r")
    before = commit(repo, "before the window", BASE - 10 * MIN)
    first = commit(repo, "add two files", BASE, {"a.txt": "1\n2\n3\n", "dir/b.txt": "x\n"})
    git(repo, "mv", "a.txt", "renamed.txt")
    (repo / "blob.bin").write_bytes(b"\0\1\2binary")
    git(repo, "add", "blob.bin")
    second = commit(repo, "rename and binary", BASE + 5 * MIN, {"dir/b.txt": "y\n"})
    rt = make_rt(work)
    read = commits_between(rt, str(repo), BASE, BASE + 10 * MIN)
    assert read.warning is None
    by_sha = {c.sha: c for c in read.commits}
    assert set(by_sha) == {first, second} and before not in by_sha
    assert (by_sha[first].added, by_sha[first].removed, by_sha[first].files) == (4, 0, ("a.txt", "dir/b.txt"))
    assert by_sha[second].added == 1 and set(by_sha[second].files) == {"renamed.txt", "blob.bin", "dir/b.txt"}
    assert by_sha[second].branch == "main" and by_sha[second].at_ms == BASE + 5 * MIN
    assert by_sha[second].short == second[:7]


def test_subjects_and_paths_with_any_characters_parse_and_secrets_are_redacted(work: Path) -> None:
    repo = make_repo(work / "r")
    subject = f"fix: tabs\tand ünïcödé, NUL-ish \x1e marks and export GITHUB_TOKEN={TOKEN}"
    sha = commit(repo, subject, BASE, {f"weird name\twith tab {TOKEN}.txt": "x\n"})
    read = commits_between(make_rt(work), str(repo), BASE - MIN, BASE + MIN)
    [fact] = read.commits
    assert fact.sha == sha
    assert TOKEN not in fact.subject and "[REDACTED:" in fact.subject and fact.subject.startswith("fix: tabs\tand ü")
    assert len(fact.files) == 1 and TOKEN not in fact.files[0] and fact.files[0].startswith("weird name\twith tab")


def test_branch_filter_and_other_branches(work: Path) -> None:
    repo = make_repo(work / "r")
    commit(repo, "on main", BASE)
    git(repo, "checkout", "-q", "-b", "feature/x")
    on_feature = commit(repo, "on feature", BASE + MIN)
    rt = make_rt(work)
    assert local_branches(str(repo)) == {"main", "feature/x"}
    everything = commits_between(rt, str(repo), BASE - MIN, BASE + 2 * MIN)
    assert len(everything.commits) == 2
    only_main = commits_between(rt, str(repo), BASE - MIN, BASE + 2 * MIN, branches=["main", "gone"])
    assert [c.subject for c in only_main.commits] == ["on main"]
    recent = recent_commits(rt, str(repo), "feature/x", 5)
    assert recent.commits[0].sha == on_feature and len(recent.commits) == 2
    assert recent_commits(rt, str(repo), "deleted", 5).warning is not None


def test_the_count_is_bounded_and_says_so(work: Path) -> None:
    repo = make_repo(work / "r")
    for index in range(5):
        commit(repo, f"c{index}", BASE + index * 1000)
    read = commits_between(make_rt(work), str(repo), BASE - MIN, BASE + MIN, max_count=3)
    assert [c.subject for c in read.commits] == ["c4", "c3", "c2"]
    assert read.warning is not None and "more than 3" in read.warning


def test_a_missing_repository_or_a_hanging_git_is_a_warning_not_a_crash(work: Path) -> None:
    rt = make_rt(work)
    read = commits_between(rt, str(work / "nope"), BASE, BASE + MIN)
    assert read.commits == () and read.warning
    repo = make_repo(work / "r")
    commit(repo, "x", BASE)
    started = time.monotonic()
    slow = commits_between(rt, str(repo), BASE - MIN, BASE + MIN, timeout_s=0.000001)
    assert time.monotonic() - started < 5
    assert slow.warning is not None and "took over" in slow.warning


def test_malformed_records_are_skipped() -> None:
    good = MARK + "a" * 40 + "\0main\0" + "1700000000\0subject\0\0\n3\t1\tf.py\0"
    assert [c.subject for c in parse_log(good + MARK + "zz\0\0\0" + MARK + "b" * 40 + "\0x\0notanumber\0s\0")] \
        == ["subject"]
    assert parse_log("") == [] and parse_log("garbage") == []
