"""A scripted terminal with a virtual clock: the shipped fake of the terminal port.

:class:`FakeShell` describes how a pretend shell behaves (when its first prompt appears, how long
a command, an Enter and a keystroke take); :class:`FakeLauncher` hands out sessions that answer
the harness's keystrokes accordingly, on a clock that only moves when the harness waits.  Unit
tests measure it exactly; ``first_prompt_ms=None`` is a shell that never prints its prompt.
"""

from __future__ import annotations

import re

from perth.record import Record
from perth.shellperf.terminal import Chunk, SpawnRequest, TerminalSession

_TYPED_ECHO = re.compile(rb'echo "([^"]*)""([^"]*)"')
MS = 1_000_000


class FakeShell(Record):
    """The pretend shell's timings in milliseconds (``None``: that event never happens)."""

    first_prompt_ms: float | None = 40.0
    command_ms: float = 5.0
    enter_ms: float = 2.0
    key_ms: float = 1.0
    exit_ms: float | None = 30.0
    prompt_template: str = "\x1b[32m{host}\x1b[0m:{cwd}% "
    segment_lines: tuple[str, ...] = ()


class FakeSession:
    """One pretend shell; see :class:`FakeShell`."""

    def __init__(self, shell: FakeShell, request: SpawnRequest) -> None:
        self.shell = shell
        self.started_ns = 1_000 * MS
        self.exec_ns = self.started_ns
        self.started_epoch_ns = 1_700_000_000 * 1_000_000_000
        self.closed = False
        self._now = self.started_ns
        self._events: list[tuple[int, bytes]] = []
        self._typed: list[bytes] = []
        self._prompted = False
        self._prompt = shell.prompt_template.format(host=request.env.get("HOST", "host"),
                                                    cwd=request.cwd.rsplit("/", 1)[-1]).encode()
        self._exits = "exit" in request.argv
        if shell.first_prompt_ms is not None and not self._exits:
            self._at(shell.first_prompt_ms, self._prompt, prompted=True)
        log = request.env.get("PERTH_SEGMENT_LOG")
        if log and shell.segment_lines:
            with open(log, "w", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in shell.segment_lines))

    def _at(self, after_ms: float, data: bytes, *, prompted: bool = False) -> None:
        self._events.append((self._now + int(after_ms * MS), data))
        self._events.sort(key=lambda event: event[0])
        if prompted:
            self._events.append((self._events[-1][0], b""))  # a marker: from here on, react to input
            self._events.sort(key=lambda event: event[0])

    def now(self) -> int:
        """The virtual clock."""
        return self._now

    def write(self, data: bytes) -> int:
        """Echo like a terminal, answer like a shell once the prompt is up."""
        if not self._prompted:
            self._typed.append(data)
            self._events.insert(0, (self._now, data))  # the tty echoes typed-ahead input at once
            return self._now
        self._respond(data)
        return self._now

    def _respond(self, data: bytes) -> None:
        typed = _TYPED_ECHO.search(data)
        if typed:
            output = typed.group(1) + typed.group(2)
            self._at(self.shell.command_ms, b"\r\n" + output + b"\r\n" + self._prompt)
        elif data == b"\r":
            self._at(self.shell.enter_ms, b"\r\n" + self._prompt)
        else:
            self._at(self.shell.key_ms, data)

    def read(self, deadline_ns: int) -> Chunk | None:
        """The next scheduled output before the deadline (the clock jumps to it)."""
        while self._events and self._events[0][0] <= deadline_ns:
            at, data = self._events.pop(0)
            self._now = max(self._now, at)
            if data:
                return Chunk(self._now, data)
            self._prompted = True
            for typed in self._typed:
                self._respond(typed)
            self._typed.clear()
        self._now = max(self._now, deadline_ns)
        return None

    def wait_exit(self, deadline_ns: int) -> int | None:
        """An ``-c exit`` start ends after ``exit_ms``."""
        if self.shell.exit_ms is None or self._now + self.shell.exit_ms * MS > deadline_ns:
            self._now = deadline_ns
            return None
        self._now += int(self.shell.exit_ms * MS)
        return self._now

    def close(self) -> None:
        """Nothing to kill."""
        self.closed = True


class FakeLauncher:
    """Hands out :class:`FakeSession` objects and remembers every request."""

    def __init__(self, shell: FakeShell | None = None) -> None:
        self.shell = shell or FakeShell()
        self.requests: list[SpawnRequest] = []

    def spawn(self, request: SpawnRequest) -> TerminalSession:
        """A new pretend shell."""
        self.requests.append(request)
        return FakeSession(self.shell, request)
