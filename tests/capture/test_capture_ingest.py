"""Ingestion: exactly once under concurrent writers and kill -9, partial lines, garbage, huge lines."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.capture.ingest import ingest, spool_dir
from perth.capture.records import CommandQuery
from perth.capture.spool_format import SpoolRecord, format_line
from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime


def make_rt(**overrides: str) -> Runtime:
    environ = dict(os.environ)
    return Runtime(settings=load_settings(resolve_paths(environ), environ, overrides), environ=environ)


def line(command: str, *, start_us: int = 1_700_000_000_000_000, session: str = "s1", pane: str = "",
         cwd: str = "/tmp", exit_status: int = 0) -> str:
    record = SpoolRecord(start_us, 1500, exit_status, "bash", session, pane, "", "", cwd, "", "", "host", "me",
                         command)
    return format_line(record) + "\n"


def write_spool(rt: Runtime, name: str, data: bytes) -> Path:
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with path.open("ab") as handle:
        handle.write(data)
    return path


def stored(rt: Runtime) -> list[str]:
    return [c.command for c in rt.store.commands.stream(CommandQuery())]


def test_lines_become_commands_linked_to_panes(perth_home: Path) -> None:
    rt = make_rt()
    write_spool(rt, "bash-s1.spool", (line("make test", pane="fix/a", exit_status=2)
                                      + line("echo 'multi\nline'\ttab", start_us=1_700_000_000_100_000)).encode())
    report = ingest(rt)
    assert (report.lines, report.inserted, report.quarantined) == (2, 2, 0)
    commands = rt.store.commands.query(CommandQuery(limit=10, oldest_first=True))
    assert [c.command for c in commands] == ["make test", "echo 'multi\nline'\ttab"]
    first = commands[0]
    assert (first.pane_name, first.exit, first.duration_ms, first.shell, first.host, first.user) == \
        ("fix/a", 2, 1, "bash", "host", "me")
    assert commands[1].pane_name == "tmp"  # automatic pane from the cwd
    assert ingest(rt).lines == 0


def test_shells_are_taken_in_turn_and_stored_by_start_time(perth_home: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Three shells' spools written side by side are stored in start order across the files (the
    indexes grow at their end), a batch at a time, each file's cursor at its end."""
    import sqlite3

    import perth.capture.ingest as module

    monkeypatch.setattr(module, "BATCH_LINES", 30)
    rt = make_rt()
    rt.store.panes.count()
    sizes = []
    for shell in range(3):
        data = "".join(line(f"echo {n}", start_us=1_700_000_000_000_000 + (3 * n + shell) * 1000,
                            session=f"s{shell}") for n in range(40)).encode()
        write_spool(rt, f"bash-s{shell}.spool", data)
        sizes.append(len(data))
    report = ingest(rt)
    assert (report.files, report.lines, report.inserted) == (3, 120, 120)
    db = sqlite3.connect(rt.store.path)  # type: ignore[attr-defined]
    try:
        starts = [row[0] for row in db.execute("SELECT start_ms FROM commands ORDER BY rowid")]
    finally:
        db.close()
    assert len(starts) == 120
    assert starts == sorted(starts)  # 4 batches of 30, each the same 10 commands of every shell
    cursors = rt.store.commands.cursors()  # the claimed files, idle too briefly to be deleted yet
    assert [(Path(c.path).name.split(".")[0], c.offset) for c in cursors] == [
        (f"bash-s{shell}", size) for shell, size in enumerate(sizes)]
    assert ingest(rt).lines == 0


def test_a_repository_is_one_pane_per_branch_from_any_of_its_folders(perth_home: Path) -> None:
    """Inside a repository the pane is that of the repository and branch, whichever subdirectory
    the shell stands in; outside one, each directory is its own pane; $PERTH_PANE wins over both."""
    rt = make_rt()
    base = 1_700_000_000_000_000

    def at(n: int, command: str, cwd: str, place: tuple[str, str] = ("", ""), pane: str = "") -> str:
        root, branch = place
        record = SpoolRecord(base + n * 1000, 1500, 0, "zsh", "s1", pane, "", "", cwd, root, branch, "host", "me",
                             command)
        return format_line(record) + "\n"

    repo = "/home/dev/src/api"
    main, fix = (repo, "main"), (repo, "fix")
    data = (at(1, "make", f"{repo}/src", main) + at(2, "ls", f"{repo}/tests", main)
            + at(3, "git switch fix", repo, fix) + at(4, "pytest", f"{repo}/tests", fix)
            + at(5, "tail log", "/var/log") + at(6, "vim x", "/etc/nginx") + at(7, "make", f"{repo}/src", main)
            + at(8, "ls", f"{repo}/docs", main, pane="review"))
    write_spool(rt, "zsh-s1.spool", data.encode())
    assert ingest(rt).inserted == 8
    panes = [c.pane_name for c in rt.store.commands.query(CommandQuery(limit=10, oldest_first=True))]
    assert panes == ["api/main", "api/main", "api/fix", "api/fix", "log", "nginx", "api/main", "review"]
    first = rt.store.panes.get(name="api/main")
    assert first is not None
    assert first.cwd == f"{repo}/src"  # the first command's folder seeds the pane
    assert rt.store.panes.count() == 5


