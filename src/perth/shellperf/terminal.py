"""The pseudo-terminal port: spawn a program on a terminal, write keys, read timestamped output.

:class:`PtyLauncher` is the real adapter (``os.openpty`` + ``os.fork`` + ``os.login_tty``: the
child gets its own session with the terminal as its controlling tty, a fixed window size, and is
killed with its whole process group).  :class:`perth.shellperf.fake_terminal.FakeLauncher` is the
scripted fake with a virtual clock.  Times are monotonic nanoseconds (``time.perf_counter_ns``:
``CLOCK_MONOTONIC``, one clock for every process of the machine).

``started_ns`` is taken in the harness just before ``fork()``; ``exec_ns`` is taken **in the
child**, after it has set up the terminal and the working directory, immediately before
``execve()``, and sent to the harness through a close-on-exec pipe.  The latencies a user sees
start at ``exec_ns``: forking a large Python process (copy-on-write page tables) is the
harness's cost, not the shell's.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from typing import Protocol

from perth.errors import UnavailableError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class Chunk(Record):
    """Bytes read from the terminal and when they arrived."""

    at_ns: int
    data: bytes


class SpawnRequest(Record):
    """What to start and on what terminal."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: str
    rows: int = 24
    cols: int = 80


class TerminalSession(Protocol):
    """A program running on a terminal."""

    started_ns: int
    exec_ns: int
    started_epoch_ns: int
    closed: bool

    def now(self) -> int:
        """The session's clock (monotonic ns)."""

    def write(self, data: bytes) -> int:
        """Type ``data``; returns the time just before it was written."""

    def read(self, deadline_ns: int) -> Chunk | None:
        """The next chunk of output, or ``None`` at the deadline or at end of output (then ``closed``)."""

    def wait_exit(self, deadline_ns: int) -> int | None:
        """Drain output until the program exits; the time it was reaped, or ``None`` at the deadline."""

    def close(self) -> None:
        """Kill the process group (if still running), reap it and release the terminal."""


class TerminalLauncher(Protocol):
    """Starts programs on terminals."""

    def spawn(self, request: SpawnRequest) -> TerminalSession:
        """Start ``request.argv`` on a new terminal."""


def _set_window(fd: int, rows: int, cols: int) -> None:
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class PtySession:
    """A child process on a real pseudo-terminal."""

    def __init__(self, request: SpawnRequest) -> None:
        try:
            master, slave = os.openpty()
        except OSError as exc:
            raise UnavailableError(f"cannot open a pseudo-terminal: {exc.strerror}",
                                   "check /dev/ptmx and the pty limit (sysctl kernel.pty.max)") from exc
        _set_window(slave, request.rows, request.cols)
        self.closed = False
        self._status: int | None = None
        clock_read, clock_write = os.pipe()  # both close-on-exec
        self.started_epoch_ns = time.time_ns()
        self.started_ns = time.perf_counter_ns()
        self.pid = os.fork()
        if self.pid == 0:  # the child: become the terminal's session, then the program
            os.close(clock_read)
            _exec_child(master, slave, request, clock_write)
        os.close(slave)
        os.close(clock_write)
        self.fd = master
        self.exec_ns = _read_exec_time(clock_read, self.started_ns)

    def now(self) -> int:
        """Monotonic nanoseconds."""
        return time.perf_counter_ns()

    def write(self, data: bytes) -> int:
        """Type ``data`` into the terminal."""
        at = time.perf_counter_ns()
        try:
            os.write(self.fd, data)
        except OSError:
            self.closed = True
        return at

    def read(self, deadline_ns: int) -> Chunk | None:
        """Wait for output until ``deadline_ns``."""
        if self.closed:
            return None
        timeout = max(0.0, (deadline_ns - time.perf_counter_ns()) / 1e9)
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        at = time.perf_counter_ns()
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every holder of the terminal's other side has gone
            data = b""
        if not data:
            self.closed = True
            return None
        return Chunk(at, data)

    def wait_exit(self, deadline_ns: int) -> int | None:
        """Read until end of output, then reap the child."""
        while not self.closed and time.perf_counter_ns() < deadline_ns:
            self.read(deadline_ns)
        while time.perf_counter_ns() < deadline_ns:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = status
                return time.perf_counter_ns()
            time.sleep(0.0002)
        return None

    def close(self) -> None:
        """Kill the session's process group, reap the child, close the terminal."""
        if self._status is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        if self._status is None:
            self._status = os.waitpid(self.pid, 0)[1]
        self.closed = True


def _exec_child(master: int, slave: int, request: SpawnRequest, clock: int) -> None:
    """In the forked child: never returns (exec, or exit 127).  Sends the time of the exec on ``clock``."""
    try:
        os.close(master)
        os.login_tty(slave)
        os.chdir(request.cwd)
        argv, env = list(request.argv), dict(request.env)
        os.write(clock, time.perf_counter_ns().to_bytes(8, "little"))
        os.execve(argv[0], argv, env)  # noqa: S606 - argv, never a shell string
    finally:
        os._exit(127)


def _read_exec_time(clock: int, fallback: int) -> int:
    """The child's time just before ``execve``; ``fallback`` when it died before sending it."""
    data = b""
    try:
        while len(data) < 8:
            chunk = os.read(clock, 8 - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(clock)
    return int.from_bytes(data, "little") if len(data) == 8 else fallback


class PtyLauncher:
    """Spawns programs on real pseudo-terminals."""

    def spawn(self, request: SpawnRequest) -> TerminalSession:
        """Start ``request.argv`` on a new pty."""
        return PtySession(request)


def first_byte_ms(argv: Sequence[str], env: Mapping[str, str], cwd: str, timeout_s: float = 10.0) -> float | None:
    """A bare pty spawn: milliseconds from the exec to the first byte of output (benchmark baseline)."""
    session = PtySession(SpawnRequest(argv=tuple(argv), env=env, cwd=cwd))
    try:
        chunk = session.read(session.started_ns + int(timeout_s * 1e9))
        return None if chunk is None else (chunk.at_ns - session.exec_ns) / 1e6
    finally:
        session.close()
