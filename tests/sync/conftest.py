"""Sync tests never touch the real OS keyring: an in-memory keyring backend stands in for it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keyring backend in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.data:
            raise PasswordDeleteError(username)
        del self.data[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


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
