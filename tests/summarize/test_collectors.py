"""Context collectors on real temporary git repositories and a real store."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from perth.capture.records import Command
from perth.clock import to_local
from perth.config import load_settings
from perth.ids import uuid7
from perth.panes.entries import EntryDraft, log_entry, short_id
from perth.paths import resolve_paths
from perth.records import Pane
from perth.runtime import Runtime
from perth.summarize.collectors import (
    DEFAULT_COLLECTORS,
    Job,
    bound_bytes,
    duration_text,
    run_git,
    walk_recent,
)
from perth.summarize.context import collect_context
from perth.summarize.model import Context
from tests.gitrepo import git

GITHUB_PAT = "ghp_" + "Zq8XwT3vLmN5bR7kYp2HsD4fGj6KcA9eUi1o"  # fake, right shape
AWS_KEY = "AKIA" + "Q7ZP3KXM2RTV6WNB"

MakeRt = Callable[..., Runtime]


@pytest.fixture
def make_rt(perth_home: Path) -> Iterator[MakeRt]:
    """Runtimes over the test's PERTH_HOME, in a given directory, with setting overrides."""
    made: list[Runtime] = []

    def build(cwd: Path, env: dict[str, str] | None = None, **overrides: str) -> Runtime:
        environ = {**os.environ, **(env or {})}
        settings = load_settings(resolve_paths(environ), environ, {k.replace("__", "."): v for k, v in overrides.items()})
        rt = Runtime(settings=settings, environ=environ, cwd=str(cwd))
        made.append(rt)
        return rt

    yield build
    for rt in made:
        rt.close()


def section(context: Context, name: str) -> str:
    found = [s for s in context.sections if s.name == name]
    assert found, f"no section {name}: {context.reports}"
    return found[0].text


def report(context: Context, name: str) -> tuple[str, str]:
    found = [r for r in context.reports if r.name == name]
    assert len(found) == 1
    return found[0].status, found[0].detail


def git_only(context_rt: Runtime, pane: Pane | None = None, *, timeout_ms: int = 20_000) -> Context:
    chosen = [c for c in DEFAULT_COLLECTORS if c.name.startswith("git.") or c.name == "files"]
    return collect_context(context_rt, pane, collectors=chosen, timeout_ms=timeout_ms)


def add_pane(rt: Runtime, name: str = "fix/auth", cwd: str | None = None) -> Pane:
    pane = Pane(id=uuid7(), name=name, created_at=rt.clock(), last_seen_at=rt.clock(), cwd=cwd or rt.cwd,
                repo_root=cwd or rt.cwd)
    rt.store.panes.add(pane)
    return pane


def test_git_sections_show_branch_status_diff_and_log(repo: Path, make_rt: MakeRt) -> None:
    (repo / "app.py").write_text("print('one')\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-q", "-m", "add the app")
    git(repo, "branch", "-q", "--set-upstream-to=main")
    (repo / "app.py").write_text("print('one')\nprint('staged line')\n")
    git(repo, "add", "app.py")
    (repo / "README.md").write_text("hello\nunstaged line\n")
    (repo / "new.txt").write_text("untracked\n")
    context = git_only(make_rt(repo))

    assert context.repo_root == str(repo) and context.branch == "feature/x"
    assert section(context, "git.branch") == "branch: feature/x\nupstream: main [ahead 1]"
    status = section(context, "git.status").splitlines()
    assert "M  app.py" in status and " M README.md" in status and "?? new.txt" in status
    stat = section(context, "git.diffstat")
    assert "app.py" in stat and "README.md" in stat and "2 files changed" in stat
    diff = section(context, "git.diff")
    assert "+print('staged line')" in diff and "+unstaged line" in diff
    sha = git(repo, "rev-parse", "--short", "HEAD").strip()
    log = section(context, "git.log").splitlines()
    assert log[0].startswith(sha) and log[0].endswith("add the app") and log[1].endswith("first")
    assert all(r.status == "ok" for r in context.reports), context.reports
    priorities = [s.priority for s in context.sections]
    assert priorities == sorted(priorities)


