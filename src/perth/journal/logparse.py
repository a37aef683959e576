"""Read the checkable claims of a hand-written session log (Markdown, SESSIONS.md style).

Sections: a heading that contains an ISO date (``2025-12-04``) starts a session
section; a heading without a date ends it when its level is the same or higher (fewer
``#``), and deeper headings (``### Work completed``) stay inside.  Fenced code blocks and
HTML comments are skipped.

Window: the session heading's date and times, e.g. ``2025-12-04 ~1:00-2:15 PM PST``,
``2025-11-21T13:00-13:30``, ``2026-01-05 23:30 – 2026-01-06 00:45 +0100``.  A single time
gives no window.  Without a zone the verifier's local time applies.

Commit SHAs (7 to 40 lower-case hex digits, not part of a longer word, path or colour):

- after a commit keyword (``commit``, ``commits``, ``sha``, ``shas``, optionally with a
  colon), a list of tokens separated by commas, ``and`` or spaces, each with a digit; or
- alone in backticks (```a1b2c3d```) with at least one digit and one letter, unless the
  word right before it names another kind of id (``entry``, ``migration``, ``uuid``...); or
- in backticks followed by diff stats, as the journal writes them (```1234567`, +12/-3``),
  whatever its digits.

Commit counts: ``11 commits``, ``1 commit``, ``**Commits**: 3``.
Branches: ``Branch: x`` / ``**Branches**: x, y`` lines, ``branch `x```, ``on branch x``,
and ``on `x``` on a line that also speaks of commits, branches, merges or pushes.
"""

from __future__ import annotations

import re

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import tzinfo

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME = r"~?\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp]\.?[Mm]\.?)?"
_WINDOW = re.compile(r"^[T\s]*" + _TIME + r"(?:\s*(?:-|–|—|to)\s*(?:(\d{4})-(\d{2})-(\d{2})[T\s]+)?" + _TIME + r")?")
_ZONE = re.compile(r"^\s*(?:\(?\s*)(Z|UTC|GMT|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5})(?![\w])")
_HEX = re.compile(r"(?<![\w#./-])([0-9a-f]{7,40})(?![\w-]|\.\w)")
_KEYWORD_RUN = re.compile(r"\b(?:commits?|shas?)\b\**\s*:?\**\s*((?:`?[0-9a-f]{7,40}`?(?:\s*(?:,|;|&|\band\b)?\s*))+)",
                          re.IGNORECASE)
_BACKTICKED = re.compile(r"`([0-9a-f]{7,40})`")
_WITH_STATS = re.compile(r"`([0-9a-f]{7,40})`,\s*\+\d+/-\d+")
_STOP_BEFORE = re.compile(r"\b(entry|command|migration|revision|uuid|id|hash|color|colour|key|token|checksum|digest|"
                          r"version|session|pane|job|run|build|issue|pr|ticket)\s*[:=#]?\s*$", re.IGNORECASE)
_COUNT = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d{1,6})\s+(?:new\s+)?commits?\b", re.IGNORECASE)
_COUNT_LABEL = re.compile(r"\bcommits\**\s*:\**\s*(\d{1,5})(?![\w,.])", re.IGNORECASE)
_BRANCH_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?[*_]{0,2}\s*branch(?:es)?\s*[*_]{0,2}\s*:\s*[*_]{0,2}\s*(.+)$",
                           re.IGNORECASE)
