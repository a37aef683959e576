"""Records of the work journal: facts, claims with their sources, sessions.

Every statement the journal makes is a :class:`Claim` that names its source (a commit
SHA, an intent-entry id or a captured-command id), so a reader can check it.  Texts
inside these records have been through the secret filter: store texts at capture,
git texts (subjects, paths, branch names) when they are read.
"""

from __future__ import annotations

from perth.clock import to_iso
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.capture.records import Command
    from perth.records import Entry

#: ``source_kind`` of a claim.
SOURCE_KINDS: tuple[str, ...] = ("commit", "entry", "command")
SHORT_SHA = 7
SHORT_ENTRY = 8


class Claim(Record):
    """One statement and where it comes from.

    Attributes:
        text: the statement (redacted).
        source_kind: ``commit``, ``entry`` or ``command``.
        source_id: full SHA, entry id or command id.
        short: what people see: 7-character SHA, 8-character entry/command id tail.
        at_ms: when the source happened (UTC ms).
        detail: a short qualifier shown after the text (``exit 2``), may be empty.
    """

    text: str
    source_kind: str
    source_id: str
    short: str
    at_ms: int = 0
    detail: str = ""


def entry_claim(entry: Entry) -> Claim:
    """An intent entry as a claim (its summary was redacted when it was logged)."""
    return Claim(entry.summary, "entry", entry.id, entry.id[-SHORT_ENTRY:], entry.ts)


def command_claim(command: Command) -> Claim:
    """A captured command as a claim (redacted at capture)."""
    detail = f"exit {command.exit}" if command.exit is not None else ""
    return Claim(command.command, "command", command.id, command.id[-SHORT_ENTRY:], command.start_ms, detail)


class CommitFact(Record):
    """A commit as git reports it, with its diff stats.

    ``subject``, ``files`` and ``branch`` are redacted; ``branch`` is the local branch git
    reached the commit from (``git log --source``), ``None`` when unknown.  ``repo`` is the
    repository root as read (redacted by the journal and the handoff before display).
    """

    sha: str
    repo: str
    at_ms: int
    subject: str
    added: int = 0
    removed: int = 0
    files: tuple[str, ...] = ()
    branch: str | None = None

    @property
    def short(self) -> str:
        """The abbreviated SHA shown to people."""
        return self.sha[:SHORT_SHA]

    def claim(self) -> Claim:
        """The commit as a claim."""
        return Claim(self.subject, "commit", self.sha, self.short, self.at_ms)

    def to_json(self) -> dict[str, Any]:
        """The commit inside ``perth.journal.v1``."""
        return {"sha": self.sha, "short": self.short, "repo": self.repo, "at": to_iso(self.at_ms),
                "subject": self.subject, "branch": self.branch, "added": self.added, "removed": self.removed,
                "files": list(self.files)}


class Narrative(Record):
    """A generated text about a session: never a fact, always labelled as generated."""

    text: str
    provider: str
    model: str
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{text, provider, model, generated: true}``."""
        return {"text": self.text, "provider": self.provider, "model": self.model, "generated": True,
                "warnings": list(self.warnings)}


class Stats(Record):
    """Counts computed from the session's facts."""

    commands: int = 0
    failures: int = 0
    commits: int = 0
    added: int = 0
    removed: int = 0

    def to_json(self) -> dict[str, int]:
        """Plain counts."""
        return {"commands": self.commands, "failures": self.failures, "commits": self.commits,
                "added": self.added, "removed": self.removed}


class Session(Record):
    """A stretch of work without an idle gap longer than the configured one.

    Attributes:
        id: deterministic (start time and the journal's scope): ``s`` + 15 hex digits.
        start_ms, end_ms: first and last activity (a command's end counts).
        active_ms: time credited as active (see :mod:`perth.journal.sessions`).
        repos, branches, panes: where the work happened.
        commits: work completed in git, oldest first.
        milestones, decisions, blockers, next_steps, notes: intent entries by type
            (notes are checkpoints and explorations), oldest first.
        failures: captured commands that exited non-zero.
        files_touched: paths changed by the commits and artifacts named by the entries.
        narrative: the optional generated text.
    """

    id: str
    start_ms: int
    end_ms: int
    active_ms: int
    repos: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    panes: tuple[str, ...] = ()
    commits: tuple[CommitFact, ...] = ()
    milestones: tuple[Claim, ...] = ()
    decisions: tuple[Claim, ...] = ()
    blockers: tuple[Claim, ...] = ()
    next_steps: tuple[Claim, ...] = ()
    notes: tuple[Claim, ...] = ()
    failures: tuple[Claim, ...] = ()
    files_touched: tuple[str, ...] = ()
    stats: Stats = Stats()
    narrative: Narrative | None = None

    def claims(self) -> tuple[Claim, ...]:
        """Every sourced statement of the session."""
        return (*(c.claim() for c in self.commits), *self.milestones, *self.decisions, *self.blockers,
                *self.next_steps, *self.notes, *self.failures)


class Scope(Record):
    """What a journal covers: a pane, a repository, or everything Perth saw."""

    pane_names: tuple[str, ...] = ()
    repo: str | None = None

    def key(self) -> str:
        """The stable text session ids are derived from."""
        return f"panes={','.join(sorted(self.pane_names))};repo={self.repo or ''}"


class Journal(Record):
    """Sessions (newest first) over a window, and what could not be read."""

    scope: Scope
    since_ms: int
    until_ms: int
    idle_gap_ms: int
    sessions: tuple[Session, ...]
    generated_at: int
    warnings: tuple[str, ...] = ()
