"""Sync tests never touch the real OS keyring: an in-memory keyring backend stands in for it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.memory_keyring import MemoryKeyring, memory_keyring

__all__ = ["MemoryKeyring", "memory_keyring"]


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_sync_url() -> Iterator[str]:
    """A sync server URL on the local PostgreSQL with a table name of the test's own (dropped after)."""
    import psycopg

    table = f"perth_sync_test_{secrets.token_hex(5)}"
    try:
        yield f"{PG_URL}?table={table}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP TABLE IF EXISTS {table}, {table}_vaults")
