"""SQLite schema migrations: append-only, numbered, one transaction each.

Each migration is a small function ``mNNN_<what>``.  Never edit one that has
shipped: add the next.  :func:`migrate` applies the pending ones under an
exclusive lock and records each in ``schema_migrations``; the schema version is
mirrored in ``PRAGMA user_version`` so the common case (nothing to do) costs one
read.  Two processes starting at the same moment on an empty home serialize on
the lock: the second finds the work done.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from perth.errors import SchemaTooNewError
from perth.record import Record


class Migration(Record):
    """One schema step."""

    version: int
    name: str
    apply: Callable[[sqlite3.Connection], None]


def m001_panes(db: sqlite3.Connection) -> None:
    """Panes: named threads of work."""
    db.execute("""
        CREATE TABLE panes (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'closed', 'archived')),
            session TEXT,
            tab TEXT,
            mux_kind TEXT NOT NULL DEFAULT 'none',
            mux_pane_id TEXT,
            cwd TEXT,
            repo_root TEXT,
            branch TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            meta TEXT NOT NULL DEFAULT '{}',
            created_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            deleted_at INTEGER
        )""")
    db.execute("CREATE UNIQUE INDEX panes_live_name ON panes(name) WHERE deleted_at IS NULL")
    db.execute("CREATE INDEX panes_mux ON panes(mux_kind, mux_pane_id) WHERE deleted_at IS NULL")
    db.execute("CREATE INDEX panes_seen ON panes(last_seen_at DESC)")


def m002_entries(db: sqlite3.Connection) -> None:
    """Intent entries, newest-first per pane and overall."""
    db.execute("""
        CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            pane_id TEXT NOT NULL REFERENCES panes(id),
            ts INTEGER NOT NULL,
            summary TEXT NOT NULL,
            type TEXT NOT NULL,
            source TEXT NOT NULL,
            agent TEXT,
            artifacts TEXT NOT NULL DEFAULT '[]',
            commands_run TEXT NOT NULL DEFAULT '[]',
            goal_delta TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            schema_version INTEGER NOT NULL DEFAULT 1,
            updated_at INTEGER,
            deleted_at INTEGER
        )""")
    db.execute("CREATE INDEX entries_pane_ts ON entries(pane_id, ts DESC, id DESC)")
    db.execute("CREATE INDEX entries_ts ON entries(ts DESC, id DESC)")
    db.execute("CREATE INDEX entries_short_id ON entries(substr(id, 29))")


def m003_entry_tags(db: sqlite3.Connection) -> None:
    """A tag index so that ``--tag`` filters stay fast with millions of entries."""
    db.execute("""
        CREATE TABLE entry_tags (
            tag TEXT NOT NULL,
            entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            PRIMARY KEY (tag, entry_id)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX entry_tags_entry ON entry_tags(entry_id)")


def m004_redaction_stats(db: sqlite3.Connection) -> None:
    """Per-rule, per-source counts of redactions (never the secret)."""
    db.execute("""
        CREATE TABLE redaction_stats (
            rule_id TEXT NOT NULL,
            source TEXT NOT NULL,
            count INTEGER NOT NULL,
            last_at INTEGER NOT NULL,
            PRIMARY KEY (rule_id, source)
        ) WITHOUT ROWID""")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "panes", m001_panes),
    Migration(2, "entries", m002_entries),
    Migration(3, "entry_tags", m003_entry_tags),
    Migration(4, "redaction_stats", m004_redaction_stats),
)
LATEST_VERSION = MIGRATIONS[-1].version


def _too_new(found: int) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"the data file has schema version {found}, newer than this Perth understands ({LATEST_VERSION})",
        "upgrade Perth (pipx upgrade perth), or point store.path at another file",
    )


def current_version(db: sqlite3.Connection) -> int:
    """The schema version recorded in the file header."""
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(db: sqlite3.Connection, *, target: int = LATEST_VERSION) -> list[int]:
    """Apply pending migrations up to ``target``; returns the versions applied here.

    The connection must be in autocommit mode (``isolation_level=None``).
    """
    version = current_version(db)
    if version > LATEST_VERSION:
        raise _too_new(version)
    applied: list[int] = []
    while version < target:
        db.execute("BEGIN EXCLUSIVE")
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
            )
            row = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
            version = int(row[0])
            if version > LATEST_VERSION:
                raise _too_new(version)
            if version < target:
                step = MIGRATIONS[version]
                step.apply(db)
                db.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (step.version, step.name, time.time_ns() // 1_000_000),
                )
                db.execute(f"PRAGMA user_version = {step.version:d}")
                applied.append(step.version)
                version = step.version
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return applied
