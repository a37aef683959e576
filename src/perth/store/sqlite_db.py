"""One SQLite connection shared by every repository of a unit of work.

:class:`SQLiteDatabase` owns the connection (WAL mode, busy timeout, foreign
keys), first-time initialization under an OS lock, the nestable ``BEGIN
IMMEDIATE`` transaction, and the translation of SQLite's exceptions into
:class:`perth.errors.StoreError` subclasses whose messages say how to fix the
problem.  The per-port adapters (``sql_panes.py``, ``sql_code.py``, ...) take it in
their constructor and use only the methods of :class:`perth.store.sql.SqlDatabase`, so they
share its connection and transaction and know nothing of each other.
"""

from __future__ import annotations

import _thread  # not threading: its import costs ~1 ms on the `perth log` path; the locks are the same
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from perth.errors import (
    StoreBusyError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreReadOnlyError,
)
from perth.files import locked, private_dirs, private_file
from perth.store.migrations import LATEST_VERSION, current_version, migrate
from perth.store.sql import IntegrityViolation, NestedTransactions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _nearly_full(path: str) -> bool:
    """Whether the filesystem holding ``path`` has (almost) no space left."""
    try:
        stats = os.statvfs(os.path.dirname(path))
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def translate_error(exc: Exception, path: str) -> StoreError | StoreBusyError:
    """Map a SQLite error to the most specific :class:`StoreError`."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreBusyError(
            f"another Perth process kept {path} locked past the busy timeout",
            "retry, or raise store.busy_timeout_ms (perth config set store.busy_timeout_ms 15000)",
        )
    if "full" in text or ("disk i/o error" in text and _nearly_full(path)):
        return StoreFullError(
            f"no space left to write {path}",
            "free disk space, or move the store elsewhere with `perth config set store.path PATH`",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return StoreReadOnlyError(
            f"cannot write the data file {path}",
            f"make {os.path.dirname(path)} and its files writable, or set store.path / PERTH_HOME to a writable place",
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        from perth.store.crypt import is_encrypted

        if is_encrypted(path):  # not SQLite's header: garbage, or a SQLCipher file opened without its key
            return StoreCorruptError(
                f"{path} is not a Perth database (not SQLite, damaged, or encrypted)",
                "move the file aside (Perth starts a new one), or point store.path at the right file; if"
                " `perth store encrypt` encrypted it: perth config set store.encryption sqlcipher, and give its key",
            )
        return StoreCorruptError(
            f"{path} is not a Perth database (not SQLite, or damaged)",
            "move the file aside (Perth starts a new one), or point store.path at the right file",
        )
    return StoreError(f"data store error on {path}: {exc}", "run `perth doctor` for details")


@contextmanager
def _init_lock(path: str, timeout_ms: int) -> Iterator[None]:
    """An exclusive OS lock on ``<db>.lock`` while the file is created or migrated.

    SQLite answers ``SQLITE_BUSY`` without waiting while another connection switches a
    new file to WAL; serializing first-time initialization here removes that race.
    """
    lock_path = path + ".lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreReadOnlyError(
            f"cannot create the lock file {lock_path}: {exc.strerror}",
            f"make {os.path.dirname(path)} writable, or set PERTH_HOME / store.path elsewhere",
        ) from exc
    busy = StoreBusyError(f"another Perth process is initializing {path}",
                          "retry in a moment, or raise store.busy_timeout_ms")
    with locked(fd, timeout_ms / 1000, lambda: busy):
        yield


_WRITERS: dict[str, _thread.RLock] = {}
_WRITERS_LOCK = _thread.allocate_lock()


def _writer_lock(path: str) -> _thread.RLock:
    """The process's lock for write transactions on ``path`` (one per file)."""
    key = path if path == ":memory:" else os.path.realpath(path)
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(key, _thread.RLock())


