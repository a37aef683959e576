"""``perth handoff``: a "resume here" note for the next person or agent.

For one pane: where the work is (repository, branch, dirty files, last intent, recent
commits), the last decisions, the open blockers, the next steps, the commands that
failed recently, and the commands to get back in.  Every item names its source.

Open blockers: a ``blocker`` entry stays open until it is tagged ``resolved``, or a later
entry of the same pane carries the tag ``resolves:<id>`` (the blocker's short or full
id) or the tag ``resolved``/``unblocked`` (which closes every earlier blocker of the pane).
Next steps: ``next`` entries logged after the pane's latest milestone (as ``perth status``).
"""

from __future__ import annotations

import shlex

from perth.capture.records import CommandQuery
from perth.errors import NotFoundError
from perth.gitinfo import working_tree
from perth.journal.facts import recent_commits
from perth.journal.model import Claim, CommitFact, command_claim, entry_claim
from perth.record import Record, replace
from perth.records import open_next_steps
from perth.summarize.model import is_summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.capture.records import Command
    from perth.records import Entry, Pane
    from perth.runtime import Runtime

ENTRY_WINDOW = 500
SHOWN = 5
NEXT_SHOWN = 10
RESOLVING_TAGS = frozenset({"resolved", "unblocked"})
MIN_REF = 6


class ResumeStep(Record):
    """A command to get back in, and why."""

    command: str
    why: str


class Handoff(Record):
    """The "resume here" facts of one pane."""

    pane: Pane
    repo: str | None
    branch: str | None
    dirty: tuple[str, ...]
    dirty_total: int
    last_intent: Claim | None
    last_intent_type: str | None
    commits: tuple[CommitFact, ...]
    decisions: tuple[Claim, ...]
    blockers: tuple[Claim, ...]
    next_steps: tuple[Claim, ...]
    failing: tuple[Claim, ...]
    resume: tuple[ResumeStep, ...]
    snapshot: str | None
    generated_at: int
    warnings: tuple[str, ...] = ()


def _resolves(tag: str, blocker: Entry) -> bool:
    if tag in RESOLVING_TAGS:
        return True
    ref = tag.removeprefix("resolves:") if tag.startswith("resolves:") else ""
    return len(ref) >= MIN_REF and blocker.id.endswith(ref.lower())


def open_blockers(entries: Sequence[Entry]) -> list[Entry]:
    """Blocker entries not resolved by their own tag or a later entry of the same pane (oldest first)."""
    ordered = sorted(entries, key=lambda e: (e.ts, e.id))
    still: list[Entry] = []
    for index, blocker in enumerate(ordered):
        if blocker.type != "blocker" or "resolved" in blocker.tags:
            continue
        later = (e for e in ordered[index + 1:] if e.pane_id == blocker.pane_id)
        if not any(_resolves(tag, blocker) for entry in later for tag in entry.tags):
            still.append(blocker)
    return still


def _snapshot_for(rt: Runtime, pane: Pane) -> str | None:
    """The newest snapshot holding the pane, else the newest snapshot."""
    snapshots = rt.store.snapshots.all()
    for snap in snapshots:
        if any(p.perth_name == pane.name for s in snap.sessions for w in s.windows for p in w.panes):
            return snap.name
    return snapshots[0].name if snapshots else None


def _resume(pane: Pane, repo: str | None, branch: str | None, snapshot: str | None) -> tuple[ResumeStep, ...]:
    steps: list[ResumeStep] = []
    where = repo or pane.cwd
    if where:
        why = "the pane's repository" if repo else "the pane's directory"
        steps.append(ResumeStep(f"cd {shlex.quote(where)}", why))
    if repo and branch:
        steps.append(ResumeStep(f"git switch {shlex.quote(branch)}", "the branch the work was on"))
    steps.append(ResumeStep(f"export PERTH_PANE={shlex.quote(pane.name)}", "log to this pane from this shell"))
    if snapshot:
        steps.append(ResumeStep(f"perth restore {shlex.quote(snapshot)}", "bring back the terminal workspace"))
    steps.append(ResumeStep(f"perth history --pane {shlex.quote(pane.name)}", "what happened, newest first"))
    steps.append(ResumeStep(f"perth journal --pane {shlex.quote(pane.name)} --last 1", "the last work session"))
    return tuple(steps)


