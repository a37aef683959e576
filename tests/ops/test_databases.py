"""Database jobs on SQLite, the local PostgreSQL (db ``test``) and MariaDB (db ``test``), with
unique table names per run: query, script, dump, migrations; and the faults."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from perth.errors import InvalidInputError
from perth.ops.databases import DbWorker, FakeDatabase, parse_url
from perth.ops.model import Job
from perth.ops.service import JobSpec, find, submit, wait
from perth.runtime import Runtime
from tests.ops.sshd import free_port
from tests.ops.test_pty import _IO

SERVERS = {"postgresql": "postgresql://postgres@127.0.0.1:5432/test", "mysql": "mysql://root@127.0.0.1:3306/test"}


def db(rt: Runtime, target: str, *args: str, **spec: object) -> Job:
    return wait(rt, find(rt, submit(rt, JobSpec(kind="db", target=target, args=args, **spec)).id))  # type: ignore[arg-type]


def _migrations(folder: Path, table: str) -> Path:
    folder.mkdir()
    (folder / f"001_create_{table}.sql").write_text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name VARCHAR(40));\n")
    (folder / f"002_seed_{table}.sql").write_text(f"INSERT INTO {table} (id, name) VALUES (1, 'ada');\n"
                                         f"INSERT INTO {table} (id, name) VALUES (2, 'grace');\n")
    return folder


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mysql"])
def test_migrate_query_script_and_dump(rt: Runtime, tmp_path: Path, engine: str) -> None:
    table = f"perth_t_{uuid.uuid4().hex[:12]}"
    target = f"sqlite:///{tmp_path / 'app.db'}" if engine == "sqlite" else SERVERS[engine]
    folder = _migrations(tmp_path / "migrations", table)
    try:
        migrated = db(rt, target, "migrate", str(folder))
        assert (migrated.status, migrated.result) == ("succeeded",
                                                      {"applied": [f"001_create_{table}", f"002_seed_{table}"]})
        assert db(rt, target, "migrate", str(folder)).result == {"applied": []}
        script = tmp_path / "more.sql"
        script.write_text(f"INSERT INTO {table} (id, name) VALUES (3, 'linus');\n"
                          f"UPDATE {table} SET name = 'Ada' WHERE id = 1;\n")
        assert db(rt, target, "script", str(script)).status == "succeeded"
        query = db(rt, target, "query", f"SELECT id, name FROM {table} ORDER BY id")
        assert query.output == "id\tname\n1\tAda\n2\tgrace\n3\tlinus\n"
        assert query.result == {"columns": ["id", "name"], "rows": 3}
        dump = db(rt, target, "dump", str(tmp_path / "dump.out"))
        assert dump.status == "succeeded", dump.error
        assert int(dump.result["bytes"]) > 0  # type: ignore[call-overload]
        if engine == "sqlite":
            copy = sqlite3.connect(tmp_path / "dump.out")
            assert copy.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (3,)
        else:
            assert table in (tmp_path / "dump.out").read_text() and "grace" in (tmp_path / "dump.out").read_text()
    finally:
        if engine != "sqlite":
            db(rt, target, "query", f"DROP TABLE IF EXISTS {table}")
            db(rt, target, "query", f"DELETE FROM perth_migrations WHERE version LIKE '%{table}'")


def test_a_failing_migration_is_not_recorded(rt: Runtime, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'app.db'}"
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_ok.sql").write_text("CREATE TABLE t (x INTEGER);\n")
    (folder / "002_bad.sql").write_text("INSERT INTO t VALUES (1);\nINSERT INTO missing VALUES (1);\n")
    job = db(rt, target, "migrate", str(folder), max_attempts=1)
    assert job.status == "dead" and "missing" in (job.error or "")
    conn = sqlite3.connect(tmp_path / "app.db")
    assert conn.execute("SELECT version FROM perth_migrations").fetchall() == [("001_ok",)]
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)


def test_a_server_that_is_down_is_retried_then_dead_lettered(rt: Runtime) -> None:
    port = free_port()
    for target in (f"postgresql://postgres@127.0.0.1:{port}/test", f"mysql://root@127.0.0.1:{port}/test"):
        job = db(rt, target, "query", "SELECT 1", max_attempts=2)
        assert (job.status, job.attempt, job.error_kind) == ("dead", 2, "transient")


def test_authentication_failures_are_never_retried(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    pg = db(rt, "postgresql://no_such_role_perth@127.0.0.1:5432/test", "query", "SELECT 1", max_attempts=3)
    assert (pg.status, pg.attempt, pg.error_kind) == ("dead", 1, "rejected")
    monkeypatch.setenv("WRONG_PASSWORD", "certainly-" + "wrong")
    my = db(rt, "mysql://no_such_user_perth@127.0.0.1:3306/test", "query", "SELECT 1",
            options={"password_env": "WRONG_PASSWORD"}, max_attempts=3)
    assert (my.status, my.attempt, my.error_kind) == ("dead", 1, "rejected")


def test_urls_never_carry_passwords() -> None:
    assert parse_url("postgresql://app@db:6543/prod").port == 6543
    assert parse_url("mysql://root@h/test").port == 3306
    with pytest.raises(InvalidInputError, match="password"):
        parse_url("postgresql://app:hunter2@db/prod")
    with pytest.raises(InvalidInputError, match="unknown database URL"):
        parse_url("oracle://x/y")


def test_the_worker_on_the_fake_database(tmp_path: Path) -> None:
    fake = FakeDatabase(rows=[(1, None)])
    io = _IO()
    result = DbWorker(fake).run(Job(id="j", kind="db", target="sqlite:///x.db", args=("query", "SELECT")), io)  # type: ignore[arg-type]
    assert (result.result, io.output.close()) == ({"columns": ["c0", "c1"], "rows": 1}, "c0\tc1\n1\tNULL\n")
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_a.sql").write_text("x")
    DbWorker(fake).run(Job(id="j", kind="db", target="sqlite:///x.db", args=("migrate", str(folder))), _IO())  # type: ignore[arg-type]
    assert fake.migrations == {"001_a": "x"}
