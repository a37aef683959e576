"""Migrations: from blank and from every earlier version, concurrently, and refusing newer files."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from perth.errors import SchemaTooNewError
from perth.store.migrations import LATEST_VERSION, MIGRATIONS, migrate
from perth.store.sqlite import SQLiteStore

FTS_SHADOW = re.compile(r"_fts_(data|idx|docsize|config|content)$")
EXPECTED_TABLES = {
    "commands": ["id", "pane_id", "start_ms", "duration_ms", "exit", "command", "cwd", "repo_root", "branch",
                 "shell", "session", "host", "user", "source", "dedup_key", "owner"],
    "spool_cursors": ["path", "byte_offset"],
    "spool_quarantine": ["id", "path", "byte_offset", "text", "reason", "at"],
    "panes": ["id", "name", "status", "session", "tab", "mux_kind", "mux_pane_id", "cwd", "repo_root",
              "branch", "tags", "meta", "created_at", "last_seen_at", "deleted_at", "auto_key", "owner", "team"],
    "entries": ["id", "pane_id", "ts", "summary", "type", "source", "agent", "artifacts", "commands_run",
                "goal_delta", "tags", "schema_version", "updated_at", "deleted_at", "owner"],
    "entry_tags": ["tag", "entry_id"],
    "redaction_stats": ["rule_id", "source", "count", "last_at"],
    "schema_migrations": ["version", "name", "applied_at"],
    # --- shellperf
    "shellperf_runs": ["id", "created_at", "scope", "shell", "profile", "status", "verdict", "document",
                       "assessment"],
    "shellperf_baselines": ["id", "name", "run_id", "scope", "created_at", "note", "deleted_at"],
    "shellperf_governance": ["scope", "recommended", "stable_streak", "clean_streak", "runs_seen", "last_run_id",
                             "updated_at", "reason"],
    # --- mux snapshots
    "mux_snapshots": ["id", "name", "created_at", "mux", "scope", "kind", "pinned", "digest", "panes", "document"],
    # --- circuit breakers and LLM calls
    "breakers": ["name", "state", "failures", "opened_at", "probe_until", "last_error", "last_latency_ms",
                 "last_success_at", "last_failure_at", "updated_at"],
    "llm_calls": ["id", "at", "provider", "model", "purpose", "pane_id", "outcome", "attempts", "latency_ms",
                  "input_tokens", "output_tokens", "error"],
    # --- code index
    "code_repos": ["id", "name", "root", "added_at", "indexed_at", "head", "branch", "state", "files", "symbols",
                   "edges", "last_error"],
    "code_files": ["id", "repo_id", "path", "language", "module", "digest", "size", "mtime_ns", "error"],
    "code_symbols": ["id", "file_id", "repo_id", "name", "qualname", "kind", "line", "end_line", "parent",
                     "signature", "doc", "decorators"],
    "code_edges": ["id", "file_id", "repo_id", "kind", "src", "dst", "name", "confidence", "line"],
    # --- events: the outbox, delivery cursors and dead letters
    "outbox": ["seq", "id", "type", "source", "time_ms", "body"],
    "outbox_cursors": ["transport", "delivered_seq", "attempts", "next_at", "last_error", "updated_at"],
    "outbox_dead": ["transport", "seq", "id", "type", "source", "time_ms", "body", "attempts", "error", "dead_at"],
    # --- search index state
    "search_sources": ["source", "cursor", "docs", "synced_at"],
    "search_meta": ["key", "value"],
    # --- operations jobs
    "jobs": ["id", "kind", "target", "args", "options", "status", "engine", "idempotency_key", "timeout_s", "max_attempts",
             "attempt", "created_at", "available_at", "started_at", "finished_at", "lease_owner", "lease_token",
             "lease_until", "runner", "cancel_requested", "exit_code", "output", "output_bytes", "output_path",
             "error", "error_kind", "result"],
    "job_logs": ["job_id", "seq", "at", "attempt", "level", "text"],
    # --- workflows
    "workflow_runs": ["id", "name", "path", "spec", "inputs", "status", "started_by", "created_at", "finished_at",
                      "cancel_requested", "runner_owner", "runner_until", "engine", "outputs", "parent_run_id",
                      "trigger"],
    "workflow_steps": ["run_id", "step_id", "position", "status", "job_id", "attempts", "round_attempts", "started_at", "finished_at",
                       "error", "requested_by", "requested_at", "decision", "decided_by", "decided_at", "note",
                       "outputs", "child_run_id", "signature"],
    "workflow_triggers": ["workflow", "position", "kind", "path", "spec", "enabled_by", "enabled_at", "next_at",
                          "event_seq", "last_at", "last_run_id", "fired", "missed"],
    "users": ["name", "role", "created_at", "created_by", "teams"],
    "api_tokens": ["id", "user_name", "secret_hash", "created_at", "label", "expires_at", "revoked_at"],
}


def schema(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                      " ORDER BY type, name").fetchall()
    return [(t, n, " ".join((s or "").split())) for t, n, s in rows]


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_blank_database_reaches_the_expected_schema(tmp_path: Path) -> None:
    db = connect(tmp_path / "blank.db")
    assert migrate(db) == [m.version for m in MIGRATIONS]
    tables = {name: [row[1] for row in db.execute(f"PRAGMA table_info({name})")]
              for (kind, name, _sql) in schema(db) if kind == "table" and not FTS_SHADOW.search(name)}
    assert tables == EXPECTED_TABLES
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert migrate(db) == []


@pytest.mark.parametrize("start", range(1, LATEST_VERSION))
def test_every_earlier_version_upgrades_to_the_same_schema(tmp_path: Path, start: int) -> None:
    reference = connect(tmp_path / "reference.db")
    migrate(reference)
    db = connect(tmp_path / f"from-{start}.db")
    assert migrate(db, target=start) == list(range(1, start + 1))
    assert db.execute("PRAGMA user_version").fetchone()[0] == start
    assert migrate(db) == list(range(start + 1, LATEST_VERSION + 1))
    assert schema(db) == schema(reference)
    versions = [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, LATEST_VERSION + 1))


def test_data_survives_upgrade_from_version_2(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = connect(path)
    migrate(db, target=2)
    db.execute("INSERT INTO panes(id, name, created_at, last_seen_at) VALUES ('p1', 'old/pane', 1, 1)")
    db.execute("INSERT INTO entries(id, pane_id, ts, summary, type, source) VALUES"
               " ('e1', 'p1', 5, 'kept', 'checkpoint', 'manual')")
    db.close()
    store = SQLiteStore(path)
    entry = store.entries.get("e1")
    assert entry is not None
    assert entry.summary == "kept"
    assert entry.pane_name == "old/pane"
    store.close()


def test_commands_read_the_same_after_their_indexes_turn_ascending(tmp_path: Path) -> None:
    """Migration 20 rebuilds the commands' time indexes ascending: every row stays, pages come
    back newest first (ties by id) the same way, and the plans still read an index, not a sort."""
    from perth.capture.records import CommandQuery

    path = tmp_path / "v19.db"
    db = connect(path)
    migrate(db, target=19)
    db.execute("INSERT INTO panes(id, name, created_at, last_seen_at) VALUES ('p1', 'a', 1, 1), ('p2', 'b', 1, 1)")
    rows = [(f"0000000{n % 10}-0000-7000-8000-{n:012d}", f"p{1 + n % 2}", 1000 * (n // 3), f"cmd {n}", f"k{n}")
            for n in range(60)]
    db.executemany("INSERT INTO commands(id, pane_id, start_ms, command, dedup_key) VALUES (?, ?, ?, ?, ?)", rows)
    db.close()
    newest = sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)
    store = SQLiteStore(path)
    assert store.schema_version() == LATEST_VERSION
    page = store.commands.query(CommandQuery(limit=7))
    assert [c.command for c in page] == [r[3] for r in newest[:7]]
    after = store.commands.query(CommandQuery(limit=7, cursor=(page[-1].start_ms, page[-1].id)))
    assert [c.command for c in after] == [r[3] for r in newest[7:14]]
    in_a = store.commands.query(CommandQuery(pane_ids=("p1",), limit=5))
    assert [(c.command, c.pane_name) for c in in_a] == [(r[3], "a") for r in newest if r[1] == "p1"][:5]
    assert store.commands.count() == 60
    plans = {sql: " ".join(row[3] for row in store.db.connection.execute(f"EXPLAIN QUERY PLAN {sql}"))
             for sql in ("SELECT id FROM commands ORDER BY start_ms DESC, id DESC LIMIT 5",
                         "SELECT id FROM commands WHERE pane_id = 'p1' ORDER BY start_ms DESC, id DESC LIMIT 5")}
    assert all("TEMP B-TREE" not in plan and "INDEX commands_" in plan for plan in plans.values()), plans
    store.close()


def test_imported_commands_leave_the_pane_index_and_pane_queries_still_read_it(tmp_path: Path) -> None:
    """Migration 21 keeps only commands with a pane in ``commands_pane_start``: every command is still
    listed, and each query that names panes (one, several, a time window of one) still reads the index."""
    from perth.capture.records import CommandQuery

    path = tmp_path / "v20.db"
    db = connect(path)
    migrate(db, target=20)
    db.execute("INSERT INTO panes(id, name, created_at, last_seen_at) VALUES ('p1', 'a', 1, 1), ('p2', 'b', 1, 1)")
    rows = [(f"00000000-0000-7000-8000-{n:012d}", None if n % 3 == 0 else f"p{1 + n % 2}", 1000 * n, f"cmd {n}",
             f"k{n}") for n in range(30)]
    db.executemany("INSERT INTO commands(id, pane_id, start_ms, command, dedup_key) VALUES (?, ?, ?, ?, ?)", rows)
    db.close()
    store = SQLiteStore(path)
    assert store.schema_version() == LATEST_VERSION
    assert [c.command for c in store.commands.query(CommandQuery(limit=30))] == [r[3] for r in reversed(rows)]
    in_p1 = store.commands.query(CommandQuery(pane_ids=("p1",), limit=30))
    assert [c.command for c in in_p1] == [r[3] for r in reversed(rows) if r[1] == "p1"]
    both = store.commands.query(CommandQuery(pane_ids=("p1", "p2"), limit=30))
    assert [c.command for c in both] == [r[3] for r in reversed(rows) if r[1]]
    assert store.commands.between("p2", 0, 10_000) == [r[3] for r in rows if r[1] == "p2" and 0 < r[2] <= 10_000]
    connection = store.db.connection
    indexed = connection.execute("SELECT COUNT(*) FROM commands INDEXED BY commands_pane_start"
                                 " WHERE pane_id IS NOT NULL").fetchone()[0]
    assert indexed == sum(1 for r in rows if r[1])
    plans = {sql: " ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"))
             for sql in ("SELECT id FROM commands WHERE pane_id = 'p1' ORDER BY start_ms DESC, id DESC LIMIT 5",
                         "SELECT id FROM commands WHERE pane_id IN ('p1', 'p2') ORDER BY start_ms DESC LIMIT 5",
                         "SELECT command FROM commands WHERE pane_id = 'p1' AND start_ms > 0 AND start_ms <= 9"
                         " ORDER BY start_ms DESC LIMIT 50")}
    assert all("commands_pane_start" in plan for plan in plans.values()), plans
    store.close()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = connect(path)
    migrate(db)
    db.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError) as caught:
        SQLiteStore(path)
    assert "upgrade Perth" in caught.value.fix
    assert path.read_bytes() == before


RACER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from perth.store.sqlite import SQLiteStore
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    store = SQLiteStore(Path(sys.argv[1]), busy_timeout_ms=30000)
    print(store.schema_version())
    store.close()
""")


@pytest.mark.integration
def test_concurrent_first_start_applies_each_migration_once(tmp_path: Path) -> None:
    import time

    path = tmp_path / "home" / "perth.db"
    start = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(path), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 8, [err for _out, err in results]
    assert {out.strip() for out, _err in results} == {str(LATEST_VERSION)}
    db = connect(path)
    versions = [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, LATEST_VERSION + 1))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