def test_unborn_branch_shows_staged_changes(tmp_path: Path, make_rt: MakeRt) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q", "-b", "trunk")
    (root / "a.txt").write_text("alpha\n")
    git(root, "add", "a.txt")
    context = git_only(make_rt(root))
    assert section(context, "git.branch") == "branch: trunk\nno commits yet\nupstream: none"
    assert "+alpha" in section(context, "git.diff")
    assert report(context, "git.log") == ("ok", "no commits yet")
    assert not [s for s in context.sections if s.name == "git.log"]


def test_a_big_diff_is_cut_at_the_byte_limit(repo: Path, make_rt: MakeRt) -> None:
    big = repo / "big.txt"
    big.write_text("".join(f"original line {n}\n" for n in range(200_000)))  # ~4 MB
    git(repo, "add", "big.txt")
    git(repo, "commit", "-q", "-m", "big file")
    big.write_text("".join(f"changed line {n} {'x' * 10}\n" for n in range(200_000)))
    rt = make_rt(repo, **{"context__diff_bytes": "4000"})
    started = time.monotonic()
    context = git_only(rt)
    assert time.monotonic() - started < 15
    status, detail = report(context, "git.diff")
    assert status == "truncated" and detail == "cut at 4000 bytes"
    diff = section(context, "git.diff")
    assert len(diff.encode()) <= 4000
    assert diff.startswith("diff --git a/big.txt b/big.txt") and diff.endswith("[... cut at 4000 bytes]")
    assert all(line.startswith(("diff", "index", "---", "+++", "@@", "-", "+", " ", "[...")) for line in diff.splitlines())
    bytes_reported = next(r.bytes for r in context.reports if r.name == "git.diff")
    assert bytes_reported == len(diff.encode()) <= 4000


def test_run_git_stops_reading_at_the_limit(repo: Path, make_rt: MakeRt) -> None:
    (repo / "big.txt").write_text("line\n" * 1_000_000)  # 5 MB
    git(repo, "add", "big.txt")
    rt = make_rt(repo)
    job = Job(rt=rt, pane=None, cwd=str(repo), repo_root=str(repo), since_ms=None, deadline=time.monotonic() + 20)
    result = run_git(job, ["diff", "--cached"], 1000)
    assert result.truncated and len(result.out.encode()) <= 1000
    assert result.out.endswith("[... cut at 1000 bytes]")


def test_git_past_the_deadline_times_out(repo: Path, make_rt: MakeRt) -> None:
    rt = make_rt(repo)
    context = git_only(rt, timeout_ms=1)
    assert all(r.status == "timeout" for r in context.reports if r.name.startswith("git.")), context.reports


def test_secrets_come_out_redacted_everywhere(repo: Path, make_rt: MakeRt) -> None:
    (repo / "config.env").write_text(f"export GITHUB_TOKEN={GITHUB_PAT}\n")
    git(repo, "add", "config.env")
    git(repo, "commit", "-q", "-m", f"rotate key {AWS_KEY}")
    (repo / "config.env").write_text(f"export GITHUB_TOKEN={GITHUB_PAT}\nAWS_ACCESS_KEY_ID={AWS_KEY}\n")
    (repo / "notes").mkdir()
    (repo / "notes" / f"{GITHUB_PAT}.txt").write_text("x\n")
    git(repo, "add", "notes")
    rt = make_rt(repo)
    pane = add_pane(rt, cwd=str(repo))
    rt.store.commands.add([Command(id=uuid7(), pane_id=pane.id, pane_name=pane.name, start_ms=rt.clock() - 1000,
                                   duration_ms=5, exit=0, command=f"curl -H 'Authorization: Bearer {GITHUB_PAT}' x",
                                   cwd=str(repo), dedup_key="k1")])
    log_entry(rt, EntryDraft(summary="rotated keys"), pane.name)
    context = collect_context(rt, pane, timeout_ms=20_000)
    names = {s.name for s in context.sections}
    assert {"commands", "intents", "git.status", "git.diffstat", "git.diff", "git.log", "files"} <= names
    everything = "\n".join(s.text for s in context.sections) + "".join(r.detail for r in context.reports)
    assert GITHUB_PAT not in everything and AWS_KEY not in everything
    assert "[REDACTED:github-pat]" in section(context, "git.diff")
    assert "[REDACTED:" in section(context, "git.log") and "[REDACTED:" in section(context, "files")
    assert "[REDACTED:" in section(context, "commands") and "[REDACTED:" in section(context, "git.status")


