"""Parsers for the history files of zsh, bash and fish (``perth import-history``).

Formats (names accepted by :func:`parse_history`'s ``fmt``):

``zsh-extended``
    ``: <start epoch s>:<elapsed s>;<command>`` (``setopt EXTENDED_HISTORY``).  Lines
    without that header are read as in ``zsh-simple``: zsh itself mixes both.
``zsh-simple``
    one command per line.  In both zsh formats a newline inside a command is
    written as backslash-newline, a command ending in backslash(-spaces) gets one
    extra space, a command starting with ``:`` in the simple format gets a
    backslash in front, and bytes that zsh "metafies" (NUL and 0x83-0xa2) are
    written as 0x83 followed by the byte XOR 0x20.  Parsing mirrors zsh's own
    ``readhistline``/``readhistfile``.
``bash-timestamps``
    ``#<epoch s>`` lines before the commands (``HISTTIMEFORMAT`` set).  When the
    file starts with such a line, lines up to the next ``#<epoch>`` belong to one
    (multi-line) command, as readline reads them.
``bash-simple``
    one command per line.
``fish``
    ``- cmd: <command>`` then ``  when: <epoch s>`` (and ``  paths:`` items); in the
    command ``\\\\`` is a backslash and ``\\n`` a newline.

Bytes that are not valid UTF-8 are decoded with U+FFFD; no line is dropped, a
last line without a newline is still a command, and empty (or blank) lines are skipped.
"""

from __future__ import annotations

import os
import re

from perth.errors import InvalidInputError
from perth.record import Record
from perth.text import decode_utf8

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

FORMATS: dict[str, tuple[str, ...]] = {
    "zsh": ("zsh-extended", "zsh-simple"),
    "bash": ("bash-timestamps", "bash-simple"),
    "fish": ("fish",),
}
_US = 1_000_000
_ZSH_HEADER = re.compile(rb": (\d+):(\d+);")
_ZSH_HEADER_LINE = re.compile(rb"^: \d+:\d+;", re.MULTILINE)
_META_PAIR = re.compile(rb"\x83(.)", re.DOTALL)
_UNMETA = {bytes((0x83, value)): bytes((value ^ 0x20,)) for value in range(256)}
_BASH_TIME = re.compile(rb"#(\d+)")
_FISH_ESCAPE = re.compile(rb"\\([\\n])")
_FISH_UNESCAPES = {b"\\\\": b"\\", b"\\n": b"\n"}


class ImportedCommand(Record):
    """One command read from a history file."""

    start_us: int | None  # when it started (µs since the epoch), if the file says
    duration_us: int | None  # how long it ran, if the file says (zsh extended: whole seconds)
    command: str  # the command line, multi-line commands included
    line: int  # 1-based line of the file where the command starts


def _decode(raw: bytes) -> str:
    return decode_utf8(raw)


def _lines(data: bytes) -> tuple[list[bytes], bool]:
    """The file's lines and whether the last one ended with a newline."""
    lines = data.split(b"\n")
    complete = lines[-1] == b""
    if complete:
        lines.pop()
    return lines, complete


# -- zsh ---------------------------------------------------------------------------------------


def _zsh_logical_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(first line number, text) of each entry, continuations joined as zsh's readhistline does."""
    lines, complete = _lines(data)
    count = len(lines)
    index = 0
    while index < count:
        first = index
        text = lines[index]
        ended = complete or index + 1 < count  # this physical line had its newline
        while ended and text.endswith(b"\\") and index + 1 < count:
            index += 1
            text = text[:-1] + b"\n" + lines[index]
            ended = complete or index + 1 < count
        if ended and text.endswith(b"\\"):  # a continuation cut off by the end of the file
            text = text[:-1] + b"\n"
        elif ended and text.endswith(b" ") and text.rstrip(b" ").endswith(b"\\"):
            text = text[:-1]  # the space zsh adds after a trailing backslash
        index += 1
        yield first + 1, text


def _unmetafy(raw: bytes) -> bytes:
    return _META_PAIR.sub(lambda match: _UNMETA[match[0]], raw) if b"\x83" in raw else raw


def _zsh_entry(text: bytes, *, extended: bool) -> tuple[int | None, int | None, bytes]:
    """(start, duration, command) of one entry, as zsh's readhistfile splits it."""
    header = _ZSH_HEADER.match(text) if extended and text[:1] == b":" else None
    if header is not None:
        return int(header[1]) * _US, int(header[2]) * _US, text[header.end():]
    return None, None, text[1:] if text[:2] == b"\\:" else text


def _parse_zsh(data: bytes, *, extended: bool) -> Iterator[ImportedCommand]:
    for line, text in _zsh_logical_lines(data):
        start, duration, command = _zsh_entry(text, extended=extended)
        if command.strip():
            yield ImportedCommand(start, duration, _decode(_unmetafy(command)), line)


