"""Interactive terminals: a program under a pseudo-terminal, driven by keys and expected text.

:class:`Terminal` is the port (start, send keys, wait for text, capture, stop); :class:`PtyTerminal`
runs a real program under a pty in its own process group, :class:`FakeTerminal` is a scripted
stand-in.  The ``pty`` job kind (:class:`PtyWorker`) plays steps against one:
``expect:TEXT`` (wait for it), ``send:KEYS`` (``\\n``, ``\\t``, ``\\x03`` escapes allowed),
``send-env:NAME`` (type a variable's value — how a password gets in without being stored),
``sleep:S``, ``stop`` (end the program now).  The capture, without escape sequences, is the output.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from typing import Protocol

from perth.errors import InvalidInputError
from perth.ops.port import JobCancelledError, JobTimeoutError, WorkResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.ops.model import Job
    from perth.ops.port import JobIO

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\r")
STEP_NAMES = ("expect", "send", "send-env", "sleep", "stop")


class Terminal(Protocol):
    """A program under a terminal."""

    def start(self, argv: list[str], *, cwd: str | None, env: dict[str, str], rows: int = 24,
              cols: int = 80) -> int:
        """Start the program; returns its process group id."""

    def send(self, keys: str) -> None:
        """Type keys."""

    def wait_for(self, text: str, deadline: float, stop: threading.Event) -> bool:
        """Wait until ``text`` appears after the previous match; False at the deadline."""

    def capture(self) -> str:
        """Everything the program printed, without escape sequences."""

    def stop(self) -> int | None:
        """End the program (its whole process group); returns its exit status."""


class PtyTerminal:
    """A real program under a pseudo-terminal; a reader thread collects what it prints."""

    def __init__(self, on_output: Callable[[bytes], None] | None = None) -> None:
        self._buffer = bytearray()
        self._seen = 0
        self._changed = threading.Condition()
        self._on_output = on_output
        self._proc: subprocess.Popen[bytes] | None = None
        self._master = -1
        self._reader: threading.Thread | None = None

    def start(self, argv: list[str], *, cwd: str | None, env: dict[str, str], rows: int = 24,
              cols: int = 80) -> int:
        """Start ``argv`` with the pty as its standard streams, in a new session."""
        import fcntl
        import pty
        import struct
        import termios

        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            self._proc = subprocess.Popen(argv, cwd=cwd, env={"TERM": "xterm", **env}, stdin=slave, stdout=slave,
                                          stderr=slave, start_new_session=True)
        except FileNotFoundError as exc:
            os.close(master)
            from perth.errors import NotFoundError

            raise NotFoundError(f"cannot run {argv[0]!r}: no such program", "check the command") from exc
        finally:
            os.close(slave)
        self._master = master
        self._reader = threading.Thread(target=self._read, name="perth-pty-reader", daemon=True)
        self._reader.start()
        return self._proc.pid

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                data = b""
            with self._changed:
                if not data:
                    self._changed.notify_all()
                    return
                self._buffer += data
                self._changed.notify_all()
            if self._on_output is not None:
                self._on_output(data)

    def send(self, keys: str) -> None:
        """Type keys into the terminal."""
        os.write(self._master, keys.encode())

    def wait_for(self, text: str, deadline: float, stop: threading.Event) -> bool:
        """Wait for ``text`` after the previous match (matched on the capture, escapes removed)."""
        with self._changed:
            while True:
                screen = ESCAPES.sub("", self._buffer.decode(errors="replace"))
                found = screen.find(text, self._seen)
                if found >= 0:
                    self._seen = found + len(text)
                    return True
                if time.monotonic() >= deadline or stop.is_set():
                    return False
                if self._reader is not None and not self._reader.is_alive():
                    return False
                self._changed.wait(min(0.1, max(0.0, deadline - time.monotonic())))

    def capture(self) -> str:
        """Everything printed so far, without escape sequences."""
        with self._changed:
            return ESCAPES.sub("", self._buffer.decode(errors="replace"))

    def stop(self) -> int | None:
        """Stop the program's group (if still running), let the reader drain, return the exit status."""
        from perth.ops.process import kill_group, stop_group

        if self._proc is None:
            return None
        if self._proc.poll() is None:
            stop_group(self._proc.pid, grace_s=1.0)
        code = self._proc.wait()
        kill_group(self._proc.pid)
        if self._reader is not None:
            self._reader.join(timeout=2)
        os.close(self._master)
        return code

    def exited(self, timeout_s: float) -> int | None:
        """Wait up to ``timeout_s`` for the program to end by itself; its status, or None."""
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None


