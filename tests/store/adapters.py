"""The store adapters every contract suite runs against, with the ports each declares.

A new adapter adds one entry: its class (whose ``capabilities`` say which ports it offers) and a
factory that opens a fresh, empty store. PostgreSQL stores live in a schema of their own in the
local ``test`` database (127.0.0.1:5432), dropped when the test ends, once through each driver
(Perth's own client of the protocol and psycopg); Redis stores under a key
prefix of their own on 127.0.0.1:6379, whose keys are deleted when the test ends.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from perth.store.port import Store
from perth.store.postgres import PostgresStore
from perth.store.redis_store import RedisStore
from perth.store.sqlite import SQLiteStore

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[Store]:
    store = SQLiteStore(tmp_path / "sqlite.db")
    try:
        yield store
    finally:
        store.close()


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema in the local test database; yields a store URL whose search_path is it."""
    import psycopg

    schema = f"perth_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def _postgres(_tmp_path: Path) -> Iterator[Store]:
    """On Perth's own client of the protocol (the default driver for such a URL)."""
    with pg_schema() as url:
        store = PostgresStore(url)
        try:
            assert store.db.driver == "wire"
            yield store
        finally:
            store.close()


@contextmanager
def _postgres_psycopg(_tmp_path: Path) -> Iterator[Store]:
    """On psycopg (``store.pg_driver = psycopg``, and what ``auto`` falls back to)."""
    with pg_schema() as url:
        store = PostgresStore(url, driver="psycopg")
        try:
            yield store
        finally:
            store.close()


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A store URL on the local Redis whose keys start with a prefix of their own; its keys are
    deleted when the test ends (only those)."""
    url = f"{REDIS_URL}?prefix=perth-test-{secrets.token_hex(6)}:"
    try:
        yield url
    finally:
        store = RedisStore(url)
        store.drop_keys()
        store.close()


@contextmanager
def _redis(_tmp_path: Path) -> Iterator[Store]:
    with redis_prefix() as url:
        store = RedisStore(url)
        try:
            yield store
        finally:
            store.close()


#: name -> (the adapter class, a context manager opening a fresh store in a temporary place)
ADAPTERS: dict[str, tuple[type, Callable[[Path], object]]] = {
    "sqlite": (SQLiteStore, _sqlite),
    "postgresql": (PostgresStore, _postgres),
    "postgresql-psycopg": (PostgresStore, _postgres_psycopg),
    "redis": (RedisStore, _redis),
}


def adapters_offering(port: str) -> list[str]:
    """The adapters whose declared capabilities include ``port``."""
    return [name for name, (cls, _) in ADAPTERS.items() if port in cls.capabilities]
