"""Threads of one process writing one SQLite file, each through its own connection (the embedded job
pool's shape): they queue for the write lock in the process instead of polling SQLite's busy handler."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from perth.store.sqlite_db import SQLiteDatabase


def test_a_thread_waits_for_the_process_lock_before_asking_sqlite(tmp_path: Path) -> None:
    """While one thread's write transaction is open, another thread's waits in the process (it has
    not sent ``BEGIN IMMEDIATE`` to SQLite, whose busy handler would poll with growing sleeps), then
    runs as soon as the first commits."""
    path = tmp_path / "perth.db"
    first, second = SQLiteDatabase(path), SQLiteDatabase(path)
    first.run("CREATE TABLE t_turns (x INTEGER)")
    sent: list[str] = []
    second.connection.set_trace_callback(sent.append)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.transaction():
            first.run("INSERT INTO t_turns VALUES (1)")
            holding.set()
            release.wait(10)

    def write() -> None:
        with second.transaction():
            second.run("INSERT INTO t_turns VALUES (2)")

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert writer.is_alive() and not any("BEGIN" in statement for statement in sent)
    release.set()
    holder.join()
    writer.join(10)
    assert not writer.is_alive() and sum("BEGIN IMMEDIATE" in statement for statement in sent) == 1
    assert first.rows("SELECT x FROM t_turns ORDER BY x") == [(1,), (2,)]
    first.close()
    second.close()


def test_many_threads_of_one_process_write_without_errors(tmp_path: Path) -> None:
    path = tmp_path / "perth.db"
    setup = SQLiteDatabase(path)
    setup.run("CREATE TABLE IF NOT EXISTS t_writers (thread INTEGER, n INTEGER)")
    setup.close()
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        db = SQLiteDatabase(path)
        try:
            for n in range(8):
                with db.transaction():
                    db.run("INSERT INTO t_writers VALUES (?, ?)", (number, n))
                    time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = SQLiteDatabase(path)
    assert check.rows("SELECT COUNT(*) FROM t_writers")[0][0] == 12 * 8
    check.close()


def test_a_nested_transaction_joins_the_outer_one_in_the_same_thread(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "perth.db")
    db.run("CREATE TABLE t_nested (x INTEGER)")
    with db.transaction():
        db.run("INSERT INTO t_nested VALUES (1)")
        with db.transaction():
            db.run("INSERT INTO t_nested VALUES (2)")
    assert db.rows("SELECT COUNT(*) FROM t_nested")[0][0] == 2
    db.close()


def test_a_bulk_write_checkpoints_once_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "perth.db"
    db = SQLiteDatabase(path)
    db.run("CREATE TABLE t_bulk (x TEXT)")
    with db.bulk():
        assert db.rows("PRAGMA wal_autocheckpoint")[0][0] == 0
        for _ in range(30):  # far past 1,000 pages of WAL
            with db.transaction():
                db.run_many("INSERT INTO t_bulk VALUES (?)", [("y" * 2000,)] * 100)
        grown = os.path.getsize(f"{path}-wal")
        assert grown > 1000 * 4096  # nothing was checkpointed (the WAL would have been reused from its start)
    assert db.rows("PRAGMA wal_autocheckpoint")[0][0] == 1000
    busy, log, checkpointed = db.rows("PRAGMA wal_checkpoint(PASSIVE)")[0]
    assert busy == 0 and log == checkpointed
    assert db.rows("SELECT COUNT(*) FROM t_bulk")[0][0] == 3000
    db.close()
