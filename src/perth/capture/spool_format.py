"""The spool line format: what a shell hook appends, one line per command.

A shell hook writes each finished command as one line, fields separated by TAB
and the line ended by LF, using only shell builtins::

    1 <TAB> start_us <TAB> duration_us <TAB> exit <TAB> shell <TAB> session
      <TAB> perth_pane <TAB> tmux_pane <TAB> zellij_pane <TAB> cwd <TAB> repo_root
      <TAB> branch <TAB> host <TAB> user <TAB> command <LF>

- ``1`` is the format version.
- ``start_us``: start time, microseconds since the epoch (``EPOCHREALTIME`` without the
  dot; fish: whole seconds from ``path mtime`` of a clock file, moved after the previous
  command's end to keep the order); empty when the shell could not read a clock, in which
  case the ingester derives it from the time it reads the line minus the duration.
- ``duration_us``: microseconds; ``exit``: the command's exit status (integer).
- ``shell``: ``zsh``, ``bash`` or ``fish``; ``session``: a per-shell-process id.
- ``perth_pane``, ``tmux_pane``, ``zellij_pane``: ``$PERTH_PANE``, ``$TMUX_PANE``,
  ``$ZELLIJ_PANE_ID`` when the command finished (any may be empty).
- ``cwd``: where the command started; ``repo_root``, ``branch``: the repository and its
  branch when the command finished (from the shell's own cache of ``.git/HEAD``; empty
  outside a repository or on a detached HEAD).
- ``command``: the command line as typed, multi-line commands included.

Text fields are escaped so that a record stays on one line: ``\\`` becomes ``\\\\``,
TAB ``\\t``, LF ``\\n`` and CR ``\\r``.  Bytes that are not valid UTF-8 are kept as
``\\xNN`` escapes by the reader (:mod:`perth.text`); nothing is dropped.
"""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.record import Record

VERSION = "1"
FIELDS = ("version", "start_us", "duration_us", "exit", "shell", "session", "perth_pane", "tmux_pane",
          "zellij_pane", "cwd", "repo_root", "branch", "host", "user", "command")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


class SpoolRecord(Record):
    """One captured command, as read from a spool line."""

    start_us: int | None
    duration_us: int
    exit: int
    shell: str
    session: str
    perth_pane: str
    tmux_pane: str
    zellij_pane: str
    cwd: str
    repo_root: str
    branch: str
    host: str
    user: str
    command: str


def escape(text: str) -> str:
    """Escape a field the way the shell hooks do."""
    return "".join(_ESCAPES.get(char, char) for char in text)


def unescape(text: str) -> str:
    """Undo :func:`escape`; an unknown escape keeps its backslash (nothing is lost)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _UNESCAPES:
            out.append(_UNESCAPES[text[index + 1]])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


#: Accepted ranges (inclusive) of the integer fields: what a shell can produce, far inside SQLite's
#: 64-bit integers; a value outside (``2**63`` from a damaged line) quarantines the line.
RANGES = {"start_us": (0, 2**53), "duration_us": (-(2**53), 2**53), "exit": (-(2**31), 2**31 - 1)}


def _integer(value: str, name: str, *, optional: bool = False) -> int | None:
    if optional and value == "":
        return None
    try:
        number = int(value) if len(value) <= 20 else None
    except ValueError:
        number = None
    if number is None:
        raise InvalidInputError(f"spool field {name} is not an integer: {value[:40]!r}",
                                "the line is quarantined; check the shell integration version")
    low, high = RANGES[name]
    if not low <= number <= high:
        raise InvalidInputError(f"spool field {name} is out of range: {value[:40]}",
                                "the line is quarantined; it was damaged or not written by a Perth hook")
    return number


_START_MAX, _DURATION_MAX, _EXIT_MIN, _EXIT_MAX = RANGES["start_us"][1], RANGES["duration_us"][1], *RANGES["exit"]


def _numbers(start_text: str, duration_text: str, exit_text: str) -> tuple[int | None, int, int]:
    """The three integer fields; well-formed ones without a call per field, the others through
    :func:`_integer` (which says what is wrong)."""
    if len(start_text) <= 20 and len(duration_text) <= 20 and len(exit_text) <= 20:
        try:
            start = int(start_text) if start_text else None
            duration, status = int(duration_text), int(exit_text)
        except ValueError:
            pass
        else:
            if ((start is None or 0 <= start <= _START_MAX) and -_DURATION_MAX <= duration <= _DURATION_MAX
                    and _EXIT_MIN <= status <= _EXIT_MAX):
                return start, duration, status
    checked = (_integer(start_text, "start_us", optional=True), _integer(duration_text, "duration_us"),
               _integer(exit_text, "exit"))
    assert checked[1] is not None  # noqa: S101 - not optional
    assert checked[2] is not None  # noqa: S101 - not optional
    return checked[0], checked[1], checked[2]


def parse_line(line: str) -> SpoolRecord:
    """Parse one spool line (without its LF)."""
    parts = line.split("\t")
    if len(parts) != len(FIELDS) or parts[0] != VERSION:
        raise InvalidInputError(f"spool line has {len(parts)} fields (version {parts[0][:8]!r}), "
                                f"expected {len(FIELDS)} (version {VERSION})",
                                "the line is quarantined; re-run `perth init` in that shell")
    start, duration, status = _numbers(parts[1], parts[2], parts[3])
    if "\\" in line:
        return SpoolRecord(start, max(0, duration), status, *[unescape(part) for part in parts[4:]])
    return SpoolRecord(start, max(0, duration), status, *parts[4:])  # nothing escaped: the common case


def format_line(record: SpoolRecord) -> str:
    """The spool line for a record (what the hooks write; used by tests and importers)."""
    start = "" if record.start_us is None else str(record.start_us)
    fields = [VERSION, start, str(record.duration_us), str(record.exit)]
    fields += [escape(getattr(record, name)) for name in FIELDS[4:]]
    return "\t".join(fields)