_BRANCH_INLINE = re.compile(r"\bbranch\s+`([^`\s]{1,200})`|\bon branch\s+([\w./+@-]{1,200})", re.IGNORECASE)
_ON_BRANCH = re.compile(r"\bon\s+`([^`\s]{1,200})`")
_BRANCH_CONTEXT = re.compile(r"\b(commit|commits|branch|merged?|pushed|rebased)\b", re.IGNORECASE)
_BRANCH_NAME = re.compile(r"^[A-Za-z0-9][\w./+@-]{0,199}$")
ZONES: dict[str, int] = {  # minutes east of UTC
    "Z": 0, "UTC": 0, "GMT": 0, "WET": 0, "BST": 60, "WEST": 60, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "MSK": 180, "IST": 330, "SGT": 480, "AWST": 480, "JST": 540, "KST": 540, "ACST": 570,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "HST": -600, "AKST": -540, "AKDT": -480,
    "PST": -480, "PDT": -420, "MST": -420, "MDT": -360, "CST": -360, "CDT": -300, "EST": -300, "EDT": -240,
}
MINUTE_MS = 60_000


class LineClaim(Record):
    """One claim and the (1-based) line it is on: a SHA, a count (as text) or a branch."""

    value: str
    line: int


class LogSection(Record):
    """A section of the log with what it claims.

    ``start_ms``/``end_ms`` are set when the heading gives a date with a start and an end
    time; ``end_ms`` then covers the whole end minute.
    """

    title: str
    line: int
    is_session: bool
    start_ms: int | None = None
    end_ms: int | None = None
    shas: tuple[LineClaim, ...] = ()
    counts: tuple[LineClaim, ...] = ()
    branches: tuple[LineClaim, ...] = ()


