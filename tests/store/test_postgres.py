"""The PostgreSQL store beyond the contract suites: its schema chain under an advisory lock, many
writers at once, and what a user sees when the server is down or the URL is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import ConfigError, SchemaTooNewError
from perth.store.pg_db import placeholders, server_of
from perth.store.pg_migrations import PG_LATEST_VERSION
from perth.store.postgres import PostgresStore
from tests.store.adapters import pg_schema
from tests.store.test_migrations import EXPECTED_TABLES

pytestmark = pytest.mark.integration


def perth(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    env.update(PERTH_HOME=str(home), PERTH_STORE__URL=url)
    return subprocess.run([sys.executable, "-m", "perth", *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_a_blank_schema_gets_the_tables_and_columns_of_the_sqlite_store() -> None:
    with pg_schema() as url:
        store = PostgresStore(url)
        try:
            rows = store.db.rows("SELECT table_name, column_name FROM information_schema.columns"
                                 " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
        finally:
            store.close()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    expected = dict(EXPECTED_TABLES)
    for table in ("commands", "entries"):  # commit-ordered positions of the search feeds (pg_search), then owners
        expected[table] = [*(c for c in expected[table] if c != "owner"), "search_xid", "search_seq", "owner"]
    for table in ("search_sources", "search_meta"):  # one shared store, one search index per machine
        expected[table] = ["owner", *expected[table]]
    assert tables == expected


def test_processes_starting_together_on_an_empty_schema_migrate_once(tmp_path: Path) -> None:
    with pg_schema() as url:
        procs = [subprocess.Popen([sys.executable, "-m", "perth", "pane", "list", "--format", "json"],
                                  env={**os.environ, "PERTH_HOME": str(tmp_path / f"h{i}"), "PERTH_STORE__URL": url},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
        results = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0] * 8, [err for _, err in results]
        store = PostgresStore(url)
        try:
            assert store.db.rows("SELECT version FROM schema_migrations") == [(v,) for v in
                                                                              range(1, PG_LATEST_VERSION + 1)]
        finally:
            store.close()


def test_an_unreachable_server_is_exit_4_and_never_shows_the_password(tmp_path: Path) -> None:
    done = perth(tmp_path, "postgresql://app:hunter2-secret@127.0.0.1:1/team", "log", "hello")
    assert done.returncode == 4
    assert "cannot reach the PostgreSQL store at 127.0.0.1:1/team" in done.stderr
    assert "hunter2" not in done.stderr + done.stdout
    assert done.stderr.count("\n") == 1  # one line, no traceback


def test_a_url_of_another_kind_is_a_config_error(tmp_path: Path) -> None:
    done = perth(tmp_path, "mysql://root@127.0.0.1/test", "status")
    assert done.returncode == 1
    assert "store.url must be a postgresql:// or redis:// address" in done.stderr


def test_a_schema_written_by_a_newer_perth_is_refused() -> None:
    with pg_schema() as url:
        store = PostgresStore(url)
        store.db.run("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, 'future', 0)",
                     (PG_LATEST_VERSION + 1,))
        store.close()
        with pytest.raises(SchemaTooNewError, match="newer than this Perth"):
            PostgresStore(url)


def test_config_error_class_is_what_open_store_raises() -> None:
    from perth.config import load_settings
    from perth.paths import resolve_paths
    from perth.store import open_store

    env = {"PERTH_HOME": "/nonexistent-perth-home", "PERTH_STORE__URL": "mysql://127.0.0.1"}
    with pytest.raises(ConfigError):
        open_store(load_settings(resolve_paths(env), env))


@given(st.lists(st.sampled_from(["?", "%", "'", "a", " ", "\\"]), max_size=30))
def test_placeholders_change_only_what_is_outside_literals(chars: list[str]) -> None:
    sql = "".join(chars)
    converted = placeholders(sql)
    quoted = False
    expected = []
    for char in sql:
        if char == "'":
            quoted = not quoted
            expected.append(char)
        elif char == "%":
            expected.append("%%")
        elif char == "?" and not quoted:
            expected.append("%s")
        else:
            expected.append(char)
    assert converted == "".join(expected)
    assert converted.count("%s") == sum(1 for i, c in enumerate(sql) if c == "?" and sql[:i].count("'") % 2 == 0)


def test_messages_name_the_server_without_credentials() -> None:
    assert server_of("postgresql://u:p@db.internal:6432/team?sslmode=require") == "db.internal:6432/team"
    assert server_of("postgresql://db") == "db:5432"
