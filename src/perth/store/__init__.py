"""Persistence: the Store port, the SQLite adapter and the migrations.

Callers type against :class:`perth.store.port.Store`; :func:`open_store` picks
the adapter: SQLite, the embedded default, or PostgreSQL or Redis when ``store.url`` names one.
"""

from __future__ import annotations

import os

from perth.config import Settings, database_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.store.port import Store


def open_store(settings: Settings, environ: Mapping[str, str] | None = None) -> Store:
    """Open (creating and migrating if needed) the store the settings point at: the SQLite file
    (encrypted with SQLCipher when ``store.encryption`` says so: the key from ``environ``'s
    ``PERTH_STORE_KEY`` or the OS keyring), or the PostgreSQL database or Redis keyspace of ``store.url``."""
    url = settings.store.url.strip()
    if url:
        # a shared store serves the search indexes of many machines: this one's is named by host and home
        return _open_url(url, settings.store.busy_timeout_ms, driver=settings.store.pg_driver,
                         search_owner=f"{os.uname().nodename}:{database_path(settings)}")
    from perth.store.sqlite import SQLiteStore

    path = database_path(settings)
    keys = None
    if settings.store.encryption == "sqlcipher":
        from perth.store.crypt import store_keys

        keys = store_keys(path, os.environ if environ is None else environ)[0]
    return SQLiteStore(path, busy_timeout_ms=settings.store.busy_timeout_ms, keys=keys)


def open_location(location: str, *, timeout_ms: int = 5000, driver: str = "auto") -> Store:
    """Open the store a location names: a ``postgresql://`` or ``redis://`` URL, or a SQLite file
    (``sqlite:///path`` or a plain path), creating it if needed (``perth store migrate --to``)."""
    location = location.strip()
    if location.startswith("sqlite://") or "://" not in location:
        from perth.store.sqlite import SQLiteStore

        path = location.removeprefix("sqlite://")
        if not path:
            from perth.errors import InvalidInputError

            raise InvalidInputError("no store location given", "pass a URL (postgresql://, redis://) or a file path")
        return SQLiteStore(os.path.expanduser(path), busy_timeout_ms=timeout_ms)
    return _open_url(location, timeout_ms, driver=driver)


def _open_url(url: str, timeout_ms: int, *, search_owner: str = "", driver: str = "auto") -> Store:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        from perth.store.postgres import PostgresStore

        return PostgresStore(url, timeout_ms=timeout_ms, search_owner=search_owner, driver=driver)
    if scheme in ("redis", "rediss", "unix"):
        from perth.store.redis_store import RedisStore

        return RedisStore(url, timeout_ms=timeout_ms)
    from perth.errors import ConfigError

    raise ConfigError(f"store.url must be a postgresql:// or redis:// address (got a {scheme or 'schemeless'} one)",
                      "set it like postgresql://user@host:5432/db or redis://host:6379/0, or unset it"
                      " (perth config unset store.url) to use the SQLite file")


def keep_connections(settings: Settings, size: int = 8) -> None:
    """A long-running process (``perth serve``, ``perth mcp``, ``perth daemon``, a worker) keeps up to ``size``
    idle PostgreSQL connections between units of work (:class:`~perth.store.pg_db.ConnectionPool`); nothing
    for the other stores."""
    if settings.store.url.strip().lower().startswith(("postgresql://", "postgres://")):
        from perth.store.pg_db import keep_connections as keep

        keep(size)


__all__ = ["keep_connections", "open_location", "open_store"]
