"""Persistence: the Store port, the SQLite adapter and the migrations.

Callers type against :class:`perth.store.port.Store`; :func:`open_store` picks
the adapter (SQLite, the embedded default).
"""

from __future__ import annotations

from perth.config import Settings, database_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.store.port import Store


def open_store(settings: Settings) -> Store:
    """Open (creating and migrating if needed) the store the settings point at."""
    from perth.store.sqlite import SQLiteStore

    return SQLiteStore(database_path(settings), busy_timeout_ms=settings.store.busy_timeout_ms)


__all__ = ["open_store"]
