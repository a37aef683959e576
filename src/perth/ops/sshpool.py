"""SSH and SFTP with asyncssh: one event loop thread per process and a pool of connections.

Workers are threads; every SSH operation is a coroutine run on the loop thread
(:func:`submit`), so connections are shared by every worker thread of the process.  The pool
keeps up to ``max_connections`` connections per destination, each carrying up to
``max_sessions`` channels at once (OpenSSH's ``MaxSessions`` defaults to 10), and opens a new
connection only when the others are full.

Host keys are always checked against ``known_hosts`` (the job's, else ``~/.ssh/known_hosts``);
an unknown host is refused unless ``ops.ssh_host_keys = "accept-new"``, which records it (trust on
first use, asked for explicitly).  Keys come from the SSH agent (``$SSH_AUTH_SOCK``) and from
``--identity FILE``.  Errors are classified: authentication and host-key failures are
:class:`~perth.errors.ProviderRejectedError` (never retried), refused or lost connections and
timeouts :class:`~perth.errors.TransientError`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from contextlib import asynccontextmanager

from perth.errors import ProviderRejectedError, TransientError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Coroutine
    from concurrent.futures import Future
    from typing import Any, TypeVar

    import asyncssh

    T = TypeVar("T")


class Destination(Record):
    """Where and how to connect: ``user@host:port`` plus the key, known_hosts and trust settings."""

    host: str
    port: int = 22
    user: str | None = None
    identity: str | None = None
    known_hosts: str | None = None
    accept_new: bool = False
    connect_timeout_s: float = 10.0


def parse_target(target: str) -> tuple[str | None, str, int]:
    """``user@host:port`` -> (user, host, port); user and port are optional."""
    user, _, rest = target.rpartition("@")
    host, sep, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
    if not sep:
        host, port = rest, "22"
    if not host or not port.isdigit():
        from perth.errors import InvalidInputError

        raise InvalidInputError(f"bad SSH target {target!r}", "write it as [user@]host[:port]")
    return user or None, host, int(port)


class _Loop:
    """The process's asyncio loop, running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="perth-ssh-loop", daemon=True)
        self.thread.start()


_LOOP: _Loop | None = None
_LOOP_LOCK = threading.Lock()


def submit(coro: Coroutine[Any, Any, T]) -> Future[T]:
    """Run ``coro`` on the shared loop thread; returns a concurrent future."""
    global _LOOP  # noqa: PLW0603 - one loop per process, built on first use
    with _LOOP_LOCK:
        if _LOOP is None:
            _LOOP = _Loop()
    return asyncio.run_coroutine_threadsafe(coro, _LOOP.loop)


class _Slot:
    def __init__(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn
        self.busy = 0


class ConnectionPool:
    """Connections per destination, shared by every job of the process (use on the loop thread)."""

    def __init__(self, max_connections: int = 16, max_sessions: int = 10) -> None:
        self.max_connections = max_connections
        self.max_sessions = max_sessions
        self._slots: dict[Destination, list[_Slot]] = {}
        self._opening: dict[Destination, int] = {}
        self._changed: asyncio.Condition | None = None
        self.opened = 0

    @asynccontextmanager
    async def session(self, dest: Destination) -> AsyncIterator[asyncssh.SSHClientConnection]:
        """A connection with a free channel for the duration of the block."""
        slot = await self._acquire(dest)
        try:
            yield slot.conn
        finally:
            slot.busy -= 1
            await self._notify()

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    async def _acquire(self, dest: Destination) -> _Slot:
        if self._changed is None:
            self._changed = asyncio.Condition()
        while True:
            slots = self._slots.setdefault(dest, [])
            slots[:] = [s for s in slots if not s.conn.is_closed()]
            free = [s for s in slots if s.busy < self.max_sessions]
            if free:
                slot = min(free, key=lambda s: s.busy)
                slot.busy += 1
                return slot
            if len(slots) + self._opening.get(dest, 0) < self.max_connections:
                return await self._open(dest, slots)
            async with self._changed:
                await self._changed.wait()

    async def _open(self, dest: Destination, slots: list[_Slot]) -> _Slot:
        self._opening[dest] = self._opening.get(dest, 0) + 1
        try:
            conn = await connect(dest)
        finally:
            self._opening[dest] -= 1
            await self._notify()
        slot = _Slot(conn)
        slot.busy = 1
        slots.append(slot)
        self.opened += 1
        return slot

    async def close(self) -> None:
        """Close every connection."""
        for slots in self._slots.values():
            for slot in slots:
                slot.conn.close()
        self._slots.clear()


async def connect(dest: Destination) -> asyncssh.SSHClientConnection:
    """Open one connection, checking the host key; errors classified (see the module docstring)."""
    import asyncssh

    known = dest.known_hosts or os.path.expanduser("~/.ssh/known_hosts")
    options: dict[str, Any] = {"username": dest.user, "known_hosts": known if os.path.exists(known) else (),
                               "agent_path": os.environ.get("SSH_AUTH_SOCK") or None,
                               "connect_timeout": dest.connect_timeout_s, "config": None}
    if dest.identity:  # else the agent's keys and ~/.ssh/id_* (client_keys=None would turn keys off)
        options["client_keys"] = [dest.identity]
    if dest.accept_new and not _known(known, dest):
        options["known_hosts"] = None
    try:
        conn = await asyncssh.connect(dest.host, dest.port, **options)
    except asyncssh.PermissionDenied as exc:
        raise ProviderRejectedError(f"SSH authentication to {dest.host}:{dest.port} failed ({exc.reason})",
                                    "check the user, the key (--identity) or the agent") from exc
    except asyncssh.HostKeyNotVerifiable as exc:
        raise ProviderRejectedError(f"the host key of {dest.host}:{dest.port} is not in {known}",
                                    f"check it and add it: ssh-keyscan -p {dest.port} {dest.host} >> {known}"
                                    " (or set ops.ssh_host_keys = \"accept-new\")") from exc
    except (OSError, asyncssh.Error, TimeoutError) as exc:
        raise TransientError(f"cannot connect to {dest.host}:{dest.port}: {exc}",
                             "check that the host is up and reachable") from exc
    if dest.accept_new and not _known(known, dest):
        _remember(known, dest, conn)
    return conn


def _host_pattern(dest: Destination) -> str:
    return dest.host if dest.port == 22 else f"[{dest.host}]:{dest.port}"


def _known(path: str, dest: Destination) -> bool:
    pattern = _host_pattern(dest)
    try:
        with open(path) as handle:
            return any(line.split(" ", 1)[0].split(",").count(pattern) for line in handle)
    except OSError:
        return False


def _remember(path: str, dest: Destination, conn: asyncssh.SSHClientConnection) -> None:
    key = conn.get_server_host_key()
    if key is None:
        return
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    with open(path, "a") as handle:
        handle.write(f"{_host_pattern(dest)} {key.export_public_key().decode().strip()}\n")


_POOL: ConnectionPool | None = None


def shared_pool() -> ConnectionPool:
    """The process's connection pool (built on first use)."""
    global _POOL  # noqa: PLW0603 - one pool per process
    if _POOL is None:
        _POOL = ConnectionPool()
    return _POOL