def test_claimed_files_are_deleted_once_idle_and_ingested(perth_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import perth.capture.ingest as module

    monkeypatch.setattr(module, "IDLE_BEFORE_DELETE_S", 0.0)
    rt = make_rt()
    write_spool(rt, "bash-s1.spool", line("ls").encode())
    ingest(rt)
    assert list(Path(spool_dir(rt)).glob("*.spool*")) == []


def test_partial_line_waits_then_is_quarantined(perth_home: Path) -> None:
    rt = make_rt()
    path = write_spool(rt, "zsh-s2.spool", (line("first") + line("second")[:-10]).encode())
    report = ingest(rt)
    assert (report.inserted, report.waiting_partial, report.quarantined) == (1, 1, 0)
    claimed = next(Path(spool_dir(rt)).glob("*.claimed"))
    old = time.time() - 3600
    os.utime(claimed, (old, old))
    report = ingest(rt)
    assert report.quarantined == 1
    assert "incomplete last line" in report.warnings[0]
    assert stored(rt) == ["first"]
    fragments = rt.store.commands.quarantined()
    assert len(fragments) == 1
    assert fragments[0][2] == line("second")[:-10]
    assert fragments[0][3].startswith("incomplete last line")
    assert not path.exists()


def test_garbage_and_huge_lines(perth_home: Path) -> None:
    rt = make_rt()
    huge = "echo " + "x" * 1_000_000
    data = (b"\x00\xff\xfe binary garbage\n" + line(huge).encode() + b"1\tnot\tenough\n"
            + line("ok", start_us=1_700_000_000_000_001).encode())
    write_spool(rt, "bash-s3.spool", data)
    report = ingest(rt)
    assert (report.lines, report.inserted, report.quarantined) == (4, 2, 2)
    assert sorted(stored(rt), key=len) == ["ok", huge]


def test_invalid_utf8_in_a_command_is_kept_escaped(perth_home: Path) -> None:
    rt = make_rt()
    write_spool(rt, "bash-s4.spool", line("echo caf\udce9").encode("utf-8", "surrogateescape"))
    ingest(rt)
    assert stored(rt) == ["echo caf\\xe9"]


def test_ignore_rules(perth_home: Path) -> None:
    rt = make_rt(**{"capture.ignore_commands": "^ls$,secret-tool", "capture.ignore_dirs": "/tmp/private"})
    write_spool(rt, "bash-s5.spool", (line("ls") + line("secret-tool lookup x", start_us=2)
                                      + line("make", start_us=3, cwd="/tmp/private/x")
                                      + line("make", start_us=4)).encode())
    report = ingest(rt)
    assert (report.ignored, report.inserted) == (3, 1)


WRITER = """
import os, sys, time
sys.path[:0] = [{src!r}]
from perth.capture.spool_format import SpoolRecord, format_line
spool, shell_id, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    record = SpoolRecord(1_700_000_000_000_000 + i, 10, 0, "bash", shell_id, "", "", "", "/tmp", "", "", "h", "u",
                         f"cmd {{shell_id}} {{i}}")
    fd = os.open(spool, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.write(fd, (format_line(record) + "\\n").encode())
    os.close(fd)
    if i % 50 == 0:
        time.sleep(0.001)
"""


def _writers(directory: Path, shells: int, count: int) -> list[subprocess.Popen[bytes]]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    code = WRITER.format(src=src)
    return [subprocess.Popen([sys.executable, "-c", code, str(directory / f"bash-w{n}.spool"), f"w{n}", str(count)])
            for n in range(shells)]


def _expected(shells: int, count: int) -> list[str]:
    return sorted(f"cmd w{n} {i}" for n in range(shells) for i in range(count))


def _perth(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "perth", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


@pytest.mark.integration
def test_twenty_shells_writing_while_ingesting_lose_and_duplicate_nothing(perth_home: Path) -> None:
    rt = make_rt()
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True)
    writers = _writers(directory, 20, 300)
    while any(w.poll() is None for w in writers):
        done = _perth("ingest")
        assert done.wait(timeout=120) == 0, done.stderr.read() if done.stderr else ""
    assert [w.returncode for w in writers] == [0] * 20
    assert _perth("ingest").wait(timeout=120) == 0
    assert sorted(stored(make_rt())) == _expected(20, 300)


@pytest.mark.integration
def test_kill_9_of_the_ingester_at_any_point_loses_and_duplicates_nothing(perth_home: Path) -> None:
    rt = make_rt()
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True)
    writers = _writers(directory, 20, 300)
    rng = random.Random(9)
    kills = 0
    while any(w.poll() is None for w in writers) or kills < 15:
        victim = _perth("ingest")
        time.sleep(rng.uniform(0.0, 0.25))
        if victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            kills += 1
        victim.wait(timeout=60)
    for _ in range(3):
        assert _perth("ingest").wait(timeout=120) == 0
    assert kills >= 5, "the ingester was never killed mid-run"
    assert sorted(stored(make_rt())) == _expected(20, 300)