def test_recent_files_skip_build_output_and_virtualenvs(tmp_path: Path, make_rt: MakeRt) -> None:
    root = tmp_path / "proj"
    for rel in ("src/app.py", "README.md", "node_modules/x/index.js", ".venv/lib/site.py", "env2/lib/a.py",
                "src/__pycache__/app.cpython-311.pyc", "build/out.o", "dist/p.whl", "target/debug/bin", ".tox/x",
                ".mypy_cache/y", ".pytest_cache/z", ".ruff_cache/w", "pkg.egg-info/PKG-INFO", "venv/bin/python"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    (root / "env2/pyvenv.cfg").write_text("home = /usr\n")
    git(root, "init", "-q")  # .git is skipped too
    context = git_only(make_rt(root))
    assert report(context, "files") == ("ok", "")
    listed = [line.split("  ", 1)[1] for line in section(context, "files").splitlines()]
    assert sorted(listed) == ["README.md", "src/app.py"]


def test_recent_files_newest_first_bounded_by_count_and_depth(tmp_path: Path, make_rt: MakeRt) -> None:
    root = tmp_path / "proj"
    deep = root / "a" / "b" / "c"
    deep.mkdir(parents=True)
    base = time.time() - 10_000
    for n in range(6):
        path = root / f"f{n}.txt"
        path.write_text("x")
        os.utime(path, (base + n * 60, base + n * 60))
    (root / "a" / "b" / "mid.txt").write_text("x")
    (deep / "too-deep.txt").write_text("x")
    context = git_only(make_rt(root, **{"context__files": "4", "context__file_depth": "2"}))
    listed = [line.split("  ", 1)[1] for line in section(context, "files").splitlines()]
    assert listed == ["a/b/mid.txt", "f5.txt", "f4.txt", "f3.txt"]


def test_file_walk_stops_at_the_visit_cap_and_the_deadline(tmp_path: Path) -> None:
    for n in range(30):
        (tmp_path / f"d{n}").mkdir()
        (tmp_path / f"d{n}" / "f.txt").write_text("x")
    capped = walk_recent(str(tmp_path), depth=3, count=5, deadline=time.monotonic() + 30, cap=10)
    assert capped.stopped == "visit cap" and capped.visited >= 10 and len(capped.files) <= 5
    late = walk_recent(str(tmp_path), depth=3, count=5, deadline=time.monotonic() - 1)
    assert late.stopped == "deadline" and late.files == ()
    whole = walk_recent(str(tmp_path), depth=3, count=100, deadline=time.monotonic() + 30)
    assert whole.stopped == "" and len(whole.files) == 30


def test_not_a_repository_and_git_missing_are_skipped(tmp_path: Path, repo: Path, make_rt: MakeRt) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    context = git_only(make_rt(plain))
    for collector in ("git.branch", "git.status", "git.diffstat", "git.diff", "git.log"):
        assert report(context, collector) == ("skipped", f"not in a git repository ({plain})")
    no_git = git_only(make_rt(repo, env={"PATH": str(tmp_path / "empty-bin")}))
    assert report(no_git, "git.status") == ("skipped", "git is not installed — install git to include git facts")


def test_commands_newest_shown_oldest_first_with_exit_duration_and_cwd(repo: Path, make_rt: MakeRt) -> None:
    rt = make_rt(repo, **{"context__commands": "3"})
    pane = add_pane(rt, cwd=str(repo))
    now = rt.clock()
    rows = [("make test", 2, 1500, str(repo)), ("git status", 0, 30, str(repo)), ("ls", 0, 5, str(repo / "src")),
            ("pytest -x", 1, 65_000, str(repo)), ("echo 'multi\nline'", 0, 10, str(repo))]
    rt.store.commands.add([Command(id=uuid7(), pane_id=pane.id, pane_name=pane.name, start_ms=now - 10_000 + i * 1000,
                                   duration_ms=d, exit=e, command=c, cwd=cwd, dedup_key=f"k{i}")
                           for i, (c, e, d, cwd) in enumerate(rows)])
    context = collect_context(rt, pane, collectors=[c for c in DEFAULT_COLLECTORS if c.name == "commands"])
    lines = section(context, "commands").splitlines()
    assert [line.split(" $ ", 1)[-1] for line in lines] == [
        "ls  # exit 0, 5ms, in src", "pytest -x  # exit 1, 1m05s", "echo 'multi", "    line'  # exit 0, 10ms"]
    assert lines[0][:11] == to_local(now - 8000)[5:]
    since = collect_context(rt, pane, since_ms=now - 7500, collectors=[c for c in DEFAULT_COLLECTORS if c.name == "commands"])
    assert len(section(since, "commands").splitlines()) == 3  # pytest and the two-line echo


def test_intents_show_type_time_short_id_and_summary(repo: Path, make_rt: MakeRt) -> None:
    rt = make_rt(repo, **{"context__intents": "2"})
    pane = add_pane(rt, cwd=str(repo))
    log_entry(rt, EntryDraft(summary="first idea", at=rt.clock() - 3000), pane.name)
    decided, _ = log_entry(rt, EntryDraft(summary="use sqlite", type="decision", at=rt.clock() - 2000), pane.name)
    nxt, _ = log_entry(rt, EntryDraft(summary="write tests", type="next", agent="claude", at=rt.clock() - 1000),
                       pane.name)
    context = collect_context(rt, pane, collectors=[c for c in DEFAULT_COLLECTORS if c.name == "intents"])
    lines = section(context, "intents").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"[decision] {short_id(decided.id)}: use sqlite")
    assert lines[1].endswith(f"[next, claude] {short_id(nxt.id)}: write tests")


