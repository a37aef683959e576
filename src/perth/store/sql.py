"""What the SQL adapters of the ports need from a database connection, whatever the engine.

The adapters in ``sql_<port>.py`` are written once, in the SQL that SQLite and PostgreSQL share,
with ``?`` placeholders; each engine's connection object (:class:`~perth.store.sqlite_db.SQLiteDatabase`,
:class:`~perth.store.pg_db.PgDatabase`) offers these methods, translates the placeholders and its
driver's errors, and raises :class:`IntegrityViolation` when a statement breaks a unique or foreign
key constraint, which the adapters turn into the domain's own error (a :class:`~perth.errors.ConflictError`).
"""

from __future__ import annotations

from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:  # the protocols are for the type checker; `perth log` never imports typing
    from collections.abc import Iterator, Sequence
    from contextlib import AbstractContextManager
    from typing import Any, Protocol


class IntegrityViolation(Exception):  # noqa: N818 - a signal between the engine and the adapters, never shown
    """A statement broke a unique, primary-key or foreign-key constraint."""


class NestedTransactions:
    """The transaction nesting every engine shares: the outermost call begins and commits, inner calls join it.

    An engine names its ``BEGIN`` statement and says how it runs a statement, commits and rolls back.
    """

    begin_sql = "BEGIN"
    _depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.run(self.begin_sql)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.rollback()
            raise
        self._depth = 0
        self.commit()

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement."""
        raise NotImplementedError

    def commit(self) -> None:
        """Commit the open transaction (rolling it back if the commit fails)."""
        raise NotImplementedError

    def rollback(self) -> None:
        """Roll the open transaction back."""
        raise NotImplementedError


if TYPE_CHECKING:
    class Cursor(Protocol):
        """The part of a DB-API cursor the adapters read."""

        @property
        def rowcount(self) -> int:
            """Rows the statement changed."""

    class SqlDatabase(Protocol):
        """One connection shared by the adapters of a unit of work."""

        engine: str

        def transaction(self) -> AbstractContextManager[None]:
            """One transaction; nested calls join the outer one."""

        def run(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
            """Run one statement."""

        def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> Cursor:
            """Run one statement for each row of parameters."""

        def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
            """Every row a query returns."""

        def write(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
            """One statement in its own transaction (or the caller's)."""
