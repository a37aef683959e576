"""Databases: SQLite, PostgreSQL (psycopg 3) and MySQL/MariaDB (PyMySQL) behind one port.

The ``db`` job kind: ``perth job run db --target URL -- ACTION ...`` where URL is
``sqlite:///path/file.db``, ``postgresql://user@host:5432/name`` or ``mysql://user@host:3306/name``
(never a password: ``--password-env NAME`` names the variable holding it), and ACTION is
``query SQL``, ``script FILE``, ``dump FILE`` (the SQLite backup API, ``pg_dump``, ``mysqldump``)
or ``migrate FOLDER`` (its ``*.sql`` files in name order, each applied once and recorded in
``perth_migrations``).  :class:`FakeDatabase` is an in-memory stand-in for the worker's logic.
"""

from __future__ import annotations

import os
from typing import Protocol

from perth.errors import InvalidInputError, ProviderRejectedError, TransientError
from perth.ops.port import WorkResult
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.ops.model import Job
    from perth.ops.port import JobIO

ACTIONS = ("query", "script", "dump", "migrate")
MAX_ROWS = 1000


class DatabaseUrl(Record):
    """A parsed ``--target``."""

    engine: str
    database: str
    host: str = "127.0.0.1"
    port: int = 0
    user: str | None = None
    password: str | None = None


def parse_url(target: str, password: str | None = None) -> DatabaseUrl:
    """``sqlite:///path``, ``postgresql://user@host:port/db``, ``mysql://user@host:port/db``."""
    from urllib.parse import urlsplit

    parts = urlsplit(target)
    engine = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql",
              "mariadb": "mysql"}.get(parts.scheme)
    if engine is None:
        raise InvalidInputError(f"unknown database URL {target!r}",
                                "use sqlite:///file.db, postgresql://user@host/db or mysql://user@host/db")
    if engine == "sqlite":
        return DatabaseUrl(engine=engine, database=parts.path)
    if parts.password:
        raise InvalidInputError("the database URL holds a password", "pass it with --password-env NAME instead")
    default_port = 5432 if engine == "postgresql" else 3306
    return DatabaseUrl(engine=engine, database=parts.path.lstrip("/"), host=parts.hostname or "127.0.0.1",
                       port=parts.port or default_port, user=parts.username, password=password)


class Database(Protocol):
    """One database: run statements, dump it, migrate it."""

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]], int]:
        """Columns, up to :data:`MAX_ROWS` rows, and the row count (rows changed for writes)."""

    def script(self, text: str) -> None:
        """Run several statements."""

    def dump(self, path: str, io: JobIO, token: str) -> int:
        """Write a dump to ``path`` (a dump program runs marked with the lease ``token``); returns its size."""

    def applied(self) -> set[str]:
        """Migrations already applied."""

    def apply(self, version: str, text: str) -> None:
        """Apply one migration and record it (one transaction where the engine allows)."""

    def close(self) -> None:
        """Disconnect."""


MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS perth_migrations (version VARCHAR(255) PRIMARY KEY, applied_at BIGINT)"


class _DbApi:
    """Shared DB-API behaviour (``conn`` is a DB-API connection, ``mark`` its parameter marker)."""

    conn: Any
    mark = "%s"

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]], int]:
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = [tuple(r) for r in cursor.fetchmany(MAX_ROWS)] if columns else []
            count = cursor.rowcount if cursor.rowcount is not None and cursor.rowcount >= 0 else len(rows)
            self.conn.commit()
        finally:
            cursor.close()
        return columns, rows, count

    def applied(self) -> set[str]:
        cursor = self.conn.cursor()
        cursor.execute(MIGRATIONS_TABLE)
        cursor.execute("SELECT version FROM perth_migrations")
        versions = {str(r[0]) for r in cursor.fetchall()}
        self.conn.commit()
        return versions

    def apply(self, version: str, text: str) -> None:
        try:
            self.script(text, commit=False)
            cursor = self.conn.cursor()
            cursor.execute(f"INSERT INTO perth_migrations(version, applied_at) VALUES ({self.mark}, {self.mark})",
                           (version, int(__import__("time").time() * 1000)))
            self.conn.commit()
        except Exception:
            self.conn.rollback()
            raise

    def script(self, text: str, commit: bool = True) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.conn.close()