def _zone(text: str) -> tzinfo | None:
    from datetime import timedelta, timezone

    match = _ZONE.match(text)
    if not match:
        return None
    token = match.group(1).upper()
    if token in ZONES:
        return timezone(timedelta(minutes=ZONES[token]))
    offset = re.match(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$", token)
    if not offset or int(offset.group(2)) > 14:
        return None
    minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
    return timezone(timedelta(minutes=minutes if offset.group(1) == "+" else -minutes))


def _to24(hour: int, meridiem: str | None) -> int | None:
    if meridiem is None:
        return hour if hour < 24 else None
    if not 1 <= hour <= 12:
        return None
    pm = meridiem.lower().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def _hours(h1: int, m1: str | None, h2: int, m2: str | None) -> tuple[int, int] | None:
    """Both hours in 24-hour time; a meridiem given once applies to both ends (``1:00-2:15 PM``)."""
    if m1 is None and m2 is not None:
        start, end = _to24(h1, m2), _to24(h2, m2)
        if start is not None and end is not None and start > end:
            start = _to24(h1, "am")
    elif m2 is None and m1 is not None:
        start, end = _to24(h1, m1), _to24(h2, m1)
        if start is not None and end is not None and end < start:
            end = _to24(h2, "pm")
    else:
        start, end = _to24(h1, m1), _to24(h2, m2)
    return None if start is None or end is None else (start, end)


def heading_window(title: str) -> tuple[int, int] | None:
    """``(start_ms, end_ms)`` from a heading's date and time range, or ``None``."""
    from datetime import datetime, timedelta

    date = _DATE.search(title)
    if not date:
        return None
    rest = title[date.end():]
    window = _WINDOW.match(rest)
    if not window or window.group(7) is None:
        return None
    g = window.groups()  # h1, m1, meridiem1, end year, end month, end day, h2, m2, meridiem2
    hours = _hours(int(g[0]), g[2], int(g[6]), g[8])
    if hours is None or int(g[1]) > 59 or int(g[7]) > 59:
        return None
    zone = _zone(rest[window.end():])
    try:
        day = datetime(int(date.group(1)), int(date.group(2)), int(date.group(3)), tzinfo=zone)
        end_day = datetime(int(g[3]), int(g[4]), int(g[5]), tzinfo=zone) if g[3] else day
    except ValueError:
        return None
    start = day + timedelta(hours=hours[0], minutes=int(g[1]))
    end = end_day + timedelta(hours=hours[1], minutes=int(g[7]))
    if end < start and not g[3]:
        end += timedelta(days=1)
    if end < start:
        return None
    if zone is None:
        start, end = start.astimezone(), end.astimezone()
    return int(start.timestamp()) * 1000, int(end.timestamp()) * 1000 + MINUTE_MS - 1


def _has_letter_and_digit(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def line_shas(line: str) -> list[str]:
    """The SHA claims of one line, in order, without repeats."""
    found: list[str] = []
    for run in _KEYWORD_RUN.finditer(line):
        found += [t for t in _HEX.findall(run.group(1).replace("`", " ")) if any(c.isdigit() for c in t)]
    for tick in _BACKTICKED.finditer(line):
        token = tick.group(1)
        if _has_letter_and_digit(token) and not _STOP_BEFORE.search(line[:tick.start()]):
            found.append(token)
    found += _WITH_STATS.findall(line)
    return list(dict.fromkeys(found))


def line_counts(line: str) -> list[str]:
    """The commit counts a line claims."""
    counts = [m.group(1).replace(",", "") for m in _COUNT.finditer(line)]
    return counts + [m.group(1) for m in _COUNT_LABEL.finditer(line)]


def line_branches(line: str) -> list[str]:
    """The branch names a line claims."""
    names: list[str] = []
    label = _BRANCH_LABEL.match(line)
    if label:
        for part in re.split(r",|\band\b", label.group(1)):
            words = part.strip().strip("*_`").split()
            if words:
                names.append(words[0].strip("*_`,;()"))
    for match in _BRANCH_INLINE.finditer(line):
        names.append(match.group(1) or match.group(2))
    if _BRANCH_CONTEXT.search(line):
        names += _ON_BRANCH.findall(line)
    return [n.rstrip(".,;:") for n in dict.fromkeys(names) if _BRANCH_NAME.match(n.rstrip(".,;:"))]


class _Builder:
    """Accumulates the claims of the current section."""

    def __init__(self, title: str, line: int, level: int, is_session: bool) -> None:
        self.title, self.line, self.level, self.is_session = title, line, level, is_session
        self.shas: list[LineClaim] = []
        self.counts: list[LineClaim] = []
        self.branches: list[LineClaim] = []

    def add(self, text: str, number: int) -> None:
        self.shas += [LineClaim(s, number) for s in line_shas(text)]
        self.counts += [LineClaim(c, number) for c in line_counts(text)]
        self.branches += [LineClaim(b, number) for b in line_branches(text)]

    def build(self) -> LogSection:
        window = heading_window(self.title) if self.is_session else None
        return LogSection(title=self.title, line=self.line, is_session=self.is_session,
                          start_ms=window[0] if window else None, end_ms=window[1] if window else None,
                          shas=tuple(self.shas), counts=tuple(self.counts), branches=tuple(self.branches))


def _visible_lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines outside fenced code blocks and HTML comments."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    in_comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _FENCE.match(line)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker and not in_comment:
            fence = marker.group(1)
            continue
        visible, in_comment = _strip_comments(line, in_comment)
        if visible.strip():
            out.append((number, visible))
    return out


def _strip_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    kept: list[str] = []
    position = 0
    while position <= len(line):
        if in_comment:
            close = line.find("-->", position)
            if close < 0:
                return "".join(kept), True
            position, in_comment = close + 3, False
        else:
            opening = line.find("<!--", position)
            if opening < 0:
                kept.append(line[position:])
                return "".join(kept), False
            kept.append(line[position:opening])
            position, in_comment = opening + 4, True
    return "".join(kept), in_comment


def parse_session_log(text: str) -> list[LogSection]:
    """The sections of a session log with their claims, in file order."""
    current = _Builder("(before the first heading)", 0, 7, False)
    sections: list[LogSection] = []
    for number, line in _visible_lines(text):
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), (heading.group(2) or "").strip().rstrip("#").strip()
            dated = _DATE.search(title) is not None
            if dated or level <= current.level:
                sections.append(current.build())
                current = _Builder(title, number, level, dated)
                continue
        current.add(line, number)
    sections.append(current.build())
    return [s for s in sections if s.is_session or s.shas or s.counts or s.branches]
