"""Time: stored as UTC milliseconds since the epoch, shown in local time.

Also parses the time expressions that ``--since``/``--until`` accept.
"""

from __future__ import annotations

import re
import time

from perth.errors import InvalidInputError

_RELATIVE = r"^(\d{1,9})\s*(s|sec|m|min|h|hr|d|day|w|wk)s?$"
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600,
                 "d": 86400, "day": 86400, "w": 604800, "wk": 604800}
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

# datetime is imported inside the functions that need it: it is not needed to log an entry.
TIME_HELP = "an ISO date/time (2026-11-20, 2026-11-20T14:30), a duration ago (90m, 2h, 3d, 1w), today, yesterday or now"


#: How far ahead of this machine's clock a time may be (other machines' clocks drift); further is a
#: broken clock or a forged line, and is refused at the boundary (spool lines, imports, --at).
FUTURE_SLACK_MS = 86_400_000
#: The longest duration a command may have (ten years): anything longer is not a real measurement.
MAX_DURATION_MS = 10 * 366 * 86_400_000
_LATEST_SHOWN_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant datetime can show


def check_time(ms: int, what: str, *, now: int) -> int:
    """``ms`` when it lies between 1970 and a day from ``now``; else :class:`InvalidInputError`."""
    if not 0 <= ms <= now + FUTURE_SLACK_MS:
        raise InvalidInputError(f"{what} {ms} ms since the epoch is not between 1970 and tomorrow",
                                "give a time in that range (a clock was wrong or the value is damaged)")
    return ms


def _shown(ms: int) -> int:
    """``ms`` clamped to what can be shown (values stored before times were checked)."""
    return min(max(ms, 0), _LATEST_SHOWN_MS)


def now_ms() -> int:
    """The current time in UTC milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def to_iso(ms: int) -> str:
    """UTC ISO-8601 with millisecond precision and a ``Z`` suffix (the JSON form)."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(_shown(ms) / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def from_iso(text: str) -> int:
    """Parse an ISO-8601 timestamp (naive means local time) into UTC milliseconds."""
    from datetime import datetime

    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInputError(f"invalid time {text!r}", f"use {TIME_HELP}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return _epoch_ms(parsed)


def _epoch_ms(moment: datetime) -> int:
    """Exact milliseconds since the epoch (no float rounding)."""
    from datetime import UTC, datetime, timedelta

    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def to_local(ms: int) -> str:
    """Local wall-clock time for display: ``2026-11-23 14:05``."""
    from datetime import datetime

    return datetime.fromtimestamp(min(_shown(ms), _LATEST_SHOWN_MS - 2 * 86_400_000) / 1000).strftime("%Y-%m-%d %H:%M")


def parse_when(text: str, *, now: int | None = None) -> int:
    """Parse a ``--since``/``--until`` expression into UTC milliseconds."""
    current = now_ms() if now is None else now
    value = text.strip().lower()
    if value == "now":
        return current
    if value in ("today", "yesterday"):
        from datetime import datetime, timedelta

        midnight = datetime.fromtimestamp(current / 1000).replace(hour=0, minute=0, second=0, microsecond=0)
        if value == "yesterday":
            midnight -= timedelta(days=1)
        return _epoch_ms(midnight.astimezone())
    match = re.match(_RELATIVE, value.removesuffix(" ago"))
    if match:
        return current - int(match.group(1)) * _UNIT_SECONDS[match.group(2)] * 1000
    return from_iso(text)


def humanize_age(ms: int, *, now: int | None = None) -> str:
    """A short relative age: ``just now``, ``5m ago``, ``3h ago``, ``2d ago``."""
    seconds = max(0, ((now_ms() if now is None else now) - ms) // 1000)
    for limit, unit, size in ((60, "", 1), (3600, "m", 60), (86400, "h", 3600), (10**12, "d", 86400)):
        if seconds < limit:
            return "just now" if not unit else f"{seconds // size}{unit} ago"
    return f"{seconds // 86400}d ago"