class SqliteDatabase(_DbApi):
    """SQLite through the standard library; dumps with the online backup API."""

    mark = "?"

    def __init__(self, url: DatabaseUrl) -> None:
        import sqlite3

        self.path = url.database
        self.conn = sqlite3.connect(url.database)

    def script(self, text: str, commit: bool = True) -> None:
        """Statements one by one inside the current transaction."""
        import sqlite3

        statement = ""
        for line in text.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self.conn.execute(statement)
                statement = ""
        if statement.strip():
            self.conn.execute(statement)
        if commit:
            self.conn.commit()

    def dump(self, path: str, io: JobIO, token: str) -> int:
        """A consistent copy of the live database."""
        import sqlite3

        target = sqlite3.connect(path)
        try:
            self.conn.backup(target)
        finally:
            target.close()
        return os.path.getsize(path)


class PostgresDatabase(_DbApi):
    """PostgreSQL with psycopg 3; dumps with ``pg_dump``."""

    def __init__(self, url: DatabaseUrl) -> None:
        import psycopg

        self.url = url
        try:
            self.conn = psycopg.connect(host=url.host, port=url.port, user=url.user, dbname=url.database,
                                        password=url.password, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise _classify(str(exc), url) from exc

    def script(self, text: str, commit: bool = True) -> None:
        """The whole text in one call (PostgreSQL accepts several statements without parameters)."""
        with self.conn.cursor() as cursor:
            cursor.execute(text)
        if commit:
            self.conn.commit()

    def dump(self, path: str, io: JobIO, token: str) -> int:
        """``pg_dump`` into ``path``."""
        argv = ["pg_dump", "-h", self.url.host, "-p", str(self.url.port), "-d", self.url.database, "-f", path,
                "--no-password", *(["-U", self.url.user] if self.url.user else [])]
        return _dump_with(argv, path, io, token, {"PGPASSWORD": self.url.password} if self.url.password else {})


class MysqlDatabase(_DbApi):
    """MySQL and MariaDB with PyMySQL; dumps with ``mysqldump``."""

    def __init__(self, url: DatabaseUrl) -> None:
        import pymysql  # type: ignore[import-untyped]
        from pymysql.constants import CLIENT  # type: ignore[import-untyped]

        self.url = url
        try:
            self.conn = pymysql.connect(host=url.host, port=url.port, user=url.user or "root",
                                        password=url.password or "", database=url.database, connect_timeout=10,
                                        client_flag=CLIENT.MULTI_STATEMENTS)
        except pymysql.err.OperationalError as exc:
            raise _classify(str(exc), url) from exc

    def script(self, text: str, commit: bool = True) -> None:
        """All statements at once (multi-statement mode), reading every result."""
        cursor = self.conn.cursor()
        try:
            cursor.execute(text)
            while cursor.nextset():
                pass
        finally:
            cursor.close()
        if commit:
            self.conn.commit()

    def dump(self, path: str, io: JobIO, token: str) -> int:
        """``mysqldump`` into ``path``."""
        argv = ["mysqldump", "--host", self.url.host, "--port", str(self.url.port), "--user",
                self.url.user or "root", "--single-transaction", "--result-file", path, self.url.database]
        return _dump_with(argv, path, io, token, {"MYSQL_PWD": self.url.password} if self.url.password else {})


def _dump_with(argv: list[str], path: str, io: JobIO, token: str, secret_env: dict[str, str]) -> int:
    import shutil

    from perth.ops.process import run_group

    if shutil.which(argv[0]) is None:
        from perth.errors import UnavailableError

        raise UnavailableError(f"{argv[0]} is not installed", f"install it (e.g. apt-get install {argv[0]})")
    env = {**io.environment(()), **secret_env}
    code = run_group(argv, io, cwd=None, env=env, token=token)
    if code != 0:
        raise InvalidInputError(f"{argv[0]} exited {code}", "see the job's output")
    return os.path.getsize(path)


def _classify(message: str, url: DatabaseUrl) -> Exception:
    lowered = message.lower()
    where = f"{url.engine} at {url.host}:{url.port}"
    if any(word in lowered for word in ("password authentication", "access denied", "authentication failed",
                                        "role", "does not exist", "unknown database")):
        return ProviderRejectedError(f"{where} refused the connection: {message.splitlines()[0]}",
                                     "check the user, --password-env and the database name")
    return TransientError(f"cannot connect to {where}: {message.splitlines()[0]}", "check that the server is up")


def open_database(url: DatabaseUrl) -> Database:
    """The adapter for the URL's engine (its driver imported only then)."""
    from perth.ops.extras import require

    if url.engine == "sqlite":
        return SqliteDatabase(url)
    if url.engine == "postgresql":
        require("psycopg")
        return PostgresDatabase(url)
    require("pymysql")
    return MysqlDatabase(url)


class FakeDatabase:
    """Records what it is asked; ``rows`` answers every query."""

    def __init__(self, rows: Sequence[tuple[Any, ...]] = ()) -> None:
        self.rows = list(rows)
        self.statements: list[str] = []
        self.migrations: dict[str, str] = {}

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]], int]:
        """The canned rows under one column per value."""
        self.statements.append(sql)
        width = len(self.rows[0]) if self.rows else 0
        return [f"c{i}" for i in range(width)], self.rows, len(self.rows)

    def script(self, text: str) -> None:
        """Keep the text."""
        self.statements.append(text)

    def dump(self, path: str, io: JobIO, token: str) -> int:
        """Write the statements seen."""
        with open(path, "w") as handle:
            handle.write("\n".join(self.statements))
        return os.path.getsize(path)

    def applied(self) -> set[str]:
        """Applied migration versions."""
        return set(self.migrations)

    def apply(self, version: str, text: str) -> None:
        """Record one."""
        self.migrations[version] = text

    def close(self) -> None:
        """Nothing to close."""


