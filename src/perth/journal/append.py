"""``perth journal append FILE``: add the newest sessions to a SESSIONS.md-style file.

Each session Perth writes is wrapped in two HTML comments (invisible when rendered)::

    <!-- perth:session s0123456789abcde start=2026-01-05T13:00:00.000Z -->
    ## Session 2026-01-05 14:00 – 15:30 +0100 (1h 30m active)
    ...
    <!-- perth:end s0123456789abcde -->

A session whose id is already in the file is skipped, so running the command twice
changes nothing (the file is not even rewritten).  Sessions that may still grow (their
last activity is within the idle gap of now) wait for a later run.  New sessions go
newest first: before the first Perth session that started earlier, else after the last
Perth session, else right after the file's ``# title`` line.  Text written by hand is
kept as it is.  The file is replaced atomically.
"""

from __future__ import annotations

import os
import re

from perth.clock import from_iso, to_iso
from perth.errors import InvalidInputError, PerthError
from perth.events.emit import emit
from perth.journal.markdown import session_markdown
from perth.record import Record
from perth.text import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.journal.model import Journal, Session
    from perth.runtime import Runtime

_START = re.compile(r"^<!-- perth:session (s[0-9a-f]{15}) start=(\S+) -->\s*$")
_END = re.compile(r"^<!-- perth:end (s[0-9a-f]{15}) -->\s*$")
DEFAULT_TITLE = "# Sessions"


class AppendReport(Record):
    """What ``journal append`` did to the file."""

    file: str
    created: bool
    added: tuple[str, ...]
    already_present: int
    still_open: int


class _Block(Record):
    """A Perth session already in the file: its id, start and line range (inclusive)."""

    id: str
    start_ms: int
    first: int
    last: int


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path!r}: {exc.strerror}", "check the path and its permissions") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path!r} is not UTF-8 text", "append to a Markdown file") from exc


def _start_ms(text: str) -> int:
    try:
        return from_iso(text)
    except PerthError:
        return 0


def blocks(lines: Sequence[str]) -> list[_Block]:
    """The Perth session blocks of a file, in file order."""
    found: list[_Block] = []
    opened: tuple[str, int, int] | None = None
    for index, line in enumerate(lines):
        start = _START.match(line)
        if start:
            if opened is not None:  # a start without its end: the block ends before the next one
                found.append(_Block(id=opened[0], start_ms=opened[1], first=opened[2], last=index - 1))
            opened = (start.group(1), _start_ms(start.group(2)), index)
            continue
        end = _END.match(line)
        if end and opened is not None and end.group(1) == opened[0]:
            found.append(_Block(id=opened[0], start_ms=opened[1], first=opened[2], last=index))
            opened = None
    if opened is not None:
        found.append(_Block(id=opened[0], start_ms=opened[1], first=opened[2], last=len(lines) - 1))
    return found


def known_ids(lines: Sequence[str]) -> set[str]:
    """Ids of every session marker in the file (complete blocks or not)."""
    return {m.group(1) for m in map(_START.match, lines) if m}


def _after_title(lines: Sequence[str]) -> int:
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index < len(lines) and lines[index].startswith("# "):
        index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        return index
    return 0


def _position(lines: Sequence[str], start_ms: int) -> int:
    existing = blocks(lines)
    for block in existing:
        if block.start_ms < start_ms:
            return block.first
    if existing:
        after = existing[-1].last + 1
        return after + 1 if after < len(lines) and not lines[after].strip() else after
    return _after_title(lines)


def block_lines(session: Session) -> list[str]:
    """The lines written for one session (with their markers and a blank line after)."""
    return [f"<!-- perth:session {session.id} start={to_iso(session.start_ms)} -->",
            *printable(session_markdown(session)).rstrip("\n").split("\n"),
            f"<!-- perth:end {session.id} -->", ""]


def _insert(lines: list[str], session: Session) -> list[str]:
    at = _position(lines, session.start_ms)
    new = block_lines(session)
    if at > 0 and lines[at - 1].strip():
        new.insert(0, "")
    return [*lines[:at], *new, *lines[at:]]


def append_sessions(rt: Runtime, path: str, journal: Journal, *, now: int) -> AppendReport:
    """Insert the journal's new, closed sessions into the file at ``path`` (created when missing)."""
    from perth.files import write_atomic
    from perth.journal.service import is_open

    text = _read(path)
    lines = (text if text is not None else f"{DEFAULT_TITLE}\n").split("\n")
    present = known_ids(lines)
    fresh = [s for s in journal.sessions if s.id not in present]
    closed = [s for s in fresh if not is_open(s, now, journal.idle_gap_ms)]
    for session in sorted(closed, key=lambda s: s.start_ms, reverse=True):
        lines = _insert(lines, session)
    if closed or text is None:
        try:
            write_atomic(path, ["\n".join(lines)])
        except OSError as exc:
            raise InvalidInputError(f"cannot write {path!r}: {exc.strerror}",
                                    "check the directory exists and is writable") from exc
    report = AppendReport(file=rt.redact(path, "journal"), created=text is None, added=tuple(s.id for s in closed),
                          already_present=len(journal.sessions) - len(fresh), still_open=len(fresh) - len(closed))
    if closed:
        emit(rt, "perth.journal.appended", report)
    return report


def default_path(cwd: str, path: str) -> str:
    """``path`` relative to the working directory, ``~`` expanded."""
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))