def test_history_commands_and_search_cli(cli: Callable[..., Any], perth_home: Path) -> None:
    rt = make_rt()
    write_spool(rt, "bash-s6.spool", (line("docker compose up -d", pane="infra")
                                      + line("pytest -q tests/auth", pane="app", start_us=5, exit_status=1)).encode())
    rt.close()
    listed = json.loads(cli("history", "--commands", "--format", "json").out)
    assert listed["schema"] == "perth.command_history.v1"
    assert [c["command"] for c in listed["commands"]] == ["docker compose up -d", "pytest -q tests/auth"]
    failed = json.loads(cli("history", "--commands", "--failed", "--format", "json").out)
    assert [c["command"] for c in failed["commands"]] == ["pytest -q tests/auth"]
    logged = json.loads(cli("log", "compose stack is up", "--pane", "infra", "--format", "json").out)
    assert logged["entry"]["commands_run"] == ["docker compose up -d"]
    found = json.loads(cli("search", "compose", "--format", "json").out)
    assert {r["kind"] for r in found["results"]} == {"command", "intent", "journal"}
    only_app = json.loads(cli("search", "pytest", "--pane", "app", "--format", "json").out)
    assert [r["text"] for r in only_app["results"]] == ["pytest -q tests/auth"]
    assert cli("history", "--exit", "1").code == 2


def test_invalid_ignore_pattern_is_a_config_error(perth_home: Path) -> None:
    from perth.errors import ConfigError

    rt = make_rt(**{"capture.ignore_commands": "([unclosed"})
    write_spool(rt, "bash-s7.spool", line("ls").encode())
    with pytest.raises(ConfigError, match=r"capture\.ignore_commands\[0\]"):
        ingest(rt)
    assert stored(make_rt()) == []


def test_scratch_files_of_exited_bash_shells_are_removed(perth_home: Path) -> None:
    rt = make_rt()
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead = directory / f".bash-{finished.stdout.strip()}-1700000000000000.tmp"
    live = directory / f".bash-{os.getpid()}-1700000000000000.tmp"
    dead.write_text("x")
    live.write_text("x")
    ingest(rt)
    assert not dead.exists()
    assert live.exists()


def test_a_large_ingest_is_one_bulk_write_and_loses_nothing(perth_home: Path) -> None:
    """Past BULK_BYTES the ingest defers SQLite's WAL checkpoints to its end; every line is still
    stored once, redacted, and the store is checkpointed afterwards."""
    import sqlite3

    from perth.capture.ingest import BULK_BYTES

    rt = make_rt()
    rt.store.panes.count()  # the store exists before the spool is written
    padding = "x" * 200
    count = BULK_BYTES // 250 + 2000
    data = "".join(line(f"echo {n} {padding}", start_us=1_700_000_000_000_000 + n, session=f"s{n % 3}")
                   for n in range(count))
    data += line("export GITHUB_TOKEN=ghp_" + "a1B2" * 9, start_us=1_700_000_100_000_000)
    data += "garbage without tabs\n"
    write_spool(rt, "bash-big.spool", data.encode())
    report = ingest(rt)
    assert (report.lines, report.inserted, report.quarantined) == (count + 2, count + 1, 1)
    texts = stored(rt)
    assert len(texts) == count + 1 and len(set(texts)) == count + 1
    assert "ghp_" not in "".join(texts) and any("[REDACTED:" in t for t in texts)
    db = sqlite3.connect(rt.store.path)  # type: ignore[attr-defined]
    try:
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # per connection: the default
        busy, log, checkpointed = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        db.close()
    assert busy == 0 and log == checkpointed  # nothing left uncopied
    rt.close()
