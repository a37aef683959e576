"""Bad data files and hostile filesystems: one clear line, the right exit code, nothing half-written."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from perth.errors import StoreFullError
from perth.store.sqlite import SQLiteStore
from perth.store.sqlite_db import translate_error


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def mounted_tmpfs(target: Path, size: str) -> Iterator[Path]:
    """A size-limited tmpfs at ``target`` (needs root; skipped otherwise, with the fake test below covering it)."""
    target.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)):
        pytest.skip("cannot mount a tmpfs here (not root); test_full_store_is_reported_via_page_limit covers it")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@contextlib.contextmanager
def read_only(target: Path) -> Iterator[Path]:
    """Make ``target`` read-only for everyone, root included, with a read-only bind mount."""
    if not (_mount("--bind", str(target), str(target))
            and _mount("-o", "remount,ro,bind", str(target))):
        subprocess.run(["umount", str(target)], check=False)
        pytest.skip("cannot bind-mount read-only here (not root); chmod does not bind root")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_not_a_database_file(cli: Callable[..., object], perth_home: Path) -> None:
    perth_home.mkdir(parents=True)
    data = perth_home / "perth.db"
    data.write_bytes(b"this is a text file, not SQLite\n" * 100)
    before = data.read_bytes()
    result = cli("log", "hello")
    assert result.code == 1  # type: ignore[attr-defined]
    err = result.err.strip()  # type: ignore[attr-defined]
    assert err.count("\n") == 0
    assert err.startswith("perth: error: ") and "not a Perth database" in err and "move the file aside" in err
    assert data.read_bytes() == before


def test_newer_schema_via_cli(cli: Callable[..., object], perth_home: Path) -> None:
    assert cli("log", "first").code == 0  # type: ignore[attr-defined]
    db = sqlite3.connect(perth_home / "perth.db")
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    result = cli("history")
    assert result.code == 1  # type: ignore[attr-defined]
    assert "schema version 999" in result.err and "upgrade Perth" in result.err  # type: ignore[attr-defined]


def test_full_store_is_reported_via_page_limit(tmp_path: Path) -> None:
    """The real SQLite engine reports SQLITE_FULL when a page limit is hit; it maps to StoreFullError."""
    path = tmp_path / "small.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t(x)")
    db.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as raised:
        for _ in range(100):
            db.execute("INSERT INTO t VALUES (?)", ("x" * 4000,))
    error = translate_error(raised.value, path)
    assert isinstance(error, StoreFullError)
    assert "free disk space" in error.fix


@pytest.mark.integration
def test_full_disk_fails_cleanly_and_keeps_earlier_data(tmp_path: Path, cli: Callable[..., object],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with mounted_tmpfs(tmp_path / "tiny", "1m") as tiny:
        home = tiny / "home"
        monkeypatch.setenv("PERTH_HOME", str(home))
        assert cli("log", "kept before the disk filled", "--pane", "p").code == 0  # type: ignore[attr-defined]
        filler = tiny / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        result = cli("log", "x" * 16000, "--pane", "p", "--tag", "big")
        assert result.code == 1  # type: ignore[attr-defined]
        assert "no space left" in result.err and "free disk space" in result.err  # type: ignore[attr-defined]
        filler.unlink()
        history = cli("history", "--pane", "p", "--format", "json")
        assert history.code == 0  # type: ignore[attr-defined]
        assert '"kept before the disk filled"' in history.out  # type: ignore[attr-defined]
        assert "xxxxxxxx" not in history.out  # type: ignore[attr-defined]
        db = sqlite3.connect(home / "perth.db")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM entry_tags").fetchone()[0] == 0
        db.close()


@pytest.mark.integration
def test_read_only_data_directory(tmp_path: Path, cli: Callable[..., object], perth_home: Path) -> None:
    assert cli("log", "written while writable", "--pane", "p").code == 0  # type: ignore[attr-defined]
    with read_only(perth_home):
        result = cli("log", "refused", "--pane", "p")
        assert result.code == 1  # type: ignore[attr-defined]
        err = result.err.strip()  # type: ignore[attr-defined]
        assert err.count("\n") == 0 and "cannot write" in err and "writable" in err
    history = cli("history", "--format", "json")
    assert '"written while writable"' in history.out and "refused" not in history.out  # type: ignore[attr-defined]


@pytest.mark.integration
def test_read_only_parent_of_a_new_home(tmp_path: Path, cli: Callable[..., object],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    monkeypatch.setenv("PERTH_HOME", str(parent / "home"))
    with read_only(parent):
        result = cli("log", "nowhere to go")
        assert result.code == 1  # type: ignore[attr-defined]
        assert "cannot create the data directory" in result.err  # type: ignore[attr-defined]
    assert not (parent / "home").exists()


WRITER = textwrap.dedent("""
    import sys, time
    from perth.cli.main import main
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    codes = [main(["log", f"{sys.argv[1]} entry {i}", "--pane", "shared"]) for i in range(40)]
    sys.exit(max(codes))
""")


@pytest.mark.integration
def test_two_writers_at_once_lose_nothing(perth_home: Path, cli: Callable[..., object]) -> None:
    assert cli("pane", "create", "shared").code == 0  # type: ignore[attr-defined]
    start = time.time() + 1.0
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, name, str(start)], stderr=subprocess.PIPE, text=True)
             for name in ("alpha", "beta")]
    errors = [proc.communicate(timeout=180)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
    page = cli("history", "--pane", "shared", "--limit", "500", "--format", "json")
    import json

    summaries = [e["summary"] for e in json.loads(page.out)["entries"]]  # type: ignore[attr-defined]
    assert sorted(summaries) == sorted(f"{n} entry {i}" for n in ("alpha", "beta") for i in range(40))


def test_busy_store_past_timeout_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    holder = SQLiteStore(path)
    blocked = SQLiteStore(path, busy_timeout_ms=50)
    from perth.errors import StoreBusyError
    from perth.records import Pane

    with holder.unit():
        holder.panes.add(Pane(id="a", name="a", created_at=1, last_seen_at=1))
        with pytest.raises(StoreBusyError) as caught:
            blocked.panes.add(Pane(id="b", name="b", created_at=1, last_seen_at=1))
    assert caught.value.exit_code == 4
    assert "store.busy_timeout_ms" in caught.value.fix
    holder.close()
    blocked.close()
