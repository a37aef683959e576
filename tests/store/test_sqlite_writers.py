"""Threads of one process writing one SQLite file, each through its own connection (the embedded job
pool's shape): they queue for the write lock in turn, so none waits past the busy timeout while the
others' transactions are short."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from perth.store.sqlite_db import SQLiteDatabase


def test_many_threads_of_one_process_write_in_turn(tmp_path: Path) -> None:
    path = tmp_path / "perth.db"
    SQLiteDatabase(path).close()
    setup = SQLiteDatabase(path)
    setup.run("CREATE TABLE IF NOT EXISTS t_writers (thread INTEGER, n INTEGER)")
    setup.close()
    errors: list[BaseException] = []
    waits: list[float] = []

    def writer(number: int) -> None:
        db = SQLiteDatabase(path, busy_timeout_ms=3000)
        try:
            for n in range(8):
                asked = time.monotonic()
                with db.transaction():
                    waits.append(time.monotonic() - asked)
                    db.run("INSERT INTO t_writers VALUES (?, ?)", (number, n))
                    time.sleep(0.02)  # a transaction that takes a while
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
    # each waits for the others' turns (11 x 20 ms), not for SQLite's busy handler's sleeps (seconds in the tail)
    assert max(waits) < 1.0, max(waits)


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