def _where(pane: Pane, commands: Sequence[Command]) -> tuple[str | None, str | None]:
    """Repository and branch: the pane's latest command's, else the pane's own."""
    for command in commands:
        if command.repo_root:
            return command.repo_root, command.branch or pane.branch
    return pane.repo_root, pane.branch


def _git_state(rt: Runtime, repo: str | None, branch: str | None,
               warnings: list[str]) -> tuple[tuple[str, ...], int, tuple[CommitFact, ...]]:
    import os

    if not repo or not os.path.isdir(repo):
        if repo:
            warnings.append(f"repository {rt.redact(repo, 'journal')} no longer exists")
        return (), 0, ()
    tree = working_tree(repo, timeout_s=rt.settings.get_int("status.git_timeout_ms") / 1000)
    if tree.error:
        warnings.append(rt.redact(tree.error, "journal"))
    limit = rt.settings.get_int("status.max_dirty_files")
    dirty = tuple(rt.secret_filter.redact_lines(list(tree.dirty[:limit]), source="journal"))
    read = recent_commits(rt, repo, branch, SHOWN)
    if read.warning:
        warnings.append(rt.redact(read.warning, "journal"))
    commits = tuple(replace(c, repo=rt.redact(c.repo, "journal")) for c in read.commits)
    return dirty, len(tree.dirty), commits


def build_handoff(rt: Runtime, pane_name: str | None = None) -> Handoff:
    """The handoff note of a pane (default: the current pane)."""
    from perth.panes.resolve import resolve

    found = resolve(rt, pane_name)
    pane = found.pane
    if pane is None:
        raise NotFoundError(f"no pane named {found.name!r} yet ({found.detail})",
                            "name a pane with --pane (see `perth pane list`), or log an entry first")
    entries = rt.store.entries.latest([pane.id], per_pane=ENTRY_WINDOW)[pane.id]
    commands = rt.store.commands.query(CommandQuery(pane_ids=(pane.id,), limit=1))
    failing = rt.store.commands.query(CommandQuery(pane_ids=(pane.id,), failed=True, limit=SHOWN))
    repo, branch = _where(pane, commands)
    warnings: list[str] = []
    dirty, dirty_total, commits = _git_state(rt, repo, branch, warnings)
    snapshot = _snapshot_for(rt, pane)
    shown_repo = rt.redact(repo, "journal") if repo else None
    shown_branch = rt.redact(branch, "journal") if branch else None
    decisions = [e for e in entries if e.type == "decision"][:SHOWN]
    last = next((e for e in entries if not is_summary(e)), None)
    steps = open_next_steps(sorted(entries, key=lambda e: (e.ts, e.id)))[-NEXT_SHOWN:]
    return Handoff(
        pane=pane, repo=shown_repo, branch=shown_branch, dirty=dirty, dirty_total=dirty_total,
        last_intent=entry_claim(last) if last else None, last_intent_type=last.type if last else None,
        commits=commits, decisions=tuple(entry_claim(e) for e in reversed(decisions)),
        blockers=tuple(entry_claim(e) for e in open_blockers(entries)),
        next_steps=tuple(entry_claim(e) for e in steps),
        failing=tuple(command_claim(c) for c in reversed(failing)),
        resume=tuple(ResumeStep(rt.redact(s.command, "journal"), s.why) for s in _resume(pane, repo, branch, snapshot)),
        snapshot=snapshot, generated_at=rt.clock(), warnings=tuple(warnings),
    )
