"""The command server: a warm process that runs ``perth`` commands handed to it by :mod:`perth.cli.launch`.

``perth daemon`` starts it (``python -m perth.cli.server SOCKET``) unless ``daemon.command_server``
is off, and stops it when it stops.  It imports the CLI and what the served commands need once,
then listens on a Unix socket that only its user can open (the directory is private, the socket's
mode is 0600 and every peer's user id is checked).  For each request it forks: the copy takes the
client's standard streams (passed as file descriptors), working directory, environment and
arguments, runs the command through :func:`perth.cli.main.invoke`, sends its exit code back and
exits.  Nothing of one command's state survives into the next: each runs in a fresh copy of a
process that has only imported modules (it opens no store, reads no configuration).

The server declines (the client then runs the command itself) a request of another Perth version
or whose protocol it does not know, and stops when Perth's installed code changes under it
(the daemon then starts a new one on its next check).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import signal
import socket
import sys

from perth.cli.launch import DECLINED, EXITED, SERVED, STARTED, parse_request

#: Modules the served commands import: imported once, before the first request (a test checks
#: that serving them imports nothing more of Perth's).
PRELOAD = ("perth.cli.main", "perth.cli.capture", "perth.cli.history", "perth.cli.status", "perth.cli.log",
           "perth.config",
           "perth.runtime", "perth.ids", "perth.gitinfo", "perth.paging", "heapq",
           "perth.store.sqlite", "perth.store.sqlite_db", "perth.store.sqlite_search", "perth.store.sql_code",
           "perth.store.sql_entries", "perth.store.sql_json", "perth.store.sql_panes", "perth.store.sql_search",
           "perth.store.sql_snapshots", "perth.store.sql_visible",
           "perth.panes.automatic", "perth.panes.entries", "perth.panes.resolve", "perth.panes.service",
           "perth.panes.status", "perth.events.emit", "perth.capture.query",
           "perth.search.service", "perth.search.query", "perth.search.sync", "perth.search.engine",
           "perth.search.ranking", "perth.search.snippets", "perth.search.code_source",
           "perth.search.journal_source", "perth.views.search", "perth.views.history", "perth.views.panes",
           "perth.redact", "perth.redact.engine", "tantivy")
#: Arguments each served command's parser is warmed with (argparse compiles its expressions on first use).
WARM_ARGV = (("search", "warm", "--kind", "command"), ("history", "--limit", "1"), ("show", "00000000"),
             ("status",), ("log", "warm up the command server", "--pane", "warm"))
#: The largest request accepted (arguments and environment).
MAX_REQUEST = 4 * 1024 * 1024
#: How often the server checks that the process that started it still runs (it stops when not).
PARENT_CHECK_S = 1.0
#: How long a client may take to send its request.
REQUEST_TIMEOUT_S = 1.0


def code_stamp() -> tuple[int, ...]:
    """The modification times of Perth's package directories: replacing or adding a module
    (an upgrade, a checkout) changes one of them."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stamps = []
    pending = [root]
    while pending:
        directory = pending.pop()
        with contextlib.suppress(OSError), os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    pending.append(entry.path)
        with contextlib.suppress(OSError):
            stamps.append(os.stat(directory).st_mtime_ns)
    return tuple(sorted(stamps))


def preload() -> None:
    """Import what the served commands need (a missing optional module is left to the command)."""
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from perth.cli.main import PREBUILT, build_parser
    from perth.clock import to_iso, to_local
    from perth.redact import SecretFilter

    for argv in WARM_ARGV:
        parser = build_parser(only=argv[0])
        with contextlib.suppress(Exception):
            parser.parse_known_args(list(argv))
        PREBUILT[argv[0]] = parser
    to_iso(0), to_local(0)
    SecretFilter().redact("warm up: password=preload-not-a-secret-1234")  # compiles the engine's expressions
    # Everything allocated so far lives as long as the server: keep the collector from visiting it, in the
    # server and in every forked copy (a collection there would otherwise write to, and so copy, each page).
    gc.collect()
    gc.freeze()


def listen(path: str) -> socket.socket:
    """A listening socket at ``path`` that only this user can connect to (a stale socket is replaced)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if os.stat(directory).st_uid != os.getuid():
        raise SystemExit(f"perth: error: {directory} belongs to another user — remove it or set PERTH_HOME")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(previous)
    listener.listen(64)
    return listener


def serve(path: str) -> int:
    """Answer requests on ``path`` until SIGTERM, until the process that started it ends or until
    Perth's code changes; returns 0."""
    parent = os.getppid()  # before anything else: the starter may end while the server loads
    preload()
    stamp = code_stamp()
    listener = listen(path)
    bound = os.stat(path).st_ino
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked commands are reaped by the kernel
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    listener.settimeout(PARENT_CHECK_S)
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if os.getppid() != parent:  # the daemon that started it is gone
                    break
                continue
            if _handle(connection, listener, stamp):
                break
    except _StopError:
        pass
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == bound:  # not a newer server's socket
                os.unlink(path)
    return 0


