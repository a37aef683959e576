"""One PostgreSQL connection shared by every port adapter of a unit of work (``store.url``).

:class:`PgDatabase` speaks the :class:`~perth.store.sql.SqlDatabase` protocol the ``sql_<port>.py``
adapters are written against: it turns their ``?`` placeholders into its driver's, runs a nestable
transaction (``BEGIN``, savepoints are not needed: an inner unit joins the outer one), and
translates the driver's exceptions into :class:`perth.errors.StoreError` subclasses whose messages
name the server (never its password) and say how to fix the problem.

Two drivers (``store.pg_driver``): Perth's own client of the protocol (:mod:`perth.store.pgwire`, the
standard library only; a command starts in a fraction of the time ``import psycopg`` takes), used by
default whenever the URL needs nothing only libpq does, and psycopg 3 (``perth[team]``) otherwise.
Both run the same contract suites.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from perth.errors import StoreError, StoreUnreachableError, UnavailableError
from perth.store.sql import IntegrityViolation, NestedTransactions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

INSTALL_HINT = "install the team extra: pip install 'perth[team]' (from a checkout: pip install '.[team]')"


def server_of(url: str) -> str:
    """``host:port/database`` of a PostgreSQL URL, without user or password (for messages)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError:
        return "the configured PostgreSQL server"
    return f"{parts.hostname or 'localhost'}:{port}{parts.path or ''}"


