"""Moving spool lines into the store, exactly once.

Shells append to ``<spool>/<shell>-<session>.spool``.  An ingester (one at a time,
under ``<spool>/.ingest.lock``):

1. *claims* each non-empty spool file by renaming it to ``<name>.<ns>.claimed`` — the
   shell's next ``>>`` recreates the spool by name, so writers never wait;
2. reads each claimed file from the byte offset recorded in the store, parses the
   complete lines, redacts them, links them to their pane, and inserts them **in the
   same transaction** that advances the offset — a ``kill -9`` at any point leaves
   either both or neither, so no line is lost or duplicated.  A transaction takes the
   next lines of every claimed file in turn (shells run side by side, so that is a
   slice of time) and inserts them by start time: each index of the commands table
   then grows at its end instead of changing pages all over it in every transaction;
3. deletes a claimed file once it is fully ingested and has been idle for a moment
   (a shell that opened it just before the rename may still append a line).

A line that cannot be parsed, or a partial last line left by a crashed shell and
idle for longer than ``capture.partial_grace_s``, is quarantined (redacted, with the
reason, in the store) and reported as a warning — never silently dropped.
"""

from __future__ import annotations

import contextlib
import os
import time
from itertools import chain
from operator import attrgetter

from perth.capture.records import Command, SpoolCursor
from perth.capture.spool_format import SpoolRecord, parse_line
from perth.clock import FUTURE_SLACK_MS, MAX_DURATION_MS, check_time
from perth.errors import InvalidInputError, PerthError
from perth.events.emit import emit
from perth.ids import uuid7_many
from perth.record import Record
from perth.text import decode_utf8

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterator

    from perth.redact import Redacted
    from perth.runtime import Runtime

CLAIMED = ".claimed"
#: Complete lines stored per transaction (taken from every claimed file in turn); fewer when the
#: ingest has a time budget (``perth`` commands ingest first, briefly), which is checked between batches.
BATCH_LINES = 20_000
BUDGETED_BATCH_LINES = 5000
#: Claimed files read at once, their lines taken in turn (each is read whole).
FILES_AT_ONCE = 64
#: Spool bytes from which an ingest runs as one bulk write (about 4,000 commands: SQLite's WAL
#: checkpointed once at the end, not every 1,000 pages); a prompt's few lines never are.
BULK_BYTES = 2 * 1024 * 1024
IDLE_BEFORE_DELETE_S = 2.0
_PLACE = attrgetter("cwd", "repo_root", "branch")
_COMMAND = attrgetter("command")


class _Piece(Record):
    """Complete lines of one claimed file: ``chunk`` read from byte ``start``."""

    path: str
    start: int
    chunk: bytes


class _End(Record):
    """A claimed file read to its end: ``consumed`` bytes of complete lines, its partial last line
    (``tail``), and its stat when it was read."""

    path: str
    consumed: int
    tail: bytes
    stat: os.stat_result


class _Claimed:
    """A claimed file being read: its data from the stored offset, and how far it has been taken."""

    __slots__ = ("data", "end", "offset", "path", "position", "stat")

    def __init__(self, path: str, offset: int, data: bytes, stat: os.stat_result) -> None:
        self.path, self.offset, self.data, self.stat = path, offset, data, stat
        self.end = data.rfind(b"\n") + 1
        self.position = 0

    def take(self, lines: int) -> tuple[_Piece | None, int]:
        """The next (at most) ``lines`` complete lines, and how many they are."""
        data, start, end = self.data, self.position, self.end
        stop, taken = start, 0
        while taken < lines and stop < end:
            stop = data.index(b"\n", stop, end) + 1
            taken += 1
        self.position = stop
        return (_Piece(self.path, self.offset + start, data[start:stop]) if taken else None), taken

    def finished(self) -> _End | None:
        """The file's end once every complete line has been taken."""
        if self.position < self.end:
            return None
        return _End(self.path, self.offset + self.end, self.data[self.end:], self.stat)


class _Prepared(Record):
    """Lines parsed and redacted: their commands' records, unusable lines, redacted texts and places,
    and how far each file is then ingested."""

    parsed: list[tuple[str, int, SpoolRecord, str]]
    bad: list[tuple[str, int, str, str]]
    redacted: list[Redacted]
    clean: dict[str, Redacted]
    lines: int
    ignored: int
    cursors: dict[str, int]


class IngestReport(Record):
    """What one ingestion pass did."""

    files: int = 0
    lines: int = 0
    inserted: int = 0
    duplicates: int = 0
    ignored: int = 0
    quarantined: int = 0
    waiting_partial: int = 0
    skipped_busy: bool = False
    complete: bool = True
    warnings: tuple[str, ...] = ()


