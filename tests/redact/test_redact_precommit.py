"""`perth scan` as a pre-commit hook in a scratch repository: a secret blocks the commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.gitrepo import git


def _hook(repo: Path) -> None:
    """What `.pre-commit-hooks.yaml` declares (entry `perth scan`, staged file names appended)."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        "files=$(git diff --cached --name-only --diff-filter=ACM)\n"
        '[ -z "$files" ] && exit 0\n'
        f'exec {sys.executable} -m perth scan $files\n'
    )
    hook.chmod(0o755)


@pytest.mark.integration
def test_scan_blocks_a_commit_with_a_secret_and_lets_a_clean_one_through(tmp_path: Path) -> None:
    repo = tmp_path / "scratch"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    _hook(repo)
    token = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eE4"
    (repo / "settings.env").write_text(f"DEBUG=1\nGITHUB_TOKEN={token}\n")
    git(repo, "add", "settings.env")
    env = {**os.environ, "PERTH_HOME": str(tmp_path / "perth-home")}
    blocked = subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "leak"], capture_output=True,
                             text=True, env=env, check=False)
    assert blocked.returncode != 0
    assert "settings.env:2:14: github-pat" in blocked.stdout + blocked.stderr  # git shows hook output on stderr
    assert token not in blocked.stdout + blocked.stderr
    assert subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          check=False).returncode != 0, "nothing was committed"
    (repo / "settings.env").write_text("DEBUG=1\nGITHUB_TOKEN=<YOUR_TOKEN>\n")
    git(repo, "add", "settings.env")
    allowed = subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "placeholder only"],
                             capture_output=True, text=True, env=env, check=False)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
