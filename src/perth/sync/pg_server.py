"""A PostgreSQL table as the sync server (``--server postgresql://host/db?table=NAME``).

Two tables, created on first use: ``<table>_vaults`` (vault name -> parameters) and ``<table>``
(``seq`` bigserial, vault, home, key, blob).  Rows are only ever inserted.  Appends to one vault
take a transaction-scoped advisory lock first, so sequence numbers commit in order and a reader
paging by ``seq > cursor`` never skips a row that commits late.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from perth.sync.errors import SyncServerError
from perth.sync.server import ServerRow

_TABLE = re.compile(r"[a-z_][a-z0-9_]{0,50}")
INSTALL_HINT = "install the sync extra: pip install 'perth[sync]' (from a checkout: pip install '.[sync]')"


def split_table(url: str) -> tuple[str, str]:
    """The libpq URL without Perth's ``table`` parameter, and the table name (default ``perth_sync``)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tables = [value for name, value in query if name == "table"]
    table = tables[-1] if tables else "perth_sync"
    if not _TABLE.fullmatch(table):
        from perth.errors import InvalidInputError

        raise InvalidInputError(f"invalid sync table name {table!r}",
                                "use lowercase letters, digits and _ (at most 51), starting with a letter or _")
    rest = urlencode([(name, value) for name, value in query if name != "table"])
    return urlunsplit(parts._replace(query=rest)), table


class PostgresSyncServer:
    """The sync server port over one PostgreSQL connection."""

    def __init__(self, url: str, *, timeout_ms: int = 5000) -> None:
        try:
            import psycopg
        except ImportError:
            raise SyncServerError("the sync server is a PostgreSQL one, but psycopg is not installed",
                                  INSTALL_HINT) from None
        from perth.store.pg_db import server_of

        self._psycopg = psycopg
        conninfo, self.table = split_table(url)
        self.location = f"postgresql {server_of(conninfo)} table {self.table}"
        try:
            self._conn: Any = psycopg.connect(conninfo, autocommit=True, connect_timeout=max(1, timeout_ms // 1000))
            self._create()
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> SyncServerError:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return SyncServerError(f"the sync server ({self.location}) failed: {first}",
                               "start the server, or fix the URL given to `perth sync init --server`")

    def _sql(self, text: str) -> Any:
        from psycopg import sql

        return sql.SQL(text).format(t=sql.Identifier(self.table), v=sql.Identifier(f"{self.table}_vaults"),
                                    i=sql.Identifier(f"{self.table}_vault_seq"))

    def _create(self) -> None:
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"perth-sync-ddl:{self.table}",))
            self._conn.execute(self._sql("CREATE TABLE IF NOT EXISTS {v} (vault TEXT PRIMARY KEY,"
                                         " params BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())"))
            self._conn.execute(self._sql("CREATE TABLE IF NOT EXISTS {t} (seq BIGSERIAL PRIMARY KEY,"
                                         " vault TEXT NOT NULL, home TEXT NOT NULL, key TEXT NOT NULL,"
                                         " blob BYTEA NOT NULL)"))
            self._conn.execute(self._sql("CREATE INDEX IF NOT EXISTS {i} ON {t} (vault, seq)"))

    def _run(self, text: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            cursor = self._conn.execute(self._sql(text), params)
            return list(cursor.fetchall()) if cursor.description else []
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc

    def vault_params(self, vault: str) -> bytes | None:
        """The vault's parameters."""
        rows = self._run("SELECT params FROM {v} WHERE vault = %s", (vault,))
        return bytes(rows[0][0]) if rows else None

    def create_vault(self, vault: str, params: bytes) -> bytes:
        """Insert unless present; return what is stored."""
        self._run("INSERT INTO {v} (vault, params) VALUES (%s, %s) ON CONFLICT (vault) DO NOTHING", (vault, params))
        stored = self.vault_params(vault)
        assert stored is not None  # noqa: S101 - inserted or present
        return stored

    def append(self, vault: str, home: str, rows: Sequence[tuple[str, bytes]]) -> int:
        """Insert the rows in one transaction, serialized with other appends to the vault."""
        try:
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"perth-sync:{self.table}:{vault}",))
                with self._conn.cursor() as cursor:
                    cursor.executemany(self._sql("INSERT INTO {t} (vault, home, key, blob) VALUES (%s, %s, %s, %s)"),
                                       [(vault, home, key, blob) for key, blob in rows])
                last = self._conn.execute(self._sql("SELECT max(seq) FROM {t} WHERE vault = %s"), (vault,)).fetchone()
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc
        return int(last[0] or 0)

    def fetch(self, vault: str, after: int, limit: int) -> list[ServerRow]:
        """Rows after ``after``, in order."""
        rows = self._run("SELECT seq, home, key, blob FROM {t} WHERE vault = %s AND seq > %s ORDER BY seq LIMIT %s",
                         (vault, after, limit))
        return [ServerRow(seq=int(seq), home=home, key=key, blob=bytes(blob)) for seq, home, key, blob in rows]

    def stats(self, vault: str) -> tuple[int, int, int]:
        """Rows, blob bytes and the last sequence number of the vault."""
        rows = self._run("SELECT count(*), coalesce(sum(octet_length(blob)), 0), coalesce(max(seq), 0) FROM {t}"
                         " WHERE vault = %s", (vault,))
        return int(rows[0][0]), int(rows[0][1]), int(rows[0][2])

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