def spool_dir(rt: Runtime) -> str:
    """Where shells write their spool files."""
    return os.path.join(rt.settings.paths.state_dir, "spool")


def pending_spool(directory: str) -> bool:
    """Whether any spool or claimed file waits (cheap: one directory listing)."""
    try:
        with os.scandir(directory) as entries:
            return any(e.name.endswith((".spool", CLAIMED)) for e in entries)
    except OSError:
        return False


def _claim(directory: str) -> None:
    with os.scandir(directory) as entries:
        spools = [e for e in entries if e.name.endswith(".spool") and e.stat().st_size > 0]
    for entry in spools:
        target = os.path.join(directory, f"{entry.name}.{time.time_ns()}{CLAIMED}")
        try:
            os.rename(entry.path, target)
        except FileNotFoundError:
            continue  # another claimer was faster (cannot happen under the lock, but harmless)


def _remove_dead_scratch_files(directory: str) -> None:
    """bash hooks keep ``.bash-<pid>-<start>.tmp`` scratch files and fish hooks ``.fish-<pid>-<n>.clock``
    clock files; drop those of exited shells."""
    with os.scandir(directory) as entries:
        scratch = [e for e in entries if (e.name.startswith(".bash-") and e.name.endswith(".tmp"))
                   or (e.name.startswith(".fish-") and e.name.endswith(".clock"))]
    for entry in scratch:
        pid = entry.name[len(".bash-"):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claimed(directory: str) -> list[str]:
    with os.scandir(directory) as entries:
        return sorted(e.path for e in entries if e.name.endswith(CLAIMED))


class _Lock:
    """A non-blocking exclusive lock; ``held`` is False when another ingester runs."""

    def __init__(self, path: str) -> None:
        import fcntl

        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.held = True
        except BlockingIOError:
            self.held = False

    def release(self) -> None:
        os.close(self.fd)


def ingest(rt: Runtime, *, budget_s: float | None = None) -> IngestReport:
    """Ingest every waiting spool line (or as many as fit in ``budget_s``)."""
    directory = spool_dir(rt)
    if not os.path.isdir(directory):
        return IngestReport()
    lock = _Lock(os.path.join(directory, ".ingest.lock"))
    try:
        if not lock.held:
            return IngestReport(skipped_busy=True)
        _claim(directory)
        _remove_dead_scratch_files(directory)
        deadline = None if budget_s is None else time.monotonic() + budget_s
        return _ingest_files(rt, _claimed(directory), deadline)
    finally:
        lock.release()


def _ingest_files(rt: Runtime, paths: list[str], deadline: float | None) -> IngestReport:
    worker = _SpoolReader(rt, BATCH_LINES if deadline is None else BUDGETED_BATCH_LINES)
    with rt.store.bulk() if _prefetch(paths) >= BULK_BYTES else contextlib.nullcontext():
        worker.run(paths, deadline)
    return worker.report(len(paths))


def _prefetch(paths: list[str]) -> int:
    """Ask the kernel to read every claimed file ahead (on a cold cache the reads overlap with the
    work on the first files); returns their total size."""
    total = 0
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            total += os.fstat(fd).st_size
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)
    return total