def test_pane_collectors_skip_without_a_pane(tmp_path: Path, make_rt: MakeRt) -> None:
    chosen = [c for c in DEFAULT_COLLECTORS if c.name in ("commands", "intents")]
    context = collect_context(make_rt(tmp_path), None, collectors=chosen)
    assert context.sections == ()
    assert [r.status for r in context.reports] == ["skipped", "skipped"]
    assert context.reports[0].detail.startswith("no registered pane here")


def test_a_pane_elsewhere_is_collected_where_it_lives(repo: Path, tmp_path: Path, make_rt: MakeRt) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rt = make_rt(elsewhere)
    pane = add_pane(rt, cwd=str(repo))
    context = git_only(rt, pane)
    assert context.cwd == str(repo) and context.repo_root == str(repo) and context.pane_name == "fix/auth"
    assert section(context, "git.branch").startswith("branch: feature/x")


def test_bounds_and_durations() -> None:
    assert bound_bytes(b"a\nb\n", 10) == ("a\nb\n", False)
    text, cut = bound_bytes(b"".join(b"line %d\n" % n for n in range(100)), 60)
    assert cut and len(text.encode()) <= 60 and text.endswith("[... cut at 60 bytes]")
    assert text.startswith("line 0\nline 1\n")
    one_long_line, cut = bound_bytes(b"x" * 500, 100)
    assert cut and one_long_line == "[... cut at 100 bytes]"  # no partial line (or partial secret) survives
    assert [duration_text(v) for v in (None, 5, 1500, 65_000, 3_720_000)] == ["?", "5ms", "1.5s", "1m05s", "1h02m"]
