"""This home's sync state: ``sync.db`` beside the data file (SQLite, private).

``meta`` holds the home's random id, the vault, the server URL, the cursor (last server sequence
number applied) and the times of the last push and pull; ``versions`` holds, per record, the
stamp, home and digest of the version this home last pushed or applied (a record whose current
digest differs has changed here since); ``conflicts`` keeps what conflicts were resolved, and how.
No record content is kept here.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from perth.record import Record

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS versions (kind TEXT NOT NULL, id TEXT NOT NULL, stamp INTEGER NOT NULL,"
    " home TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS conflicts (n INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
    " id TEXT NOT NULL, reason TEXT NOT NULL, kept TEXT NOT NULL, winner_home TEXT NOT NULL,"
    " winner_stamp INTEGER NOT NULL, loser_home TEXT NOT NULL, loser_stamp INTEGER NOT NULL)",
)


class Version(Record):
    """The version of a record this home holds as synced."""

    stamp: int
    home: str
    digest: str


class Conflict(Record):
    """Two versions of one record made without seeing each other, and which one was kept.

    ``reason``: ``concurrent edit`` or ``pane name`` (two live panes with one name: the older keeps
    it, the other is renamed ``<name>-<last 6 characters of its id>``); ``kept``: ``local`` or ``remote``.
    """

    at: int
    kind: str
    id: str
    reason: str
    kept: str
    winner_home: str
    winner_stamp: int
    loser_home: str
    loser_stamp: int

    def to_json(self) -> dict[str, object]:
        """The shape in ``perth.sync.*.v1`` documents."""
        return {name: getattr(self, name) for name in self._fields}


class SyncState:
    """The sync state of one home."""

    def __init__(self, path: str) -> None:
        from perth.files import private_dirs, private_file

        self.path = path
        private_dirs(os.path.dirname(path))
        private_file(path)
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode = WAL")
        for statement in SCHEMA:
            self._db.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get(self, key: str, default: str = "") -> str:
        """A meta value."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set(self, **values: str | int) -> None:
        """Meta values."""
        self._db.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                             " SET value = excluded.value", [(k, str(v)) for k, v in values.items()])

    @property
    def configured(self) -> bool:
        """Whether ``perth sync init`` ran here."""
        return bool(self.get("vault"))

    def versions(self, kind: str) -> dict[str, Version]:
        """Every synced version of one kind."""
        return {row[0]: Version(stamp=row[1], home=row[2], digest=row[3]) for row in
                self._db.execute("SELECT id, stamp, home, digest FROM versions WHERE kind = ?", (kind,))}

    def put_versions(self, rows: Iterable[tuple[str, str, int, str, str]]) -> None:
        """Record ``(kind, id, stamp, home, digest)`` as synced."""
        self._db.executemany("INSERT INTO versions(kind, id, stamp, home, digest) VALUES (?, ?, ?, ?, ?)"
                             " ON CONFLICT(kind, id) DO UPDATE SET stamp = excluded.stamp, home = excluded.home,"
                             " digest = excluded.digest", list(rows))

    def count_versions(self) -> int:
        """How many records are synced."""
        return int(self._db.execute("SELECT count(*) FROM versions").fetchone()[0])

    def add_conflicts(self, conflicts: Iterable[Conflict]) -> None:
        """Keep resolved conflicts."""
        self._db.executemany("INSERT INTO conflicts(at, kind, id, reason, kept, winner_home, winner_stamp,"
                             " loser_home, loser_stamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [tuple(getattr(c, name) for name in Conflict._fields) for c in conflicts])

    def conflicts(self, limit: int = 20) -> tuple[int, list[Conflict]]:
        """How many conflicts were resolved here, and the latest ones."""
        total = int(self._db.execute("SELECT count(*) FROM conflicts").fetchone()[0])
        rows = self._db.execute("SELECT at, kind, id, reason, kept, winner_home, winner_stamp, loser_home,"
                                " loser_stamp FROM conflicts ORDER BY n DESC LIMIT ?", (limit,)).fetchall()
        return total, [Conflict(*row) for row in rows]

    def close(self) -> None:
        """Close the file."""
        self._db.close()