# -- bash --------------------------------------------------------------------------------------


class _BashEntry:
    """A bash history entry being assembled (one or more lines)."""

    __slots__ = ("line", "parts", "start")

    def __init__(self, line: int, first: bytes, start: int | None) -> None:
        self.line = line
        self.parts = [first]
        self.start = start

    def finish(self) -> ImportedCommand | None:
        text = b"\n".join(self.parts).rstrip(b"\n")
        return ImportedCommand(self.start, None, _decode(text), self.line) if text.strip() else None


def _parse_bash(data: bytes, *, timestamps: bool) -> Iterator[ImportedCommand]:
    lines, _ = _lines(data)
    multiline = timestamps and bool(lines) and _BASH_TIME.fullmatch(lines[0]) is not None
    pending: int | None = None
    entry: _BashEntry | None = None
    for number, raw in enumerate(lines, 1):
        stamp = _BASH_TIME.fullmatch(raw) if timestamps and raw[:1] == b"#" else None
        if stamp is not None and not (multiline and pending is not None):  # bash writes one stamp per entry:
            pending = int(stamp[1]) * _US  # a second one in a row is a command such as "#123"
            continue
        if multiline and pending is None and entry is not None:
            entry.parts.append(raw)  # readline: a line without its own timestamp continues the entry
            continue
        if not raw.strip():
            continue
        if entry is not None and (done := entry.finish()) is not None:
            yield done
        entry, pending = _BashEntry(number, raw, pending), None
    if entry is not None and (done := entry.finish()) is not None:
        yield done


# -- fish --------------------------------------------------------------------------------------


def _fish_unescape(raw: bytes) -> bytes:
    return _FISH_ESCAPE.sub(lambda match: _FISH_UNESCAPES[match[0]], raw) if b"\\" in raw else raw


def _parse_fish(data: bytes) -> Iterator[ImportedCommand]:
    lines, _ = _lines(data)
    current: tuple[int, bytes] | None = None
    start: int | None = None
    for number, raw in enumerate(lines, 1):
        if raw.startswith(b"- cmd:"):
            if current is not None and current[1].strip():
                yield ImportedCommand(start, None, _decode(current[1]), current[0])
            current, start = (number, _fish_unescape(raw[6:].removeprefix(b" "))), None
        elif current is not None and raw.startswith(b"  when:"):
            digits = raw[7:].strip()
            start = int(digits) * _US if digits.isdigit() else None
    if current is not None and current[1].strip():
        yield ImportedCommand(start, None, _decode(current[1]), current[0])


# -- public API --------------------------------------------------------------------------------


def _check_shell(shell: str) -> None:
    if shell not in FORMATS:
        raise InvalidInputError(f"unknown shell {shell!r} for history import", f"use one of: {', '.join(FORMATS)}")


def detect_format(data: bytes, shell: str) -> str:
    """The format of ``shell``'s history ``data`` (one of ``FORMATS[shell]``)."""
    _check_shell(shell)
    if shell == "zsh":
        return "zsh-extended" if _ZSH_HEADER_LINE.search(data) else "zsh-simple"
    if shell == "bash":
        first = data.lstrip(b"\n").split(b"\n", 1)[0]
        return "bash-timestamps" if _BASH_TIME.fullmatch(first) else "bash-simple"
    return "fish"


def parse_history(data: bytes, shell: str, *, fmt: str | None = None) -> Iterator[ImportedCommand]:
    """The commands of a history file, oldest first (``fmt`` detected when ``None``)."""
    _check_shell(shell)
    fmt = detect_format(data, shell) if fmt is None else fmt
    if fmt not in FORMATS[shell]:
        raise InvalidInputError(f"unknown {shell} history format {fmt!r}", f"use one of: {', '.join(FORMATS[shell])}")
    if shell == "zsh":
        return _parse_zsh(data, extended=fmt == "zsh-extended")
    if shell == "bash":
        return _parse_bash(data, timestamps=fmt == "bash-timestamps")
    return _parse_fish(data)


def default_history_file(shell: str, environ: Mapping[str, str]) -> str:
    """Where ``shell`` keeps its history by default, given the environment ``environ``."""
    _check_shell(shell)
    home = environ.get("HOME") or os.path.expanduser("~")
    if shell in ("zsh", "bash") and environ.get("HISTFILE"):
        return environ["HISTFILE"]
    if shell == "zsh":
        return os.path.join(environ.get("ZDOTDIR") or home, ".zsh_history")
    if shell == "bash":
        return os.path.join(home, ".bash_history")
    data_home = environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    session = environ.get("fish_history") or "fish"
    return os.path.join(data_home, "fish", f"{'fish' if session == 'default' else session}_history")
