"""Work sessions: activity split at idle gaps.

Every fact is a time span: a captured command runs from its start for its duration,
an intent entry and a commit are instants.  Sorted by start, the facts form one
session for as long as each next fact starts within the idle gap of the furthest end
seen so far; a longer gap starts a new session.  So inside a session no gap exceeds
the idle gap, and between two sessions the gap always does.

Active time: the time covered by running commands, plus each idle stretch between
facts credited up to :data:`ACTIVE_CAP_MS` (or the idle gap, when smaller): a 25-minute
pause makes the session 25 minutes longer but adds only 10 to its active time.  (Crediting
every gap up to the idle gap would make active time always equal the session's length.)
"""

from __future__ import annotations

import hashlib

from perth.journal.model import (
    Claim,
    CommitFact,
    Scope,
    Session,
    Stats,
    command_claim,
    entry_claim,
)
from perth.record import Record
from perth.records import open_next_steps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.capture.records import Command
    from perth.records import Entry

ACTIVE_CAP_MS = 10 * 60_000
_KIND_ORDER = {"command": 0, "entry": 1, "commit": 2}


class Span(Record):
    """One fact on the time line: ``kind`` and its ``index`` in that kind's list."""

    start_ms: int
    end_ms: int
    kind: str
    index: int


def split(spans: Sequence[Span], gap_ms: int) -> list[list[Span]]:
    """Group spans into sessions: a gap longer than ``gap_ms`` after the furthest end starts a new one."""
    ordered = sorted(spans, key=lambda s: (s.start_ms, s.end_ms, _KIND_ORDER.get(s.kind, 9), s.index))
    groups: list[list[Span]] = []
    reach = 0
    for span in ordered:
        if not groups or span.start_ms - reach > gap_ms:
            groups.append([])
            reach = span.end_ms
        groups[-1].append(span)
        reach = max(reach, span.end_ms)
    return groups


def active_ms(spans: Sequence[Span], gap_ms: int) -> int:
    """Covered time plus each idle stretch up to ``min(gap_ms, ACTIVE_CAP_MS)`` (spans sorted by start)."""
    if not spans:
        return 0
    cap = min(gap_ms, ACTIVE_CAP_MS)
    total = 0
    reach = spans[0].start_ms
    for span in spans:
        if span.start_ms > reach:
            total += min(span.start_ms - reach, cap)
        total += max(0, span.end_ms - max(span.start_ms, reach))
        reach = max(reach, span.end_ms)
    return total


def session_id(scope: Scope, start_ms: int) -> str:
    """Deterministic id: the same scope and start give the same id on every run."""
    digest = hashlib.sha256(f"{scope.key()}|{start_ms}".encode()).hexdigest()
    return "s" + digest[:15]


def spans_of(commands: Sequence[Command], entries: Sequence[Entry], commits: Sequence[CommitFact]) -> list[Span]:
    """Every fact as a span."""
    spans = [Span(c.start_ms, c.start_ms + max(0, c.duration_ms or 0), "command", i) for i, c in enumerate(commands)]
    spans += [Span(e.ts, e.ts, "entry", i) for i, e in enumerate(entries)]
    spans += [Span(c.at_ms, c.at_ms, "commit", i) for i, c in enumerate(commits)]
    return spans


def _files(commits: Sequence[CommitFact], entries: Sequence[Entry], repos: set[str]) -> tuple[str, ...]:
    import os

    several = len(repos) > 1
    paths = {f"{os.path.basename(c.repo)}:{f}" if several else f for c in commits for f in c.files}
    paths.update(a for e in entries for a in e.artifacts)
    return tuple(sorted(paths))


def _open_steps(entries: Sequence[Entry]) -> tuple[Claim, ...]:
    """The next steps still open at the end of the session, pane by pane (``open_next_steps``)."""
    from perth.summarize.model import is_summary

    ordered = sorted((e for e in entries if not is_summary(e)), key=lambda e: (e.ts, e.id))
    panes = dict.fromkeys(e.pane_id for e in ordered)
    steps = [step for pane in panes for step in open_next_steps([e for e in ordered if e.pane_id == pane])]
    return tuple(entry_claim(e) for e in sorted(steps, key=lambda e: (e.ts, e.id)))


def _by_type(entries: Sequence[Entry], *types: str) -> tuple[Claim, ...]:
    """The entries of these types as claims; ``perth summarize`` checkpoints are generated, not facts."""
    from perth.summarize.model import is_summary

    return tuple(entry_claim(e) for e in entries if e.type in types and not is_summary(e))


def build_session(scope: Scope, group: Sequence[Span], gap_ms: int, *, commands: Sequence[Command],
                  entries: Sequence[Entry], commits: Sequence[CommitFact]) -> Session:
    """One session from its spans (indexes into the three fact lists)."""
    mine = {kind: [s.index for s in group if s.kind == kind] for kind in _KIND_ORDER}
    cmds = [commands[i] for i in mine["command"]]
    ents = [entries[i] for i in mine["entry"]]
    work = sorted((commits[i] for i in mine["commit"]), key=lambda c: (c.at_ms, c.sha))
    repos = {c.repo_root for c in cmds if c.repo_root} | {c.repo for c in work}
    branches = {c.branch for c in cmds if c.branch} | {c.branch for c in work if c.branch}
    panes = {c.pane_name for c in cmds if c.pane_name} | {e.pane_name for e in ents}
    failed = [c for c in cmds if c.exit not in (None, 0)]
    start = group[0].start_ms
    return Session(
        id=session_id(scope, start), start_ms=start, end_ms=max(s.end_ms for s in group),
        active_ms=active_ms(group, gap_ms), repos=tuple(sorted(repos)), branches=tuple(sorted(branches)),
        panes=tuple(sorted(panes)), commits=tuple(work),
        milestones=_by_type(ents, "milestone"), decisions=_by_type(ents, "decision"),
        blockers=_by_type(ents, "blocker"), next_steps=_open_steps(ents),
        notes=_by_type(ents, "checkpoint", "exploration"), failures=tuple(command_claim(c) for c in failed),
        files_touched=_files(work, ents, repos),
        stats=Stats(commands=len(cmds), failures=len(failed), commits=len(work),
                    added=sum(c.added for c in work), removed=sum(c.removed for c in work)),
    )


def build_sessions(scope: Scope, gap_ms: int, commands: Sequence[Command], entries: Sequence[Entry],
                   commits: Sequence[CommitFact]) -> list[Session]:
    """Every session of the facts, newest first."""
    groups = split(spans_of(commands, entries, commits), gap_ms)
    sessions = [build_session(scope, g, gap_ms, commands=commands, entries=entries, commits=commits) for g in groups]
    return sorted(sessions, key=lambda s: s.start_ms, reverse=True)
