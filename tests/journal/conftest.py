"""Shared helpers for the journal tests: real git repositories with commits at chosen times,
commands written to the capture spool and ingested, intents logged through the service."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from perth.capture.ingest import ingest, spool_dir
from perth.capture.spool_format import SpoolRecord, format_line
from perth.config import load_settings
from perth.panes.entries import EntryDraft, log_entry
from perth.panes.service import PaneSpec, create_pane
from perth.paths import resolve_paths
from perth.records import Entry, Pane
from perth.runtime import Runtime
from tests.gitrepo import git

#: 2026-03-02 09:00:00 UTC: a Monday morning, far from any DST change.
BASE = 1_772_442_000_000
MIN = 60_000
HOUR = 60 * MIN


def make_rt(cwd: Path, now: int = BASE + 12 * HOUR, **overrides: str) -> Runtime:
    """A runtime on the test's PERTH_HOME with a fixed clock."""
    environ = dict(os.environ)
    settings = load_settings(resolve_paths(environ), environ, overrides)
    return Runtime(settings=settings, environ=environ, cwd=str(cwd), clock=lambda: now)


def commit(repo: Path, message: str, at_ms: int, files: dict[str, str] | None = None) -> str:
    """Commit ``files`` (path -> content appended) at ``at_ms`` (author and committer time); the full SHA."""
    for name, content in (files or {f"file-{at_ms}.txt": "x\n"}).items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(content)
        git(repo, "add", "--", name)
    stamp = f"@{at_ms // 1000} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env,
                   capture_output=True)
    return git(repo, "rev-parse", "HEAD").strip()


def make_repo(root: Path, branch: str = "main") -> Path:
    """An empty repository (no commits yet) on ``branch``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", branch)
    return root


def pane(rt: Runtime, name: str, cwd: Path) -> Pane:
    """Register a pane working in ``cwd``."""
    return create_pane(rt, PaneSpec(name=name, cwd=str(cwd), attach=False))


def intent(rt: Runtime, pane_name: str, summary: str, at_ms: int, kind: str = "checkpoint", *,
           tags: tuple[str, ...] = ()) -> Entry:
    """Log an intent entry at ``at_ms`` through the service (redacted like `perth log`)."""
    entry, _found = log_entry(rt, EntryDraft(summary=summary, type=kind, at=at_ms, tags=tags), pane_name)
    return entry


def capture(rt: Runtime, pane_name: str, command: str, at_ms: int, *, repo: Path | None = None,
            branch: str = "main", exit_status: int = 0, duration_ms: int = 1000) -> None:
    """Write one command to the spool as the shell hook does, then ingest it (redacted at capture)."""
    record = SpoolRecord(at_ms * 1000, duration_ms * 1000, exit_status, "bash", "sess-1", pane_name, "", "",
                         str(repo or rt.cwd), str(repo) if repo else "", branch if repo else "", "host", "me",
                         command)
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "bash-sess-1.spool").open("a", encoding="utf-8") as handle:
        handle.write(format_line(record) + "\n")
    report = ingest(rt)
    assert report.inserted == 1, report


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The test's working directory (the autouse fixture chdirs there)."""
    return tmp_path / "work"


CommitFn = Callable[..., str]