class _StopError(Exception):
    pass


def _stop(_signum: int, _frame: object) -> None:
    raise _StopError


def _handle(connection: socket.socket, listener: socket.socket, stamp: tuple[int, ...]) -> bool:
    """Serve one request; ``True`` when the server should stop (its code changed)."""
    fds: list[int] = []
    try:
        connection.settimeout(REQUEST_TIMEOUT_S)
        if not _same_user(connection):
            return False
        body, fds = _read_request(connection)
        version, cwd, encodings, argv, environ = parse_request(body)
        from perth import __version__
        from perth.cli.argv import command_name

        changed = code_stamp() != stamp
        if version != __version__ or changed or len(fds) != 3 or command_name(argv, SERVED) is None:
            connection.sendall(DECLINED)
            return changed
        pid = os.fork()
        if pid == 0:
            _child(connection, listener, fds=fds, cwd=cwd, encodings=encodings, argv=argv, environ=environ)
        return False
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            connection.sendall(DECLINED)
        return False
    finally:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        connection.close()


def _same_user(connection: socket.socket) -> bool:
    """Whether the peer runs as this user (SO_PEERCRED where the platform has it)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True  # the socket's mode and private directory already keep other users out
    import struct

    _pid, uid, _gid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    return bool(uid == os.getuid())


def _read_request(connection: socket.socket) -> tuple[bytes, list[int]]:
    """The request's body and the file descriptors passed with it."""
    fds: list[int] = []
    data, ancillary, _flags, _address = connection.recvmsg(65536, socket.CMSG_SPACE(3 * 4))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            fds += [int.from_bytes(payload[i:i + 4], sys.byteorder, signed=True) for i in range(0, usable, 4)]
    if len(data) < 8:
        raise ValueError("a truncated Perth command request")
    size = int.from_bytes(data[:8], "big")
    if size > MAX_REQUEST:
        raise ValueError("a Perth command request too large")
    body = data[8:]
    while len(body) < size:
        chunk = connection.recv(min(65536, size - len(body)))
        if not chunk:
            raise ValueError("a truncated Perth command request")
        body += chunk
    return body, fds


def _child(connection: socket.socket, listener: socket.socket, *, fds: list[int], cwd: str,
           encodings: list[tuple[str, str]], argv: list[str], environ: dict[str, str]) -> None:
    """In the forked copy: become the client's command, run it, report its exit code, exit."""
    code = 1
    try:
        listener.close()
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        fds.clear()
        sys.stdin, sys.stdout, sys.stderr = (_stream(fd, *encodings[fd]) for fd in (0, 1, 2))
        os.environ.clear()
        os.environ.update(environ)
        sys.argv = ["perth", *argv]
        connection.settimeout(None)
        connection.sendall(STARTED + os.getpid().to_bytes(8, "big"))
        os.chdir(cwd)
        from perth.cli.main import invoke

        code = invoke(argv)
    except BaseException as exc:  # an error of the server's own, reported as the command's
        with contextlib.suppress(BaseException):
            print(f"perth: error: {type(exc).__name__}: {exc} — run it again without the command server:"
                  " PERTH_COMMAND_SERVER=0", file=sys.stderr)
            sys.stderr.flush()
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            connection.sendall(EXITED + int(code).to_bytes(4, "big", signed=True))
        os._exit(code)


def _stream(fd: int, encoding: str, errors: str) -> io.TextIOWrapper:
    """A standard stream on ``fd`` as Python builds one at start-up."""
    binary = open(fd, "rb" if fd == 0 else "wb", closefd=False)  # noqa: SIM115 - lives as sys.std*
    interactive = os.isatty(fd)
    return io.TextIOWrapper(binary, encoding=encoding, errors=errors, line_buffering=interactive and fd != 0,
                            write_through=fd == 2)


def main(argv: list[str] | None = None) -> int:
    """``python -m perth.cli.server SOCKET``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m perth.cli.server SOCKET (perth daemon starts it)", file=sys.stderr)
        return 2
    return serve(args[0])


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["PRELOAD", "code_stamp", "listen", "preload", "serve"]
