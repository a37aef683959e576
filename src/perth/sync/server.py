"""The sync server port: an append-only log of opaque rows per vault, and the vault's parameters.

A server stores, per vault, the parameters :mod:`perth.sync.crypto` needs to derive the key (salt,
costs, key check: nothing secret) and rows of ``(seq, home, key, blob)``: a sequence number it
assigns in commit order, the random id of the home that pushed the row, the keyed hash of the
record's identity and the sealed record.  It never updates or deletes a row.  Readers page through
rows after the last sequence number they have seen, so the server must make a row visible only
once every row with a lower number is (the PostgreSQL adapter serializes appends per vault).

Adapters: :class:`MemoryServer` (the shipped fake, also what tests of the engine use) and
:class:`perth.sync.pg_server.PostgresSyncServer` (a table in any PostgreSQL database), picked by
:func:`perth.sync.registry.open_server`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from perth.record import Record


class ServerRow(Record):
    """One row of a vault's log as the server keeps it."""

    seq: int
    home: str
    key: str
    blob: bytes

    @property
    def wire_bytes(self) -> int:
        """The payload bytes of the row (sequence number, home, key and blob), protocol framing aside."""
        return 8 + len(self.home) + len(self.key) + len(self.blob)


class SyncServer(Protocol):
    """Where homes meet: stores ciphertext and hands it back in order."""

    @property
    def location(self) -> str:
        """Where the server is, without any password (for messages and ``perth sync status``)."""

    def vault_params(self, vault: str) -> bytes | None:
        """The stored parameters of a vault, or ``None`` when it does not exist."""

    def create_vault(self, vault: str, params: bytes) -> bytes:
        """Store the parameters of a new vault and return them; if another home created the vault
        first, return that home's parameters instead (nothing is replaced)."""

    def append(self, vault: str, home: str, rows: Sequence[tuple[str, bytes]]) -> int:
        """Append ``(key, blob)`` rows atomically; return the sequence number of the last one."""

    def fetch(self, vault: str, after: int, limit: int) -> list[ServerRow]:
        """Up to ``limit`` rows with a sequence number above ``after``, in order."""

    def stats(self, vault: str) -> tuple[int, int, int]:
        """How many rows the vault holds, their blob bytes, and the last sequence number."""

    def close(self) -> None:
        """Release connections."""


class MemoryServer:
    """A sync server in memory (one process): the port's fake."""

    location = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.vaults: dict[str, bytes] = {}
        self.rows: dict[str, list[ServerRow]] = {}
        self._seq = 0

    def vault_params(self, vault: str) -> bytes | None:
        """The vault's parameters."""
        return self.vaults.get(vault)

    def create_vault(self, vault: str, params: bytes) -> bytes:
        """First creator wins."""
        with self._lock:
            return self.vaults.setdefault(vault, params)

    def append(self, vault: str, home: str, rows: Sequence[tuple[str, bytes]]) -> int:
        """Append in order."""
        with self._lock:
            log = self.rows.setdefault(vault, [])
            for key, blob in rows:
                self._seq += 1
                log.append(ServerRow(seq=self._seq, home=home, key=key, blob=bytes(blob)))
            return self._seq

    def fetch(self, vault: str, after: int, limit: int) -> list[ServerRow]:
        """Rows after ``after``."""
        with self._lock:
            return [row for row in self.rows.get(vault, []) if row.seq > after][:limit]

    def stats(self, vault: str) -> tuple[int, int, int]:
        """Rows, bytes, last sequence number."""
        log = self.rows.get(vault, [])
        return len(log), sum(len(row.blob) for row in log), log[-1].seq if log else 0

    def close(self) -> None:
        """Nothing to release."""