class SQLiteDatabase(NestedTransactions):
    """A migrated SQLite file behind one connection, with a nestable transaction.

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to
    100 ms each) until the busy timeout.  Threads of one process that write the same file (the
    embedded job pool's workers, each with its own connection) therefore queue on a process lock
    before ``BEGIN IMMEDIATE``: they take turns in order instead of sleeping past each other's
    commits.  Other processes still meet SQLite's busy timeout.
    """

    engine = "sqlite"
    begin_sql = "BEGIN IMMEDIATE"

    #: The exceptions of the DB-API module in use (sqlite3, or sqlcipher3's for an encrypted file).
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    integrity_errors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
    operational_errors: tuple[type[Exception], ...] = (sqlite3.OperationalError,)

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_ms: int = 5000,
                 migrate_schema: bool = True, keys: list[str] | None = None) -> None:
        """``keys``: open the file as SQLCipher with the first of these keys that opens it
        (:mod:`perth.store.crypt`); ``None``: a plain SQLite file."""
        self.path = path = os.fspath(path)
        self._depth = 0
        self._busy_timeout_s = busy_timeout_ms / 1000
        self._writer = _writer_lock(path)
        self.encrypted = keys is not None
        if keys is not None:
            from perth.store.crypt import sqlcipher

            module = sqlcipher()
            self.errors = (sqlite3.Error, module.Error)
            self.integrity_errors = (sqlite3.IntegrityError, module.IntegrityError)
            self.operational_errors = (sqlite3.OperationalError, module.OperationalError)
        self._keys = keys
        try:
            private_dirs(os.path.dirname(path))
            if path != ":memory:":
                for name in (path, path + "-wal", path + "-shm"):  # SQLite gives -wal/-shm the file's mode
                    if name == path or os.path.exists(name):
                        private_file(name)
        except OSError as exc:
            raise StoreReadOnlyError(
                f"cannot create the data directory {os.path.dirname(path)}: {exc.strerror}",
                "create it yourself, or set PERTH_HOME / store.path to a writable place",
            ) from exc
        self.read_only = False
        try:
            self._open(path, busy_timeout_ms, migrate_schema)
        except StoreReadOnlyError:
            if not os.path.isfile(path) or self.encrypted:
                raise
            self._open_read_only(path, busy_timeout_ms)  # reads and exports still work

    def _open_read_only(self, path: str, busy_timeout_ms: int) -> None:
        """Open a store Perth cannot write (read-only folder, file or file system) for reading: as
        ``mode=ro``, else — when SQLite cannot even create its shared-memory file beside it — as
        ``immutable``.  A store that would need a migration first stays an error."""
        from urllib.parse import quote

        last: sqlite3.Error | None = None
        for flags in ("mode=ro", "mode=ro&immutable=1"):
            try:
                connection = sqlite3.connect(f"file:{quote(path)}?{flags}", uri=True, isolation_level=None,
                                             timeout=busy_timeout_ms / 1000, check_same_thread=False)
                version = current_version(connection)
                connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as exc:
                last = exc
                continue
            if version != LATEST_VERSION:
                connection.close()
                break
            self.connection, self.read_only = connection, True
            return
        raise StoreReadOnlyError(
            f"cannot write the data file {path}" + (f" ({last})" if last else " and it needs an upgrade"),
            f"make {os.path.dirname(path) or '.'} and its files writable, or set store.path / PERTH_HOME"
            " to a writable place")

    def _open(self, path: str, busy_timeout_ms: int, migrate_schema: bool) -> None:
        try:
            if self._keys is not None:
                from perth.store.crypt import open_keyed

                self.connection = open_keyed(path, self._keys, timeout=busy_timeout_ms / 1000, isolation_level=None,
                                             check_same_thread=False)
            else:
                self.connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                                                  check_same_thread=False)
        except self.errors as exc:
            raise translate_error(exc, path) from exc
        try:
            self.connection.execute("PRAGMA foreign_keys = ON")
            self.connection.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode
            self.connection.execute("PRAGMA cache_size = -32768")  # 32 MiB, allocated only as pages are used
            if migrate_schema and not self._ready():
                with _init_lock(path, busy_timeout_ms):
                    self._initialize()
        except self.errors as exc:
            self.connection.close()
            raise translate_error(exc, path) from exc
        except BaseException:
            self.connection.close()
            raise

    def _ready(self) -> bool:
        """Already in WAL mode at the latest schema (the common case: no lock needed)."""
        try:
            mode = str(self.connection.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            version = current_version(self.connection)
        except self.operational_errors:
            return False  # another process is initializing: wait for it under the lock
        if version > LATEST_VERSION:
            migrate(self.connection)  # raises SchemaTooNewError without touching the file
        return mode == "wal" and version == LATEST_VERSION

    def _initialize(self) -> None:
        """Switch to WAL and migrate; the caller holds the initialization lock."""
        if current_version(self.connection) > LATEST_VERSION:
            migrate(self.connection)  # raises before the file is modified
        if str(self.connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            self.connection.execute("PRAGMA journal_mode = WAL")
        migrate(self.connection)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (nested calls join it), after this process's other writers of the file."""
        if self._depth:
            with super().transaction():
                yield
            return
        if not self._writer.acquire(timeout=self._busy_timeout_s):
            raise StoreBusyError(f"other threads of this process kept {self.path} locked past the busy timeout",
                                 "retry, or raise store.busy_timeout_ms (perth config set store.busy_timeout_ms"
                                 " 15000)")
        try:
            with super().transaction():
                yield
        finally:
            self._writer.release()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many write transactions in a row (a large ingest or import).

        SQLite checkpoints the WAL into the database file whenever it passes 1,000 pages: two
        fsyncs each time, and the pages a later transaction changes again (the right edges of the
        indexes) copied again.  Inside, this connection does not checkpoint; at the end one passive
        checkpoint (it never waits for readers) copies each changed page once.
        """
        if self.read_only or self._depth:
            yield
            return
        previous = int(self.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        self.connection.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            self.connection.execute(f"PRAGMA wal_autocheckpoint = {previous}")
            with suppress(*self.errors):  # busy or failed: the next writer's automatic checkpoint does it
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def commit(self) -> None:
        """``COMMIT``; a failed commit rolls back and raises Perth's error."""
        try:
            self.connection.execute("COMMIT")
        except self.errors as exc:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise translate_error(exc, self.path) from exc

    def rollback(self) -> None:
        """``ROLLBACK``."""
        self.connection.execute("ROLLBACK")

    def run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement (a broken constraint raises :class:`IntegrityViolation`)."""
        return self._call(self.connection.execute, sql, params)

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        """Run one statement for each row of parameters."""
        return self._call(self.connection.executemany, sql, rows)

    def _call(self, method: Any, sql: str, argument: Any) -> sqlite3.Cursor:
        try:
            cursor: sqlite3.Cursor = method(sql, argument)
        except self.integrity_errors as exc:
            raise IntegrityViolation(str(exc)) from exc
        except self.errors as exc:
            raise translate_error(exc, self.path) from exc
        return cursor

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row a query returns."""
        return self.run(sql, params).fetchall()

    def write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """One statement in its own transaction (or the caller's, when one is open)."""
        with self.transaction():
            return self.run(sql, params)

    def schema_version(self) -> int:
        """The schema version of the open file."""
        return current_version(self.connection)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