def _cell(value: object) -> str:
    return "NULL" if value is None else str(value).replace("\t", " ").replace("\n", " ")


class DbWorker:
    """The ``db`` job kind (see the module docstring)."""

    kind = "db"
    remote = True

    def __init__(self, database: Database | None = None) -> None:
        self.database = database

    def check(self, job: Job) -> None:
        """A known URL and action with one argument."""
        parse_url(job.target)
        if len(job.args) != 2 or job.args[0] not in ACTIONS:
            raise InvalidInputError("a db job is query SQL, script FILE, dump FILE or migrate FOLDER",
                                    "e.g. perth job run db --target sqlite:///app.db -- query 'SELECT 1'")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Connect, do the action, disconnect."""
        name = job.options.get("password_env")
        url = parse_url(job.target, os.environ.get(str(name)) if name else None)
        db = self.database or open_database(url)
        try:
            result = self._act(db, job, io)
        finally:
            db.close()
        io.log(f"{job.args[0]} done: {result}")
        return WorkResult(ok=True, exit_code=0, result=result)

    @staticmethod
    def _act(db: Database, job: Job, io: JobIO) -> dict[str, object]:
        action, value = job.args
        if action == "query":
            columns, rows, count = db.query(value)
            if columns:
                io.output.text("\t".join(columns) + "\n")
                io.output.text("".join("\t".join(_cell(v) for v in row) + "\n" for row in rows))
            return {"columns": columns, "rows": count}
        if action == "script":
            with open(value) as handle:
                db.script(handle.read())
            return {"script": value}
        if action == "dump":
            return {"dump": value, "bytes": db.dump(value, io, job.lease_token or "")}
        return {"applied": _migrate(db, value, io)}


def _migrate(db: Database, folder: str, io: JobIO) -> list[str]:
    if not os.path.isdir(folder):
        raise InvalidInputError(f"no migrations folder {folder}", "give a folder of NNN_name.sql files")
    done = db.applied()
    applied = []
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".sql")):
        version = name.removesuffix(".sql")
        if version in done:
            continue
        with open(os.path.join(folder, name)) as handle:
            db.apply(version, handle.read())
        io.log(f"applied migration {version}")
        applied.append(version)
    return applied