class FakeTerminal:
    """A scripted terminal: ``replies`` maps typed text to what the "program" prints back."""

    def __init__(self, greeting: str = "$ ", replies: dict[str, str] | None = None) -> None:
        self.text = ""
        self.greeting = greeting
        self.replies = replies or {}
        self.typed: list[str] = []
        self._seen = 0
        self.stopped = False

    def start(self, argv: list[str], *, cwd: str | None, env: dict[str, str], rows: int = 24,
              cols: int = 80) -> int:
        """Print the greeting."""
        self.text = self.greeting
        return 0

    def send(self, keys: str) -> None:
        """Echo the keys and print the scripted reply."""
        self.typed.append(keys)
        self.text += keys + self.replies.get(keys, "")

    def wait_for(self, text: str, deadline: float, stop: threading.Event) -> bool:
        """True when the text was printed after the previous match."""
        found = self.text.find(text, self._seen)
        if found >= 0:
            self._seen = found + len(text)
        return found >= 0

    def capture(self) -> str:
        """What was printed."""
        return self.text

    def stop(self) -> int | None:
        """Stop; exit status 0."""
        self.stopped = True
        return 0


def _keys(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


class PtyWorker:
    """The ``pty`` job kind: the command under a terminal, driven by ``options['steps']``."""

    kind = "pty"
    remote = False

    def __init__(self, terminal: Callable[[], Terminal] | None = None) -> None:
        self.terminal = terminal or PtyTerminal

    def check(self, job: Job) -> None:
        """A command and known steps."""
        if not job.args:
            raise InvalidInputError("a pty job needs a command", "e.g. perth job run pty --step expect:$ -- bash")
        for step in _steps(job):
            if step.split(":", 1)[0] not in STEP_NAMES:
                raise InvalidInputError(f"unknown pty step {step!r}", "use one of " + ", ".join(STEP_NAMES))

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Start, play the steps, wait for the end (or stop), keep the capture as output."""
        term = self.terminal()
        names = tuple(str(n) for n in job.options.get("env", ()))  # type: ignore[attr-defined]
        cwd = job.options.get("cwd")
        env = {**io.environment(names), "PERTH_JOB_LEASE": job.lease_token or ""}
        pgid = term.start(list(job.args), cwd=str(cwd) if cwd else None, env=env)
        io.started_processes(pgid, pgid)
        try:
            stopped = self._play(term, job, io)
            code = term.stop() if stopped else self._finish(term, io)
        except BaseException:
            term.stop()
            raise
        finally:
            io.output.text(term.capture())
        io.log(f"exited {code}")
        return WorkResult(ok=code == 0, exit_code=code)

    def _play(self, term: Terminal, job: Job, io: JobIO) -> bool:
        for step in _steps(job):
            name, _, value = step.partition(":")
            if name == "expect" and not term.wait_for(_keys(value), io.deadline, io.stop):
                _interrupted(io)
                raise JobTimeoutError(f"the terminal never showed {value!r}", "check the step, or raise --timeout")
            if name == "send":
                term.send(_keys(value))
            elif name == "send-env":
                term.send(os.environ.get(value, "") + "\n")
            elif name == "sleep":
                io.stop.wait(float(value))
            elif name == "stop":
                return True
            _interrupted(io)
        return False

    @staticmethod
    def _finish(term: Terminal, io: JobIO) -> int | None:
        exited = getattr(term, "exited", None)
        while exited is not None:
            code: int | None = exited(0.1)
            if code is not None:
                return code
            _interrupted(io)
            if time.monotonic() >= io.deadline:
                raise JobTimeoutError("the program did not end before the timeout",
                                      "add a stop step, or raise --timeout")
        return term.stop()


def _interrupted(io: JobIO) -> None:
    if io.stop.is_set():
        raise JobCancelledError("the job was stopped", "see `perth job show` for why")


def _steps(job: Job) -> list[str]:
    return [str(s) for s in job.options.get("steps", ())]  # type: ignore[attr-defined]
