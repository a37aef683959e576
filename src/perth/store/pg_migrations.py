"""PostgreSQL schema migrations: append-only, numbered, one transaction each, under an advisory lock.

The same discipline as SQLite's chain (:mod:`perth.store.migrations`), a chain of its own for this
engine: the tables and columns are those of the SQLite schema (so every ``sql_<port>.py`` adapter
runs unchanged), with PostgreSQL's types (``BIGINT`` milliseconds, identity keys).  Each step is recorded
in ``schema_migrations``; processes starting together serialize on ``pg_advisory_xact_lock``.
"""

from __future__ import annotations

import time

from perth.errors import SchemaTooNewError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.store.pg_db import PgDatabase

#: The advisory lock key of Perth's migrations (any fixed 64-bit number; "perth" in ASCII).
LOCK_KEY = 0x7065727468


class PgMigration(Record):
    """One schema step."""

    version: int
    name: str
    apply: Callable[[PgDatabase], None]


def m001_schema(db: PgDatabase) -> None:
    """Panes, entries, redaction counters, shellperf ledger, commands, snapshots, breakers, LLM calls."""
    _run_script(db, _SCHEMA_1)


def _run_script(db: PgDatabase, script: str) -> None:
    """Run each ``;``-separated statement of a migration's SQL."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.run(statement)


_SCHEMA_1 = """
CREATE TABLE panes (
    id TEXT PRIMARY KEY, name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'archived')),
    session TEXT, tab TEXT, mux_kind TEXT NOT NULL DEFAULT 'none', mux_pane_id TEXT, cwd TEXT, repo_root TEXT,
    branch TEXT, tags TEXT NOT NULL DEFAULT '[]', meta TEXT NOT NULL DEFAULT '{}', created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL, deleted_at BIGINT);
CREATE UNIQUE INDEX panes_live_name ON panes(name) WHERE deleted_at IS NULL;
CREATE INDEX panes_mux ON panes(mux_kind, mux_pane_id) WHERE deleted_at IS NULL;
CREATE INDEX panes_seen ON panes(last_seen_at DESC);
CREATE TABLE entries (
    id TEXT PRIMARY KEY, pane_id TEXT NOT NULL REFERENCES panes(id), ts BIGINT NOT NULL, summary TEXT NOT NULL,
    type TEXT NOT NULL, source TEXT NOT NULL, agent TEXT, artifacts TEXT NOT NULL DEFAULT '[]',
    commands_run TEXT NOT NULL DEFAULT '[]', goal_delta TEXT, tags TEXT NOT NULL DEFAULT '[]',
    schema_version INTEGER NOT NULL DEFAULT 1, updated_at BIGINT, deleted_at BIGINT,
    search_tsv tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', summary || ' ' || coalesce(goal_delta, ''))) STORED);
CREATE INDEX entries_pane_ts ON entries(pane_id, ts DESC, id DESC);
CREATE INDEX entries_ts ON entries(ts DESC, id DESC);
CREATE INDEX entries_short_id ON entries(substr(id, 29));
CREATE INDEX entries_search ON entries USING gin(search_tsv);
CREATE TABLE entry_tags (
    tag TEXT NOT NULL, entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    PRIMARY KEY (tag, entry_id));
CREATE INDEX entry_tags_entry ON entry_tags(entry_id);
CREATE TABLE redaction_stats (
    rule_id TEXT NOT NULL, source TEXT NOT NULL, count BIGINT NOT NULL, last_at BIGINT NOT NULL,
    PRIMARY KEY (rule_id, source));
CREATE TABLE shellperf_runs (
    id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, scope TEXT NOT NULL, shell TEXT NOT NULL, profile TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('complete', 'partial')), verdict TEXT, document TEXT NOT NULL,
    assessment TEXT NOT NULL DEFAULT '{}');
CREATE INDEX shellperf_runs_scope ON shellperf_runs(scope, created_at DESC);
CREATE INDEX shellperf_runs_created ON shellperf_runs(created_at DESC);
CREATE TABLE shellperf_baselines (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, run_id TEXT NOT NULL REFERENCES shellperf_runs(id),
    scope TEXT NOT NULL, created_at BIGINT NOT NULL, note TEXT NOT NULL DEFAULT '', deleted_at BIGINT);
