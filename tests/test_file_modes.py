"""Everything Perth writes is private (0600 files, 0700 folders), whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.files import private_dirs, write_atomic


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_whole_session_leaves_only_private_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    env.update(PERTH_HOME=str(home), PERTH_LOG__FILE="perth.log")
    export = tmp_path / "out" / "export.jsonl"
    for args in (["log", "hello"], ["history"], ["init", "bash"], ["pause", "--global"], ["resume", "--global"],
                 ["export", "-o", str(export)], ["config", "set", "history.limit", "30"]):
        done = subprocess.run([sys.executable, "-m", "perth", *args], env=env, capture_output=True, text=True,
                              cwd=tmp_path, check=False, timeout=60)
        assert done.returncode == 0, (args, done.stderr)
    written = [*list(home.rglob("*")), export, export.parent]
    assert any(p.name == "perth.db" for p in written) and any(p.name == "perth.log" for p in written)
    loose = [f"{p} {oct(mode(p))}" for p in written
             if mode(p) & 0o077 or (p.is_dir() and mode(p) != 0o700) or (p.is_file() and mode(p) != 0o600)]
    assert loose == []


@pytest.mark.usefixtures("open_umask")
def test_existing_database_files_are_tightened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}, "PERTH_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "perth", "log", "x"], env=env, check=True, capture_output=True)
    os.chmod(home / "perth.db", 0o644)
    subprocess.run([sys.executable, "-m", "perth", "history"], env=env, check=True, capture_output=True)
    assert mode(home / "perth.db") == 0o600


@pytest.mark.usefixtures("open_umask")
def test_write_atomic_keeps_an_existing_files_mode_and_makes_new_ones_private(tmp_path: Path) -> None:
    shared = tmp_path / "SESSIONS.md"
    shared.write_text("old\n")
    os.chmod(shared, 0o644)
    write_atomic(shared, ["new\n"])
    assert mode(shared) == 0o644 and shared.read_text() == "new\n"
    fresh = tmp_path / "a" / "b" / "new.txt"
    write_atomic(fresh, ["x"])
    assert (mode(fresh), mode(fresh.parent), mode(fresh.parent.parent)) == (0o600, 0o700, 0o700)
    before = mode(tmp_path)
    private_dirs(str(tmp_path))  # an existing folder is left as it is
    assert mode(tmp_path) == before