class _SpoolReader:
    """Ingests claimed files, accumulating the report."""

    def __init__(self, rt: Runtime, batch_lines: int) -> None:
        from perth.capture.linking import PaneLinker

        self.rt = rt
        self.batch_lines = batch_lines
        self.linker = PaneLinker(rt)
        self.ignore = _IgnoreRules(rt)
        self.grace_s = float(rt.settings.get_int("capture.partial_grace_s"))
        self.counts = {"lines": 0, "inserted": 0, "duplicates": 0, "ignored": 0, "quarantined": 0, "waiting": 0}
        self.warnings: list[str] = []
        self.complete = True

    def report(self, files: int) -> IngestReport:
        c = self.counts
        return IngestReport(files=files, lines=c["lines"], inserted=c["inserted"], duplicates=c["duplicates"],
                            ignored=c["ignored"], quarantined=c["quarantined"], waiting_partial=c["waiting"],
                            complete=self.complete, warnings=tuple(self.warnings))

    def run(self, paths: list[str], deadline: float | None) -> None:
        """Ingest the claimed files, a batch (``batch_lines`` lines, from each file in turn) per
        transaction; a file read to its end is finished once its last lines are stored."""
        for pieces, ends in self._batches(paths):
            if deadline is not None and time.monotonic() > deadline:
                self.complete = False
                return
            if pieces:
                self._store(self._prepare(pieces))
            for end in ends:
                self._finish_file(end)

    def _batches(self, paths: list[str]) -> Iterator[tuple[list[_Piece], list[_End]]]:
        """Batches of pieces, each with the ends of the files it reads to their end.

        Every file gives its next ``batch_lines / open files`` lines in turn, so a batch holds the
        same stretch of time of every shell (a file is read whole, FILES_AT_ONCE files at a time).
        """
        for first in range(0, len(paths), FILES_AT_ONCE):
            files = self._read(paths[first:first + FILES_AT_ONCE])
            pieces: list[_Piece] = []
            ends: list[_End] = []
            lines = 0
            size = self.batch_lines
            while files:
                share = max(1, size // len(files))
                for claimed in list(files):
                    piece, taken = claimed.take(min(share, size - lines))
                    if piece is not None:
                        pieces.append(piece)
                        lines += taken
                    end = claimed.finished()
                    if end is not None:
                        ends.append(end)
                        files.remove(claimed)
                    if lines >= size:
                        yield pieces, ends
                        pieces, ends, lines = [], [], 0
            if pieces or ends:
                yield pieces, ends

    def _read(self, paths: list[str]) -> list[_Claimed]:
        """The claimed files from their stored offsets (a file deleted meanwhile loses its cursor)."""
        store = self.rt.store
        files = []
        for path in paths:
            offset = store.commands.offset(path)
            try:
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    data = handle.read()
                stat = os.stat(path)
            except FileNotFoundError:
                store.commands.forget_spool(path)
                continue
            files.append(_Claimed(path, offset, data, stat))
        return files

    def _prepare(self, pieces: list[_Piece]) -> _Prepared:
        """Parse and redact a batch's lines.

        The commands are redacted in one call of the filter; places (cwd, repository root, branch)
        repeat, so each distinct one is redacted once.
        """
        parsed: list[tuple[str, int, SpoolRecord, str]] = []
        bad: list[tuple[str, int, str, str]] = []
        cursors: dict[str, int] = {}
        lines = ignored = 0
        skips = self.ignore.skips if self.ignore.active else None
        for piece in pieces:
            path, position = piece.path, piece.start
            for raw in piece.chunk.split(b"\n")[:-1]:
                line = decode_utf8(raw)
                lines += 1
                try:
                    record = parse_line(line)
                except InvalidInputError as exc:
                    bad.append((path, position, line, exc.what))
                else:
                    if skips is not None and skips(record):
                        ignored += 1
                    else:
                        parsed.append((path, position, record, line))
                position += len(raw) + 1
            cursors[path] = position
        records = [item[2] for item in parsed]
        places = [text for text in dict.fromkeys(chain.from_iterable(map(_PLACE, records))) if text]
        texts = [*map(_COMMAND, records), *places]
        redacted = list(self.rt.secret_filter.redact_lines(texts, source="capture"))
        clean = dict(zip(places, redacted[len(parsed):], strict=True))
        return _Prepared(parsed, bad, redacted, clean, lines, ignored, cursors)

    def _store(self, prepared: _Prepared) -> None:
        """One transaction: the batch's commands (by start time), its quarantined lines, and the
        files' new offsets."""
        self.counts["lines"] += prepared.lines
        self.counts["ignored"] += prepared.ignored
        bad = list(prepared.bad)
        commands = self._commands(prepared, bad)
        commands.sort(key=_by_start)
        store = self.rt.store
        with store.unit():
            for path, at, line, reason in bad:
                self._quarantine(path, at, line, reason)
            inserted = store.commands.add(commands)
            for path, offset in prepared.cursors.items():
                store.commands.set_offset(SpoolCursor(path=path, offset=offset))
            if inserted:
                emit(self.rt, "perth.command.captured", commands)
        self.counts["inserted"] += inserted
        self.counts["duplicates"] += len(commands) - inserted

    def _commands(self, prepared: _Prepared, bad: list[tuple[str, int, str, str]]) -> list[Command]:
        """The batch's commands, their texts already redacted.

        A line that cannot become a command (a time out of range, a pane that cannot be created)
        joins ``bad`` to be quarantined: no line blocks ingest.
        """
        parsed, redacted, clean = prepared.parsed, prepared.redacted, prepared.clean
        now = self.rt.clock()
        latest_ms = now + FUTURE_SLACK_MS
        timed: list[tuple[int, str, int, SpoolRecord, str]] = []
        starts: list[int] = []
        for i, (path, position, record, line) in enumerate(parsed):
            start_us = record.start_us
            # the usual line inline (a start time and a duration in range); the others through _start_ms
            if start_us is not None and 0 <= start_us // 1000 <= latest_ms and 0 <= record.duration_us // 1000 \
                    <= MAX_DURATION_MS:
                starts.append(start_us // 1000)
            else:
                try:
                    starts.append(_start_ms(record, now))
                except PerthError as exc:
                    bad.append((path, position, line, exc.what))
                    continue
            timed.append((i, path, position, record, line))
        commands: list[Command] = []
        names: dict[str, str] = {}
        pane_for = self.linker.pane_for
        place = clean.get
        append = commands.append
        for (i, path, position, record, line), start_ms, command_id in zip(timed, starts, uuid7_many(starts),
                                                                          strict=True):
            try:
                pane = pane_for(record)
            except PerthError as exc:
                bad.append((path, position, line, exc.what))
                continue
            if record.start_us is None:
                name = names.get(path) or names.setdefault(path, os.path.basename(path))
                identity: object = f"{name}:{position}"
            else:
                identity = record.start_us
            # positional, in Command's field order (the hot loop of a bulk ingest)
            append(Command(
                command_id, pane.id if pane else None, pane.name if pane else None, start_ms,
                record.duration_us // 1000, record.exit, redacted[i], place(record.cwd) or None,
                place(record.repo_root) or None, place(record.branch) or None, record.shell or None,
                record.session or None, record.host or None, record.user or None, "capture",
                f"capture:{record.session}:{identity}"))
        return commands

    def _quarantine(self, path: str, at: int, text: str, reason: str) -> None:
        redacted = self.rt.redact(text, "capture")
        why = self.rt.redact(reason, "capture")  # parse errors quote the offending field
        self.rt.store.commands.quarantine(path, at, redacted, why, self.rt.clock())
        self.counts["quarantined"] += 1
        self.warnings.append(f"quarantined a spool line of {os.path.basename(path)} at byte {at}: {why}")

    def _finish_file(self, end: _End) -> None:
        path, consumed, tail, stat = end.path, end.consumed, end.tail, end.stat
        idle = time.time() - stat.st_mtime
        store = self.rt.store
        if tail:
            if idle < self.grace_s:
                self.counts["waiting"] += 1
                return
            with store.unit():
                self._quarantine(path, consumed, decode_utf8(tail),
                                 f"incomplete last line, idle for {idle:.0f}s (the shell probably died)")
                store.commands.set_offset(SpoolCursor(path=path, offset=consumed + len(tail)))
            consumed += len(tail)
        if consumed >= stat.st_size and idle >= IDLE_BEFORE_DELETE_S and os.stat(path).st_size == consumed:
            os.unlink(path)  # a line appended since the read would have changed the size
            store.commands.forget_spool(path)


def _start_ms(record: SpoolRecord, now: int) -> int:
    """When the command started; a record without a start time (fish has no clock builtin) started
    ``duration`` ago.  A duration or time out of range is an :class:`InvalidInputError` (quarantined)."""
    duration_ms = record.duration_us // 1000
    if not 0 <= duration_ms <= MAX_DURATION_MS:
        raise InvalidInputError(f"duration {duration_ms} ms is out of range", "the line is quarantined")
    if record.start_us is None:
        return now - duration_ms
    return check_time(record.start_us // 1000, "start time", now=now)


def _by_start(command: Command) -> int:
    return command.start_ms


def _compile(pattern: str, index: int) -> re.Pattern[str]:
    import re

    try:
        return re.compile(pattern)
    except re.error as exc:
        from perth.errors import ConfigError

        raise ConfigError(f"capture.ignore_commands[{index}] is not a valid regular expression: {exc}",
                          "fix or remove it with `perth config set capture.ignore_commands ...`") from None


class _IgnoreRules:
    """``capture.ignore_commands`` (regular expressions) and ``capture.ignore_dirs`` (path prefixes)."""

    def __init__(self, rt: Runtime) -> None:
        settings = rt.settings
        commands = settings.get("capture.ignore_commands")
        dirs = settings.get("capture.ignore_dirs")
        self.commands = [_compile(p, i) for i, p in enumerate(commands)] if isinstance(commands, tuple) else []
        self.dirs = [os.path.expanduser(d).rstrip("/") for d in dirs] if isinstance(dirs, tuple) else []
        self.active = bool(self.commands or self.dirs)

    def skips(self, record: SpoolRecord) -> bool:
        if not self.active:
            return False
        if any(p.search(record.command) for p in self.commands):
            return True
        cwd = record.cwd.rstrip("/")
        return any(cwd == d or cwd.startswith(d + "/") for d in self.dirs)
