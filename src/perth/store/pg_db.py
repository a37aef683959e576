"""One PostgreSQL connection shared by every port adapter of a unit of work (``store.url``).

:class:`PgDatabase` speaks the :class:`~perth.store.sql.SqlDatabase` protocol the ``sql_<port>.py``
adapters are written against: it turns their ``?`` placeholders into psycopg's, runs a nestable
transaction (``BEGIN``, savepoints are not needed: an inner unit joins the outer one), and
translates psycopg's exceptions into :class:`perth.errors.StoreError` subclasses whose messages
name the server (never its password) and say how to fix the problem.  psycopg is an optional
dependency (``perth[team]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from perth.errors import StoreError, StoreUnreachableError, UnavailableError
from perth.store.sql import IntegrityViolation, NestedTransactions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import psycopg

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
    """Map a psycopg error to an :class:`IntegrityViolation` or the most specific store error."""
    import psycopg

    if isinstance(exc, psycopg.errors.IntegrityError):
        return IntegrityViolation(str(exc))
    if isinstance(exc, psycopg.OperationalError):
        return StoreUnreachableError(f"cannot reach the PostgreSQL store at {server}: {_first_line(exc)}",
                                     "start the server or fix store.url (perth config set store.url URL)")
    if isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return UnavailableError(f"the PostgreSQL store at {server} did not answer in time: {_first_line(exc)}",
                                "retry, or raise store.busy_timeout_ms")
    return StoreError(f"PostgreSQL store error on {server}: {_first_line(exc)}", "run `perth doctor` for details")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def connect(url: str, *, timeout_ms: int) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (transactions are explicit), statements bounded in time."""
    try:
        import psycopg
    except ImportError:
        raise UnavailableError("store.url names a PostgreSQL store, but psycopg is not installed",
                               INSTALL_HINT) from None
    server = server_of(url)
    try:
        given = psycopg.conninfo.conninfo_to_dict(url)
        limits = f"-c statement_timeout={max(timeout_ms, 1000) * 6} -c lock_timeout={max(timeout_ms, 1)}"
        conninfo = psycopg.conninfo.make_conninfo(url, options=f"{given.get('options') or ''} {limits}".strip())
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=max(1, timeout_ms // 1000))
    except psycopg.Error as exc:
        raise translate_error(exc, server) from exc


class PgDatabase(NestedTransactions):
    """A migrated PostgreSQL schema behind one connection, with a nestable transaction."""

    engine = "postgresql"

    def __init__(self, url: str, *, timeout_ms: int = 5000) -> None:
        self.url = url
        self.server = server_of(url)
        self.connection = connect(url, timeout_ms=timeout_ms)
        self._depth = 0

    def commit(self) -> None:
        """``COMMIT``; a failed commit rolls back and raises Perth's error."""
        try:
            self.connection.execute("COMMIT")
        except Exception as exc:
            self.rollback()
            raise translate_error(exc, self.server) from exc

    def rollback(self) -> None:
        """``ROLLBACK``, quietly when the connection is gone (the server rolled back already)."""
        self._quietly("ROLLBACK")

    def _quietly(self, sql: str) -> None:
        import psycopg

        with suppress(psycopg.Error):  # the connection is gone: the server rolled the transaction back
            self.connection.execute(sql)

    def run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run one statement (a broken constraint raises :class:`IntegrityViolation`)."""
        import psycopg

        try:
            return self.connection.execute(placeholders(sql), tuple(params))
        except psycopg.Error as exc:
            raise translate_error(exc, self.server) from exc

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> psycopg.Cursor[Any]:
        """Run one statement for each row of parameters (``rowcount`` is their total)."""
        import psycopg

        cursor = self.connection.cursor()
        try:
            cursor.executemany(placeholders(sql), [tuple(row) for row in rows])
        except psycopg.Error as exc:
            raise translate_error(exc, self.server) from exc
        return cursor

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row a query returns."""
        return self.run(sql, params).fetchall()

    def write(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
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
        """Close the connection."""
        self.connection.close()
