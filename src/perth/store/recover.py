"""A damaged SQLite data file: check it, and salvage what SQLite can still read.

:func:`integrity_problems` runs ``PRAGMA quick_check`` on the file (read-only).
:func:`recover` runs SQLite's own recovery (the ``sqlite3`` shell's ``.recover``, which reads
every page it can, bypassing damaged b-trees) into a new file beside the old one, checks the
new file, then puts it in place and keeps the damaged file (with its ``-wal``/``-shm``) under
``<name>.damaged-<time>``: nothing is deleted, and a failed recovery leaves everything as it was.
"""

from __future__ import annotations

import os
import sqlite3

from perth.errors import InvalidInputError, NotFoundError
from perth.record import Record

MAX_PROBLEMS = 5


class RecoveryReport(Record):
    """What ``perth doctor --recover`` did."""

    path: str
    kept_as: str
    tables: int
    rows: int
    unreadable: tuple[str, ...]  # tables (or parts of them) that could not be read


def integrity_problems(path: str) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong with the file (empty when it is whole)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = db.execute(f"PRAGMA quick_check({MAX_PROBLEMS})").fetchall()
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        db.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def recover(path: str, *, now_ms: int) -> RecoveryReport:
    """Salvage ``path`` into a new file that takes its place; the damaged one is kept beside it."""
    if not os.path.isfile(path):
        raise NotFoundError(f"no data file at {path}", "nothing to recover")
    stamp = str(now_ms)
    target = f"{path}.recovered-{stamp}"
    try:
        tables, rows, unreadable = _salvage(path, target)
    except BaseException:
        for leftover in (target, f"{target}-wal", f"{target}-shm", f"{target}.lock"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise
    kept = f"{path}.damaged-{stamp}"
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.replace(path + suffix, kept + suffix)
    os.replace(path, kept)
    os.replace(target, path)
    if os.path.exists(f"{target}.lock"):
        os.unlink(f"{target}.lock")
    return RecoveryReport(path=path, kept_as=kept, tables=tables, rows=rows, unreadable=tuple(unreadable))


def _salvage(path: str, target: str) -> tuple[int, int, list[str]]:
    from perth.store.sqlite_db import SQLiteDatabase

    fresh = SQLiteDatabase(target)  # Perth's current schema, its triggers rebuild the search indexes
    fresh.connection.close()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = sqlite3.connect(target, isolation_level=None)
    try:
        old_tables = _tables(source)
        if "entries" not in old_tables or "panes" not in old_tables:
            raise InvalidInputError("the file's list of tables cannot be read: nothing can be salvaged",
                                    "the damaged file was left as it was; restore it from a backup or an export")
        out.execute("BEGIN")
        copied, unreadable = 0, []
        names = [name for name in _tables(out) if name in old_tables and name != "schema_migrations"]
        for name in names:
            count, complete = _copy(source, out, name)
            copied += count
            if not complete:
                unreadable.append(name)
        out.execute("COMMIT")
        return len(names), copied, unreadable
    finally:
        source.close()
        out.close()


def _tables(db: sqlite3.Connection) -> list[str]:
    """User tables in creation order (parents before children), without full-text shadow tables."""
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                      " ORDER BY rowid").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [name for name, _sql in rows
            if name not in virtual and not any(name.startswith(v + "_") for v in virtual)]


def _copy(source: sqlite3.Connection, out: sqlite3.Connection, name: str) -> tuple[int, bool]:
    """Copy the readable rows of one table (the columns both files have); (rows, read whole)."""
    wanted = [row[1] for row in out.execute(f'PRAGMA table_info("{name}")')]
    have = {row[1] for row in source.execute(f'PRAGMA table_info("{name}")')}
    columns = [c for c in wanted if c in have]
    listed = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{name}"({listed}) VALUES ({", ".join("?" * len(columns))})'
    rows: list[tuple[object, ...]] = []
    try:
        rows.extend(source.execute(f'SELECT {listed} FROM "{name}"'))
        complete = True
    except sqlite3.DatabaseError:
        rows, complete = _probe(source, name, listed), False
    out.executemany(insert, rows)
    return len(rows), complete


def _probe(source: sqlite3.Connection, name: str, listed: str) -> list[tuple[object, ...]]:
    """Row by row id, for a table whose scan hit a damaged page; empty for tables without row ids."""
    try:
        top = source.execute(f'SELECT MAX(rowid) FROM "{name}"').fetchone()[0] or 0
    except sqlite3.DatabaseError:
        return []
    found = []
    for rowid in range(1, int(top) + 1):
        try:
            row = source.execute(f'SELECT {listed} FROM "{name}" WHERE rowid = ?', (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            found.append(tuple(row))
    return found
