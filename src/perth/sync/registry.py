"""Which sync server a URL names (the adapters of :mod:`perth.sync.server`'s port)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.sync.server import SyncServer


def open_server(url: str, *, timeout_ms: int = 5000) -> SyncServer:
    """The server a URL names: ``postgresql://...`` (``?table=NAME`` picks the table, default
    ``perth_sync``)."""
    from perth.errors import ConfigError

    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        from perth.sync.pg_server import PostgresSyncServer

        return PostgresSyncServer(url, timeout_ms=timeout_ms)
    raise ConfigError(f"the sync server must be a postgresql:// URL (got a {scheme or 'schemeless'} one)",
                      "pass --server postgresql://user@host:5432/db (add ?table=NAME to pick the table)")
