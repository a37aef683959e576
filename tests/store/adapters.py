"""The store adapters every contract suite runs against, with the ports each declares.

A new adapter (PostgreSQL, Redis) adds one entry: its class (whose ``capabilities`` say which
ports it offers) and a factory that opens a fresh, empty store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from perth.store.port import Store
from perth.store.sqlite import SQLiteStore


def _sqlite(tmp_path: Path) -> Store:
    return SQLiteStore(tmp_path / "sqlite.db")


#: name -> (the adapter class, a factory of a fresh store in a temporary folder)
ADAPTERS: dict[str, tuple[type, Callable[[Path], Store]]] = {
    "sqlite": (SQLiteStore, _sqlite),
}


def adapters_offering(port: str) -> list[str]:
    """The adapters whose declared capabilities include ``port``."""
    return [name for name, (cls, _) in ADAPTERS.items() if port in cls.capabilities]