def placeholders(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (and literal ``%`` doubled), outside quoted literals."""
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
            out.append(char)
        elif quoted:
            out.append("%%" if char == "%" else char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def translate_error(exc: Exception, server: str) -> Exception:
    """Map a driver's error (psycopg's or :mod:`perth.store.pgwire`'s) to an :class:`IntegrityViolation` or
    the most specific store error: a broken constraint, a timeout, an unreachable server, or the rest."""
    from perth.store.pgwire import PgConnectionError, PgWireError

    if isinstance(exc, PgWireError):
        code, unreachable = exc.sqlstate, isinstance(exc, PgConnectionError)
    else:
        code = getattr(exc, "sqlstate", None) or ""
        unreachable = not code and any(c.__name__ in ("OperationalError", "InterfaceError")
                                       for c in type(exc).__mro__)
    if code.startswith("23"):
        return IntegrityViolation(str(exc))
    if code in ("55P03", "57014"):  # lock_not_available, query_canceled (statement_timeout)
        return UnavailableError(f"the PostgreSQL store at {server} did not answer in time: {_first_line(exc)}",
                                "retry, or raise store.busy_timeout_ms")
    if unreachable or code.startswith(("08", "28", "3D", "57P")):
        return StoreUnreachableError(f"cannot reach the PostgreSQL store at {server}: {_first_line(exc)}",
                                     "start the server or fix store.url (perth config set store.url URL)")
    return StoreError(f"PostgreSQL store error on {server}: {_first_line(exc)}", "run `perth doctor` for details")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


#: ``store.pg_driver``: ``auto`` speaks the protocol itself (:mod:`perth.store.pgwire`) when the URL needs
#: nothing more, psycopg otherwise; ``wire`` and ``psycopg`` force one.
DRIVERS = ("auto", "wire", "psycopg")


class PsycopgConnection:
    """psycopg 3 behind the small interface :class:`PgDatabase` drives (``?`` placeholders become ``%s``)."""

    driver = "psycopg"

    def __init__(self, url: str, *, timeout_ms: int) -> None:
        try:
            import psycopg
        except ImportError:
            raise UnavailableError("store.url names a PostgreSQL store, but psycopg is not installed",
                                   INSTALL_HINT) from None
        self.errors: tuple[type[Exception], ...] = (psycopg.Error,)
        given = psycopg.conninfo.conninfo_to_dict(url)
        limits = f"-c statement_timeout={max(timeout_ms, 1000) * 6} -c lock_timeout={max(timeout_ms, 1)}"
        conninfo = psycopg.conninfo.make_conninfo(url, options=f"{given.get('options') or ''} {limits}".strip())
        self.connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=max(1, timeout_ms // 1000))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the cursor holds its rows."""
        return self.connection.execute(placeholders(sql), tuple(params))

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        """Run one statement for each row of parameters."""
        cursor = self.connection.cursor()
        cursor.executemany(placeholders(sql), [tuple(row) for row in rows])
        return cursor

    def reusable(self) -> bool:
        """Open, idle (no transaction), and not broken: fit to hand to another unit of work."""
        import select

        import psycopg

        conn = self.connection
        if conn.closed or conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return False
        try:  # a server that ended the session has sent its goodbye or closed the socket
            return not select.select([conn.fileno()], [], [], 0)[0]
        except (OSError, ValueError, psycopg.Error):
            return False

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


class WireDriverConnection:
    """:class:`perth.store.pgwire.WireConnection` behind the same interface (``?`` placeholders become ``$n``)."""

    driver = "wire"

    def __init__(self, url: str, *, timeout_ms: int) -> None:
        from perth.store.pgwire import PgWireError, connect

        self.errors: tuple[type[Exception], ...] = (PgWireError,)
        self.connection = connect(url, timeout_ms=timeout_ms)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the result holds its rows."""
        from perth.store.pgwire import numbered

        return self.connection.execute(numbered(sql), tuple(params))

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        """Run one statement for each row of parameters, pipelined."""
        from perth.store.pgwire import numbered

        return self.connection.execute_many(numbered(sql), rows)

    def reusable(self) -> bool:
        """Idle (no transaction) and with nothing unread from the server (a server that ended the session
        has sent its goodbye or closed the socket)."""
        return self.connection.reusable()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


class ConnectionPool:
    """Idle connections a long-running process (``perth serve``, ``perth mcp``, ``perth daemon``, a worker)
    keeps between units of work, so a request does not pay for a new connection and its login.

    At most ``size`` idle connections per URL are kept, each for at most ``idle_s`` seconds; one is handed
    out only if it is still idle and healthy (:meth:`reusable`), and taken back only outside a transaction.
    Thread-safe: requests served on several threads share it, each connection used by one at a time.
    """

    def __init__(self, size: int, *, idle_s: float = 300.0) -> None:
        import threading

        self.size = size
        self.idle_s = idle_s
        self.reused = 0
        self._idle: dict[tuple[str, int, str], list[tuple[float, PsycopgConnection | WireDriverConnection]]] = {}
        self._lock = threading.Lock()

    def take(self, key: tuple[str, int, str]) -> PsycopgConnection | WireDriverConnection | None:
        """A kept connection for the key, or None."""
        import time

        while True:
            with self._lock:
                kept = self._idle.get(key)
                if not kept:
                    return None
                since, conn = kept.pop()
            if time.monotonic() - since <= self.idle_s and conn.reusable():
                with self._lock:
                    self.reused += 1
                return conn
            with suppress(Exception):
                conn.close()

    def give(self, key: tuple[str, int, str], conn: PsycopgConnection | WireDriverConnection) -> None:
        """Keep a connection for the next unit of work, or close it (pool full, or not reusable)."""
        import time

        if conn.reusable():
            with self._lock:
                kept = self._idle.setdefault(key, [])
                if len(kept) < self.size:
                    kept.append((time.monotonic(), conn))
                    return
        with suppress(Exception):
            conn.close()

    def close(self) -> None:
        """Close every kept connection."""
        with self._lock:
            kept = [conn for conns in self._idle.values() for _, conn in conns]
            self._idle.clear()
        for conn in kept:
            with suppress(Exception):
                conn.close()


_POOL: ConnectionPool | None = None


def keep_connections(size: int = 8) -> ConnectionPool | None:
    """Make this process keep up to ``size`` idle connections per URL (0: none); returns the pool.  Called by
    the long-running commands; a one-shot command closes its connection when it ends."""
    global _POOL  # noqa: PLW0603 - one pool per process
    if _POOL is not None:
        _POOL.close()
    _POOL = ConnectionPool(size) if size > 0 else None
    return _POOL


def connect(url: str, *, timeout_ms: int, driver: str = "auto") -> PsycopgConnection | WireDriverConnection:
    """A connection in autocommit mode (transactions are explicit), statements bounded in time, through the
    driver ``store.pg_driver`` names; ``auto`` falls back to psycopg for what only libpq does."""
    from perth.store.pgwire import Unsupported

    server = server_of(url)
    if driver in ("auto", "wire"):
        try:
            return WireDriverConnection(url, timeout_ms=timeout_ms)
        except Unsupported as exc:
            if driver == "wire":
                from perth.errors import ConfigError

                raise ConfigError(f"store.pg_driver is wire, but the store needs libpq: {exc}",
                                  "set store.pg_driver to auto or psycopg") from None
        except ValueError as exc:
            from perth.errors import ConfigError

            raise ConfigError(f"store.url is not a usable PostgreSQL URL: {exc}",
                              "fix it like postgresql://user@host:5432/db") from None
        except Exception as exc:
            raise translate_error(exc, server) from exc
    try:
        return PsycopgConnection(url, timeout_ms=timeout_ms)
    except UnavailableError:
        raise
    except Exception as exc:
        raise translate_error(exc, server) from exc


class PgDatabase(NestedTransactions):
    """A migrated PostgreSQL schema behind one connection, with a nestable transaction."""

    engine = "postgresql"

    def __init__(self, url: str, *, timeout_ms: int = 5000, driver: str = "auto") -> None:
        self.url = url
        self.server = server_of(url)
        self._key = (url, timeout_ms, driver)
        pool = _POOL
        kept = pool.take(self._key) if pool is not None else None
        self.connection = kept or connect(url, timeout_ms=timeout_ms, driver=driver)
        self.driver = self.connection.driver
        self._errors = self.connection.errors
        self._depth = 0

    def commit(self) -> None:
        """``COMMIT``; a failed commit rolls back and raises Perth's error."""
        try:
            self.connection.execute("COMMIT")
        except Exception as exc:
            self.rollback()
            raise translate_error(exc, self.server) from exc

    def rollback(self) -> None:
        """``ROLLBACK``, quietly when the connection is gone (the server rolled the transaction back)."""
        with suppress(*self._errors):
            self.connection.execute("ROLLBACK")

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (a broken constraint raises :class:`IntegrityViolation`)."""
        try:
            return self.connection.execute(sql, params)
        except self._errors as exc:
            raise translate_error(exc, self.server) from exc

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        """Run one statement for each row of parameters (``rowcount`` is their total)."""
        try:
            return self.connection.execute_many(sql, rows)
        except self._errors as exc:
            raise translate_error(exc, self.server) from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row a query returns."""
        return list(self.run(sql, params).fetchall())

    def write(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """One statement in its own transaction (or the caller's, when one is open)."""
        with self.transaction():
            return self.run(sql, params)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many write transactions in a row (a copy, a large import): at the end the planner's statistics
        are brought up to date (``ANALYZE``), so the first queries after a bulk load use the indexes
        instead of waiting for autovacuum to notice the new rows."""
        if self._depth:
            yield
            return
        yield
        self.write("ANALYZE")

    def close(self) -> None:
        """Close the connection, or hand it back to the process's pool (:func:`keep_connections`)."""
        pool = _POOL
        if pool is not None and not self._depth:
            pool.give(self._key, self.connection)
        else:
            self.connection.close()
