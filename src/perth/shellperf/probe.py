"""The screen of one measured sample and the bounded waits on it (what the harness and the
readiness checks read), and the replay events a sample can keep."""

from __future__ import annotations

from perth.record import Record
from perth.shellperf.transcript import Transcript

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.shellperf.terminal import TerminalSession

#: Nanoseconds per millisecond.
MS = 1_000_000


class ReplayEvent(Record):
    """One direction of the byte stream: ``out`` (from the shell) or ``in`` (typed)."""

    at_ms: float
    direction: str
    data: bytes


class Probe:
    """The screen of one sample and the waits on it, all bounded by the sample's deadline."""

    def __init__(self, session: TerminalSession, deadline_ns: int, keep_replay: bool) -> None:
        self.session = session
        self.deadline_ns = deadline_ns
        self.screen = Transcript()
        self.replay: list[ReplayEvent] | None = [] if keep_replay else None

    def _record(self, direction: str, at_ns: int, data: bytes) -> None:
        if self.replay is not None:
            self.replay.append(ReplayEvent((at_ns - self.session.exec_ns) / MS, direction, data))

    def type(self, data: bytes) -> int:
        """Write keys; returns when they were written."""
        at = self.session.write(data)
        self._record("in", at, data)
        return at

    def pump(self, until_ns: int) -> bool:
        """Read one chunk (by ``until_ns`` at the latest); whether one arrived."""
        chunk = self.session.read(min(until_ns, self.deadline_ns))
        if chunk is None:
            return False
        self._record("out", chunk.at_ns, chunk.data)
        self.screen.add(chunk.data, chunk.at_ns)
        return True

    def find_any(self, tokens: tuple[str, ...], start: int) -> int | None:
        """Offset just past the earliest of ``tokens`` already on screen after ``start``."""
        found = [end for end in (self.screen.find(t, start) for t in tokens) if end is not None]
        return min(found) if found else None

    def wait_for(self, tokens: tuple[str, ...], start: int) -> int | None:
        """Offset just past the first of ``tokens`` shown after ``start``; ``None`` at deadline or exit."""
        while True:
            found = self.find_any(tokens, start)
            if found is not None:
                return found
            if self.session.closed or self.session.now() >= self.deadline_ns:
                return None
            self.pump(self.deadline_ns)

    def settle(self, quiet_ms: float, max_ms: float) -> None:
        """Read until the screen has been quiet for ``quiet_ms`` (at most ``max_ms``)."""
        limit = min(self.session.now() + int(max_ms * MS), self.deadline_ns)
        while not self.session.closed and self.session.now() < limit:
            if not self.pump(min(self.session.now() + int(quiet_ms * MS), limit)):
                return

    def elapsed_ms(self, offset: int) -> float:
        """Milliseconds from the shell's exec to the moment the text up to ``offset`` was on screen."""
        return (self.screen.time_at(offset) - self.session.exec_ns) / MS

    def why_not(self, what: str) -> str:
        """The reason ``what`` was not seen."""
        if self.session.closed:
            return f"the shell exited before {what}"
        return f"timed out before {what}"
