"""Hermetic test environment: every test gets its own PERTH_HOME and HOME."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from perth.cli.main import main
from tests.gitrepo import git

CLEARED_PREFIXES = ("PERTH_", "TMUX", "ZELLIJ")
CLEARED_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def perth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PERTH_HOME and HOME at temporary folders; clear multiplexer, Perth and proxy
    variables (test servers listen on 127.0.0.1; proxy tests set their own)."""
    for name in list(os.environ):
        if name.startswith(CLEARED_PREFIXES) or name.lower() in CLEARED_PROXY_VARIABLES:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "perth-home"
    user_home = tmp_path / "user-home"
    user_home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("PERTH_HOME", str(home))
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Perth Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Perth Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(work)
    return home


@dataclass
class CliResult:
    """Exit code and captured streams of one in-process ``perth`` run."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``perth`` in-process: ``cli("log", "x", stdin="...")``."""

    def run(*args: str, stdin: str | None = None) -> CliResult:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def perth_proc() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m perth`` as a real process with the test's environment."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "perth", *args], capture_output=True, text=True,
                              env={**os.environ, **(env or {})}, cwd=cwd, input=stdin, timeout=timeout,
                              check=False)

    return run


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A real git repository on branch ``feature/x`` with one commit."""
    root = tmp_path / "work" / "myrepo"
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("hello\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "first")
    git(root, "checkout", "-q", "-b", "feature/x")
    yield root
