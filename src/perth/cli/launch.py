"""The ``perth`` entry point: hand the command to the warm command server when one runs, else run it here.

``perth daemon`` keeps a command server (:mod:`perth.cli.server`): a process that has already
imported the CLI, the store, the search index and the secret filter, and forks a copy of itself
for each command it is handed.  A served command runs in that copy exactly as it would run here:
with this process's standard input, output and error (their file descriptors are passed over the
socket), its working directory, its whole environment and its arguments; its exit code comes
back.  What the command costs is then Python's start-up and this module, not the imports.

Only :data:`SERVED` commands go to the server, and only when its socket exists; any failure to
reach it (no daemon, a stale socket, a server of another version, a closed standard stream)
runs the command in this process instead, before anything of it has run.
``PERTH_COMMAND_SERVER=0`` never uses the server.

This module is imported on every ``perth`` command: it imports only built-in modules and
:mod:`perth.paths`.
"""

from __future__ import annotations

import os
import sys

from perth import __version__
from perth.cli.argv import command_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import _socket

#: Commands the server answers: those people and agents type most (reading the store, logging an intent).
SERVED = frozenset({"search", "history", "show", "status", "log"})
#: First bytes of every request (the version of this protocol).
PROTOCOL = b"PERTH-CLI/1"
#: Replies of the server: declined (run it yourself), started (+ the child's pid), exited (+ its code).
DECLINED, STARTED, EXITED = b"N", b"S", b"X"
#: Signals the client passes on to the command it handed over.
_FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGWINCH")
#: A Unix socket path longer than this does not fit ``sockaddr_un`` on every platform.
_SOCKET_PATH_MAX = 100


def socket_path(state_dir: str) -> str:
    """Where the command server of the Perth whose state lives in ``state_dir`` listens: in that
    directory, or (when that path is too long for a Unix socket) in a private directory of this
    user under the system's temporary directory, named after it."""
    path = os.path.join(state_dir, "command.sock")
    if len(os.fsencode(path)) <= _SOCKET_PATH_MAX:
        return path
    import zlib

    temporary = os.environ.get("TMPDIR") or "/tmp"  # noqa: S108 - a private directory: the server checks its owner
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(temporary, f"perth-{os.getuid()}")
    return os.path.join(base, f"perth-{zlib.crc32(os.fsencode(state_dir)):08x}.sock")


def request(argv: list[str], cwd: str, environ: dict[str, str], encodings: list[tuple[str, str]]) -> bytes:
    """The request for ``argv``: fields separated by NUL bytes (no argument, environment entry or
    path can hold one), prefixed by their length."""
    fields = [PROTOCOL, __version__.encode(), os.fsencode(cwd)]
    fields += [f"{encoding}:{errors}".encode() for encoding, errors in encodings]
    fields.append(str(len(argv)).encode())
    fields += [os.fsencode(arg) for arg in argv]
    fields += [os.fsencode(key) + b"=" + os.fsencode(value) for key, value in environ.items()]
    body = b"\0".join(fields)
    return len(body).to_bytes(8, "big") + body


def parse_request(body: bytes) -> tuple[str, str, list[tuple[str, str]], list[str], dict[str, str]]:
    """``(version, cwd, stream encodings, argv, environment)`` of a request's body (without its
    length); ``ValueError`` when it is not one."""
    fields = body.split(b"\0")
    if len(fields) < 7 or fields[0] != PROTOCOL:
        raise ValueError("not a Perth command request")
    version, cwd = fields[1].decode(), os.fsdecode(fields[2])
    encodings = [tuple(field.decode().split(":", 1)) for field in fields[3:6]]
    count = int(fields[6])
    argv = [os.fsdecode(arg) for arg in fields[7:7 + count]]
    environ = {}
    for entry in fields[7 + count:]:
        key, sep, value = entry.partition(b"=")
        if sep:
            environ[os.fsdecode(key)] = os.fsdecode(value)
    if len(argv) != count or any(len(pair) != 2 for pair in encodings):
        raise ValueError("a truncated Perth command request")
    return version, cwd, [(pair[0], pair[1]) for pair in encodings], argv, environ


def _streams() -> list[tuple[str, str]]:
    found = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        found.append((getattr(stream, "encoding", None) or "utf-8", getattr(stream, "errors", None) or "strict"))
    return found


def _ours(path: str) -> bool:
    """Whether ``path`` is a socket of this user in a directory only this user can write to (the
    request carries the environment and the standard streams: never hand them to another user)."""
    import stat

    try:
        found, folder = os.lstat(path), os.stat(os.path.dirname(path))
    except OSError:  # no server (the usual case)
        return False
    uid = os.getuid()
    return (stat.S_ISSOCK(found.st_mode) and found.st_uid == uid and folder.st_uid == uid
            and not folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _receive(connection: _socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def through_server(argv: list[str]) -> int | None:
    """Run ``argv`` in the command server; its exit code, or ``None`` when it was not run there
    (then nothing of it has run)."""
    if os.environ.get("PERTH_COMMAND_SERVER", "").strip() == "0" or command_name(argv, SERVED) is None:
        return None
    from perth.paths import resolve_paths

    path = socket_path(resolve_paths().state_dir)
    if not _ours(path):
        return None
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
        message = request(argv, os.getcwd(), dict(os.environ), _streams())
        fds = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in (0, 1, 2))
        sent = connection.sendmsg([message], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        if sent < len(message):
            connection.sendall(message[sent:])
        reply = _receive(connection, 9)
    except OSError:  # no server behind the socket, a closed standard stream: run it here
        connection.close()
        return None
    if reply[:1] != STARTED:
        connection.close()
        return None
    return _wait(connection, int.from_bytes(reply[1:9], "big"))


def _wait(connection: _socket.socket, pid: int) -> int:
    """Forward signals to the command's process until its exit code arrives."""
    import signal

    def forward(signum: int, _frame: object) -> None:
        try:  # noqa: SIM105 - contextlib is not imported on this path
            os.kill(pid, signum)
        except OSError:
            pass

    for name in _FORWARDED:
        signal.signal(getattr(signal, name), forward)
    try:  # a signal handled meanwhile does not interrupt the wait (PEP 475)
        reply = _receive(connection, 5)
    except OSError:
        reply = b""
    connection.close()
    if reply[:1] == EXITED and len(reply) == 5:
        return int.from_bytes(reply[1:5], "big", signed=True)
    sys.stderr.write("perth: error: the command server ended before the command finished — run it again, "
                     "or without the server: PERTH_COMMAND_SERVER=0\n")
    return 1


def run() -> None:
    """The console entry point: the command through the server, else :func:`perth.cli.main.run`."""
    code = through_server(sys.argv[1:])
    if code is not None:
        os._exit(code)
    import gc

    # Importing the CLI allocates thousands of objects that live until the process ends: collecting
    # cycles among them only costs time.  main() turns collection back on before the command runs.
    gc.disable()
    from perth.cli.main import run as run_here

    run_here()


__all__ = ["SERVED", "parse_request", "request", "run", "socket_path", "through_server"]
