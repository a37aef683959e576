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


def m005_ports(db: PgDatabase) -> None:
    """The code index, the search index state (per index), operations jobs and their logs, workflows,
    and the commit-ordered positions the search feeds read (see :mod:`perth.store.pg_search`).
    Text columns sort by code point (``COLLATE "C"``), as SQLite does, whatever the database's locale."""
    _run_script(db, _PORTS.replace(" TEXT", ' TEXT COLLATE "C"'))
    for table in ("commands", "entries"):
        db.run(f"ALTER TABLE {table} ADD COLUMN search_xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
        db.run(f"ALTER TABLE {table} ADD COLUMN search_seq BIGINT GENERATED ALWAYS AS IDENTITY")
        db.run(f"CREATE INDEX {table}_search_position ON {table}(search_xid, search_seq)")
    db.run("CREATE FUNCTION perth_entries_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
           " NEW.search_xid := pg_current_xact_id();"
           " NEW.search_seq := nextval(pg_get_serial_sequence(quote_ident(TG_TABLE_SCHEMA) || '.entries',"
           " 'search_seq'));"
           " RETURN NEW; END $$")
    db.run("CREATE TRIGGER entries_moved BEFORE UPDATE ON entries FOR EACH ROW"
           " EXECUTE FUNCTION perth_entries_moved()")


_PORTS = """
CREATE TABLE code_repos (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, root TEXT NOT NULL UNIQUE, added_at BIGINT NOT NULL,
    indexed_at BIGINT, head TEXT, branch TEXT, state TEXT NOT NULL DEFAULT 'new'
        CHECK (state IN ('new', 'fresh', 'stale', 'partial', 'unavailable')),
    files BIGINT NOT NULL DEFAULT 0, symbols BIGINT NOT NULL DEFAULT 0, edges BIGINT NOT NULL DEFAULT 0,
    last_error TEXT);
CREATE TABLE code_files (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    repo_id TEXT NOT NULL REFERENCES code_repos(id) ON DELETE CASCADE, path TEXT NOT NULL, language TEXT NOT NULL,
    module TEXT NOT NULL, digest TEXT NOT NULL, size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, error TEXT,
    UNIQUE (repo_id, path));
CREATE TABLE code_symbols (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    file_id BIGINT NOT NULL REFERENCES code_files(id) ON DELETE CASCADE, repo_id TEXT NOT NULL, name TEXT NOT NULL,
    qualname TEXT NOT NULL, kind TEXT NOT NULL, line BIGINT NOT NULL, end_line BIGINT NOT NULL,
    parent TEXT NOT NULL DEFAULT '', signature TEXT NOT NULL DEFAULT '', doc TEXT NOT NULL DEFAULT '',
    decorators TEXT NOT NULL DEFAULT '');
CREATE INDEX code_symbols_name ON code_symbols(repo_id, name);
CREATE INDEX code_symbols_qualname ON code_symbols(repo_id, qualname);
CREATE INDEX code_symbols_file ON code_symbols(file_id);
CREATE TABLE code_edges (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    file_id BIGINT NOT NULL REFERENCES code_files(id) ON DELETE CASCADE, repo_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('calls', 'imports', 'inherits', 'defines')), src TEXT NOT NULL,
    dst TEXT NOT NULL, name TEXT NOT NULL,
    confidence TEXT NOT NULL CHECK (confidence IN ('exact', 'import-resolved', 'name-only')), line BIGINT NOT NULL);
CREATE INDEX code_edges_dst ON code_edges(repo_id, dst, kind);
CREATE INDEX code_edges_src ON code_edges(repo_id, src, kind);
CREATE INDEX code_edges_name ON code_edges(repo_id, name, kind);
CREATE INDEX code_edges_file ON code_edges(file_id);
CREATE TABLE search_sources (
    owner TEXT NOT NULL, source TEXT NOT NULL, cursor TEXT NOT NULL, docs BIGINT NOT NULL DEFAULT 0,
    synced_at BIGINT NOT NULL, PRIMARY KEY (owner, source));
CREATE TABLE search_meta (owner TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (owner, key));
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, target TEXT NOT NULL, args TEXT NOT NULL DEFAULT '[]',
    options TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
    engine TEXT NOT NULL DEFAULT 'embedded' CHECK (engine IN ('embedded', 'celery')), idempotency_key TEXT UNIQUE,
    timeout_s DOUBLE PRECISION NOT NULL, max_attempts BIGINT NOT NULL, attempt BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL, available_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,
    lease_owner TEXT, lease_token TEXT, lease_until BIGINT, runner TEXT NOT NULL DEFAULT '{}',
    cancel_requested INTEGER NOT NULL DEFAULT 0, exit_code BIGINT, output TEXT NOT NULL DEFAULT '',
    output_bytes BIGINT NOT NULL DEFAULT 0, output_path TEXT, error TEXT, error_kind TEXT,
    result TEXT NOT NULL DEFAULT '{}');
CREATE INDEX jobs_due ON jobs(status, available_at) WHERE status = 'queued';
CREATE INDEX jobs_leases ON jobs(lease_until) WHERE status = 'running';
CREATE INDEX jobs_created ON jobs(created_at DESC);
CREATE TABLE job_logs (
    job_id TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, attempt BIGINT NOT NULL, level TEXT NOT NULL,
    text TEXT NOT NULL, PRIMARY KEY (job_id, seq));
CREATE TABLE workflow_runs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL, spec TEXT NOT NULL,
    inputs TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    started_by TEXT NOT NULL, created_at BIGINT NOT NULL, finished_at BIGINT,
    cancel_requested INTEGER NOT NULL DEFAULT 0, runner_owner TEXT, runner_until BIGINT);
CREATE INDEX workflow_runs_created ON workflow_runs(created_at DESC);
CREATE TABLE workflow_steps (
    run_id TEXT NOT NULL REFERENCES workflow_runs(id), step_id TEXT NOT NULL, position BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'waiting', 'running', 'succeeded', 'failed',
                                           'skipped', 'rejected', 'cancelled')),
    job_id TEXT, attempts BIGINT NOT NULL DEFAULT 0, round_attempts BIGINT NOT NULL DEFAULT 0, started_at BIGINT,
    finished_at BIGINT, error TEXT, requested_by TEXT, requested_at BIGINT,
    decision TEXT CHECK (decision IN ('approved', 'rejected')), decided_by TEXT, decided_at BIGINT, note TEXT,
    PRIMARY KEY (run_id, step_id))
"""


def m006_workflow_triggers(db: PgDatabase) -> None:
    """Workflow step outputs, engines, nested runs, signed decisions, and the registered triggers (C12);
    the same columns and table as SQLite's ``m017_workflow_triggers``."""
    for table, column in (("workflow_runs", "engine TEXT COLLATE \"C\" NOT NULL DEFAULT 'embedded'"),
                          ("workflow_runs", "outputs TEXT COLLATE \"C\" NOT NULL DEFAULT '{}'"),
                          ("workflow_runs", "parent_run_id TEXT COLLATE \"C\""),
                          ("workflow_runs", "trigger TEXT COLLATE \"C\" NOT NULL DEFAULT 'manual'"),
                          ("workflow_steps", "outputs TEXT COLLATE \"C\" NOT NULL DEFAULT '{}'"),
                          ("workflow_steps", "child_run_id TEXT COLLATE \"C\""),
                          ("workflow_steps", "signature TEXT COLLATE \"C\"")):
        db.run(f"ALTER TABLE {table} ADD COLUMN {column}")
    _run_script(db, _TRIGGERS.replace(" TEXT", ' TEXT COLLATE "C"'))


_TRIGGERS = """
CREATE TABLE workflow_triggers (
    workflow TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('schedule', 'event')),
    path TEXT NOT NULL, spec TEXT NOT NULL, enabled_by TEXT NOT NULL, enabled_at BIGINT NOT NULL, next_at BIGINT,
    event_seq BIGINT NOT NULL DEFAULT 0, last_at BIGINT, last_run_id TEXT, fired BIGINT NOT NULL DEFAULT 0,
    missed BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (workflow, position))
"""


def m007_users(db: PgDatabase) -> None:
    """Users of the interfaces with a role, and their bearer tokens (only a hash of each secret)."""
    _run_script(db, _USERS.replace(" TEXT", ' TEXT COLLATE "C"'))


_USERS = """
CREATE TABLE users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    created_at BIGINT NOT NULL, created_by TEXT NOT NULL DEFAULT '');
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users(name), secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL, label TEXT NOT NULL DEFAULT '', expires_at BIGINT, revoked_at BIGINT);
CREATE INDEX api_tokens_user ON api_tokens(user_name)
"""


def m008_owners(db: PgDatabase) -> None:
    """Multi-user stores: every pane, entry and command carries its owner (empty on a personal store), a
    pane the team it is shared with, a user their teams; pane names are unique per owner."""
    _run_script(db, """
ALTER TABLE panes ADD COLUMN owner TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE panes ADD COLUMN team TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN owner TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE commands ADD COLUMN owner TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN teams TEXT NOT NULL DEFAULT '[]';
DROP INDEX panes_live_name;
CREATE UNIQUE INDEX panes_live_name ON panes(owner, name) WHERE deleted_at IS NULL
""")


PG_MIGRATIONS: tuple[PgMigration, ...] = (
    PgMigration(1, "schema", m001_schema),
    PgMigration(2, "pane_places", m002_pane_places),
    PgMigration(3, "events", m003_events),
    PgMigration(4, "drop_tsvector", m004_drop_tsvector),
    PgMigration(5, "ports", m005_ports),
    PgMigration(6, "workflow_triggers", m006_workflow_triggers),
    PgMigration(7, "users", m007_users),
    PgMigration(8, "owners", m008_owners),
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