CREATE UNIQUE INDEX shellperf_baselines_live_name ON shellperf_baselines(name) WHERE deleted_at IS NULL;
CREATE TABLE shellperf_governance (
    scope TEXT PRIMARY KEY, recommended TEXT NOT NULL CHECK (recommended IN ('observe', 'warn', 'gate')),
    stable_streak BIGINT NOT NULL, clean_streak BIGINT NOT NULL, runs_seen BIGINT NOT NULL, last_run_id TEXT,
    updated_at BIGINT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE commands (
    id TEXT PRIMARY KEY, pane_id TEXT REFERENCES panes(id), start_ms BIGINT NOT NULL, duration_ms BIGINT,
    exit BIGINT, command TEXT NOT NULL, cwd TEXT, repo_root TEXT, branch TEXT, shell TEXT, session TEXT, host TEXT,
    "user" TEXT, source TEXT NOT NULL DEFAULT 'capture', dedup_key TEXT NOT NULL UNIQUE,
    command_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', command)) STORED);
CREATE INDEX commands_pane_start ON commands(pane_id, start_ms DESC, id DESC);
CREATE INDEX commands_start ON commands(start_ms DESC, id DESC);
CREATE INDEX commands_search ON commands USING gin(command_tsv);
CREATE TABLE spool_cursors (path TEXT PRIMARY KEY, byte_offset BIGINT NOT NULL);
CREATE TABLE spool_quarantine (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, path TEXT NOT NULL, byte_offset BIGINT NOT NULL,
    text TEXT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE mux_snapshots (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, mux TEXT NOT NULL,
    scope TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('auto', 'named')), pinned INTEGER NOT NULL DEFAULT 0,
    digest TEXT NOT NULL, panes INTEGER NOT NULL, document TEXT NOT NULL);
CREATE INDEX mux_snapshots_scope ON mux_snapshots(scope, created_at DESC);
CREATE TABLE breakers (
    name TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    failures BIGINT NOT NULL DEFAULT 0, opened_at BIGINT, probe_until BIGINT, last_error TEXT,
    last_latency_ms BIGINT, last_success_at BIGINT, last_failure_at BIGINT, updated_at BIGINT NOT NULL);
CREATE TABLE llm_calls (
    id TEXT PRIMARY KEY, at BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, purpose TEXT NOT NULL,
    pane_id TEXT, outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'rejected', 'open')),
    attempts BIGINT NOT NULL DEFAULT 0, latency_ms BIGINT, input_tokens BIGINT, output_tokens BIGINT, error TEXT);
CREATE INDEX llm_calls_provider ON llm_calls(provider, at DESC)
"""


def m002_pane_places(db: PgDatabase) -> None:
    """Automatic panes keyed by the place they stand for (repository root and branch, or directory)."""
    db.run("ALTER TABLE panes ADD COLUMN auto_key TEXT")
    db.run("CREATE INDEX panes_auto_key ON panes(auto_key) WHERE auto_key IS NOT NULL")


def m003_events(db: PgDatabase) -> None:
    """The transactional outbox of CloudEvents, each transport's delivery cursor, dead letters (C7)."""
    _run_script(db, _EVENTS)


_EVENTS = """
CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    source TEXT NOT NULL, time_ms BIGINT NOT NULL, body TEXT NOT NULL);
CREATE INDEX outbox_time ON outbox(time_ms);
CREATE TABLE outbox_cursors (
    transport TEXT PRIMARY KEY, delivered_seq BIGINT NOT NULL DEFAULT 0, attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL DEFAULT 0, last_error TEXT, updated_at BIGINT NOT NULL);
CREATE TABLE outbox_dead (
    transport TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
    time_ms BIGINT NOT NULL, body TEXT NOT NULL, attempts BIGINT NOT NULL, error TEXT NOT NULL,
    dead_at BIGINT NOT NULL, PRIMARY KEY (transport, id))
"""


def m004_drop_tsvector(db: PgDatabase) -> None:
    """Memory search has its own index (``perth.search``): the generated ``tsvector`` columns go."""
    db.run("ALTER TABLE commands DROP COLUMN command_tsv")
    db.run("ALTER TABLE entries DROP COLUMN search_tsv")


def m005_users(db: PgDatabase) -> None:
    """Users of the interfaces with a role, and their bearer tokens (only a hash of each secret)."""
    _run_script(db, _USERS)


_USERS = """
CREATE TABLE users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    created_at BIGINT NOT NULL, created_by TEXT NOT NULL DEFAULT '');
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users(name), secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL, label TEXT NOT NULL DEFAULT '', expires_at BIGINT, revoked_at BIGINT);
CREATE INDEX api_tokens_user ON api_tokens(user_name)
"""


PG_MIGRATIONS: tuple[PgMigration, ...] = (
    PgMigration(1, "schema", m001_schema),
    PgMigration(2, "pane_places", m002_pane_places),
    PgMigration(3, "events", m003_events),
    PgMigration(4, "drop_tsvector", m004_drop_tsvector),
    PgMigration(5, "users", m005_users),
)
PG_LATEST_VERSION = PG_MIGRATIONS[-1].version


def current_version(db: PgDatabase) -> int:
    """The newest applied step (0 for an empty schema)."""
    found = db.rows("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0]
    if not found:
        return 0
    return int(db.rows("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])


def migrate(db: PgDatabase, *, target: int = PG_LATEST_VERSION) -> list[int]:
    """Apply the pending steps up to ``target`` (each in its own transaction, under the lock)."""
    applied: list[int] = []
    if current_version(db) == target:
        return applied  # the common case: no lock taken
    while True:
        with db.transaction():
            db.run("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
            db.run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                   " applied_at BIGINT NOT NULL)")
            version = current_version(db)
            if version > PG_LATEST_VERSION:
                raise SchemaTooNewError(
                    f"the PostgreSQL store {db.server} has schema version {version}, newer than this Perth"
                    f" understands ({PG_LATEST_VERSION})", "upgrade Perth on this machine, or use another store.url")
            if version >= target:
                return applied
            step = PG_MIGRATIONS[version]
            step.apply(db)
            db.run("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                   (step.version, step.name, time.time_ns() // 1_000_000))
            applied.append(step.version)
