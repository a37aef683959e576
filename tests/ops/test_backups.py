"""Backup jobs: git bundles, SQLite/PostgreSQL/MariaDB dumps, verify with a test restore, restore,
corruption detection, and the retention policy (with a property test)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.ops.model import Job
from perth.ops.retention import Retention, kept
from perth.ops.service import JobSpec, find, submit, wait
from perth.runtime import Runtime
from tests.ops.test_databases import SERVERS, db


def backup(rt: Runtime, *args: str, **options: object) -> Job:
    return wait(rt, find(rt, submit(rt, JobSpec(kind="backup", args=args, options=options, max_attempts=1)).id))


def test_a_repository_bundle_is_verified_and_restored(rt: Runtime, repo: Path, tmp_path: Path) -> None:
    made = backup(rt, "git", str(repo))
    assert made.status == "succeeded", made.error
    path = str(made.result["path"])
    assert made.result["kind"] == "git" and path.endswith(".bundle") and "/myrepo/" in path
    verified = backup(rt, "verify", path)
    assert verified.status == "succeeded", verified.error
    assert verified.result["test_restore"] == "cloned 3 ref(s), git fsck ok"  # main, feature/x, HEAD
    restored = backup(rt, "restore", path, str(tmp_path / "restored"))
    assert restored.status == "succeeded"
    log = subprocess.run(["git", "log", "--all", "--format=%s"], cwd=tmp_path / "restored", capture_output=True,
                         text=True, check=True).stdout
    assert log.strip() == "first"
    again = backup(rt, "restore", path, str(tmp_path / "restored"))
    assert again.status == "dead" and "already exists" in (again.error or "")


def test_a_corrupt_backup_fails_verification(rt: Runtime, repo: Path) -> None:
    path = Path(str(backup(rt, "git", str(repo)).result["path"]))
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    job = backup(rt, "verify", str(path))
    assert job.status == "dead" and "checksum does not match" in (job.error or "")


def test_a_sqlite_backup_is_a_checked_copy(rt: Runtime, tmp_path: Path) -> None:
    source = tmp_path / "app.db"
    conn = sqlite3.connect(source)
    conn.executescript("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
    conn.close()
    made = backup(rt, "db", f"sqlite:///{source}", name="app")
    assert made.status == "succeeded" and made.result["kind"] == "db:sqlite"
    path = str(made.result["path"])
    assert backup(rt, "verify", path).result["test_restore"] == "integrity_check ok, 1 table(s)"
    backup(rt, "restore", path, str(tmp_path / "back.db"))
    assert sqlite3.connect(tmp_path / "back.db").execute("SELECT body FROM notes").fetchall() == [("keep me",)]
    listed = backup(rt, "list", "app")
    assert listed.output.startswith(f"{path}\tdb:sqlite\t") and listed.result == {"backups": 1}


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_a_server_dump_is_test_restored_into_a_temporary_database(rt: Runtime, engine: str) -> None:
    table = f"perth_b_{uuid.uuid4().hex[:12]}"
    target = SERVERS[engine]
    db(rt, target, "query", f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
    try:
        made = backup(rt, "db", target, name=f"srv-{table}")
        assert made.status == "succeeded", made.error
        verified = backup(rt, "verify", str(made.result["path"]))
        assert verified.status == "succeeded", verified.error
        assert str(verified.result["test_restore"]).startswith("loaded into temporary database perth_verify_")
    finally:
        db(rt, target, "query", f"DROP TABLE IF EXISTS {table}")


def test_prune_keeps_what_the_policy_says(rt: Runtime, repo: Path) -> None:
    paths = [str(backup(rt, "git", str(repo), name="app").result["path"]) for _ in range(4)]
    pruned = backup(rt, "prune", "app", keep_last=2)
    assert pruned.result == {"kept": 2, "dropped": 2}
    assert backup(rt, "list", "app").output.count("\n") == 2
    assert all(Path(p).exists() == (p in paths[2:]) for p in paths)


DAY = 86_400_000


@given(st.lists(st.integers(min_value=0, max_value=400 * DAY), max_size=60),
       st.integers(0, 5), st.integers(0, 10), st.integers(0, 6))
def test_retention_keeps_the_newest_and_one_per_period(times: list[int], last: int, daily: int, weekly: int) -> None:
    keep = kept(times, Retention(last=last, daily=daily, weekly=weekly))
    assert keep <= set(range(len(times)))
    newest = sorted(range(len(times)), key=lambda i: (times[i], i), reverse=True)
    assert set(newest[:last]) <= keep

    def day(i: int) -> dt.date:
        return dt.datetime.fromtimestamp(times[i] / 1000, tz=dt.UTC).date()

    for wanted in sorted({day(i) for i in newest}, reverse=True)[:daily]:
        assert next(i for i in newest if day(i) == wanted) in keep
    assert len(keep) <= last + daily + weekly


def test_every_registered_repository_is_bundled(cli: Any, repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from tests.cli.test_commands import one_line_error

    one_line_error(cli("job", "run", "backup", "--wait", "--", "registered"), 3, "no registered repository")
    monkeypatch.chdir(repo)
    assert cli("log", "working on the parser").code == 0  # the automatic pane records the repository
    ran = cli("job", "run", "backup", "--wait", "--format", "json", "--", "registered")
    assert ran.code == 0, ran.err
    jobs = json.loads(ran.out)["jobs"]
    assert [(j["args"], j["status"]) for j in jobs] == [(["git", str(repo)], "succeeded")]
