"""``perth journal``: work sessions built from facts over a window.

The window is ``--since``/``--until`` (default: the last :data:`DEFAULT_DAYS` days) or
``--last N`` (the N newest sessions).  A session that overlaps the window is shown
whole: facts are read :data:`EDGE_MS` beyond both ends so that a session's start (and
so its id) does not depend on where the window happens to cut it.
"""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.journal.activity import Target, gather, resolve_target
from perth.journal.model import Journal, Session
from perth.journal.sessions import build_sessions
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.journal.narrate import Narrator
    from perth.runtime import Runtime

DEFAULT_DAYS = 7
DAY_MS = 86_400_000
EDGE_MS = DAY_MS
MAX_LOOKBACK_MS = 730 * DAY_MS
MAX_LAST = 1000


class JournalRequest(Record):
    """What ``perth journal`` was asked for (times in UTC ms)."""

    since_ms: int | None = None
    until_ms: int | None = None
    last: int | None = None
    pane: str | None = None
    repo: str | None = None
    idle_gap_min: int | None = None
    narrate: bool = False


def idle_gap_ms(rt: Runtime, minutes: int | None) -> int:
    """The idle gap: ``--idle-gap`` or ``journal.idle_gap_min``."""
    value = rt.settings.get_int("journal.idle_gap_min") if minutes is None else minutes
    if value < 1:
        raise InvalidInputError(f"idle gap of {value} minutes", "use at least 1 minute, e.g. --idle-gap 30")
    return value * 60_000


def check_request(request: JournalRequest) -> None:
    """Reject contradictory windows with a one-line reason."""
    if request.last is not None and (request.since_ms is not None or request.until_ms is not None):
        raise InvalidInputError("--last cannot be combined with --since/--until", "use one way to choose sessions")
    if request.last is not None and not 1 <= request.last <= MAX_LAST:
        raise InvalidInputError(f"--last {request.last} is out of range", f"use a number from 1 to {MAX_LAST}")
    if request.since_ms is not None and request.until_ms is not None and request.since_ms > request.until_ms:
        raise InvalidInputError("--since is after --until", "swap them, or widen the window")


def redact_places(rt: Runtime, session: Session) -> Session:
    """Filter what comes from the shell hooks or the file system unfiltered (repository roots, branch names,
    the repository prefix of touched files) for display; duplicates that redaction creates are merged."""
    texts = [*session.repos, *session.branches, *session.files_touched, *(c.repo for c in session.commits)]
    clean = iter(list(rt.secret_filter.redact_lines([t.replace("\n", " ") for t in texts], source="journal")))
    repos = [next(clean) for _ in session.repos]
    branches = [next(clean) for _ in session.branches]
    files = [next(clean) for _ in session.files_touched]
    commits = tuple(replace(c, repo=next(clean)) for c in session.commits)
    return replace(session, repos=tuple(dict.fromkeys(repos)), branches=tuple(dict.fromkeys(branches)),
                   files_touched=tuple(dict.fromkeys(files)), commits=commits)


def _window(rt: Runtime, target: Target, since_ms: int, until_ms: int, gap_ms: int) -> tuple[list[Session], list[str]]:
    activity = gather(rt, target, since_ms - EDGE_MS, until_ms + EDGE_MS)
    sessions = build_sessions(target.scope, gap_ms, activity.commands, activity.entries, activity.commits)
    return [s for s in sessions if s.end_ms >= since_ms and s.start_ms <= until_ms], list(activity.warnings)


def _last(rt: Runtime, target: Target, count: int, now: int, gap_ms: int) -> tuple[list[Session], list[str], int]:
    """The ``count`` newest sessions: widen the window until one more session proves the oldest complete."""
    span = DEFAULT_DAYS * DAY_MS
    while True:
        activity = gather(rt, target, now - span, now + EDGE_MS)
        sessions = build_sessions(target.scope, gap_ms, activity.commands, activity.entries, activity.commits)
        if len(sessions) > count or span >= MAX_LOOKBACK_MS:
            since = sessions[min(count, len(sessions)) - 1].start_ms if sessions else now - span
            return sessions[:count], list(activity.warnings), since
        span = min(span * 4, MAX_LOOKBACK_MS)


def build_journal(rt: Runtime, request: JournalRequest, *, narrator: Narrator | None = None) -> Journal:
    """The journal for a request; ``narrate`` adds generated narratives (see :mod:`perth.journal.narrate`)."""
    check_request(request)
    gap_ms = idle_gap_ms(rt, request.idle_gap_min)
    target = resolve_target(rt, request.pane, request.repo)
    now = rt.clock()
    if request.last is not None:
        sessions, warnings, since = _last(rt, target, request.last, now, gap_ms)
        until = now
    else:
        until = request.until_ms if request.until_ms is not None else now
        since = request.since_ms if request.since_ms is not None else until - DEFAULT_DAYS * DAY_MS
        if since > until:
            raise InvalidInputError("the window starts after it ends (--since is later than now or --until)",
                                    "give a --since before --until")
        sessions, warnings = _window(rt, target, since, until, gap_ms)
    sessions = [redact_places(rt, s) for s in sessions]
    scope = replace(target.scope, repo=rt.redact(target.scope.repo, "journal")) if target.scope.repo else target.scope
    if request.narrate:
        from perth.journal.narrate import narrate_sessions

        sessions, notes = narrate_sessions(rt, sessions, narrator=narrator)
        warnings += notes
    return Journal(scope=scope, since_ms=since, until_ms=until, idle_gap_ms=gap_ms,
                   sessions=tuple(sessions), generated_at=now, warnings=tuple(dict.fromkeys(warnings)))


def is_open(session: Session, now: int, gap_ms: int) -> bool:
    """Whether more activity could still join the session (its last fact is within the idle gap of now)."""
    return now - session.end_ms <= gap_ms


def without_narratives(journal: Journal) -> Journal:
    """The journal with its generated parts removed (what ``journal append`` writes by default)."""
    return replace(journal, sessions=tuple(replace(s, narrative=None) for s in journal.sessions))
