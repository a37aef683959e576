"""Documents of ``perth journal`` (``perth.journal.v1``, ``perth.journal.verify.v1``,
``perth.journal.append.v1``) and ``perth handoff`` (``perth.handoff.v1``).

The journal's Markdown is the SESSIONS.md layout of :mod:`perth.journal.markdown`
(so that ``journal verify`` can check it later); its other formats go through the
ordinary document renderers.
"""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.journal.markdown import (
    claim_line,
    commit_line,
    duration,
    heading,
    narrative_lines,
    session_markdown,
    stats_text,
)
from perth.views.document import Block, Document, Fields, Items, Note, render

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.journal.append import AppendReport
    from perth.journal.handoff import Handoff
    from perth.journal.model import Claim, Journal, Session
    from perth.journal.verify import VerifyReport


def claim_json(claim: Claim) -> dict[str, Any]:
    """An entry claim as ``{text, entry_id, short, at}``; a command claim as ``{command, command_id, ...}``."""
    if claim.source_kind == "command":
        return {"command": claim.text, "command_id": claim.source_id, "short": claim.short, "at": to_iso(claim.at_ms),
                "exit": int(claim.detail.removeprefix("exit ")) if claim.detail.startswith("exit ") else None}
    if claim.source_kind == "commit":
        return {"text": claim.text, "sha": claim.source_id, "short": claim.short, "at": to_iso(claim.at_ms)}
    return {"text": claim.text, "entry_id": claim.source_id, "short": claim.short, "at": to_iso(claim.at_ms)}


def session_json(session: Session) -> dict[str, Any]:
    """One session inside ``perth.journal.v1``."""
    return {
        "id": session.id, "start": to_iso(session.start_ms), "end": to_iso(session.end_ms),
        "active_ms": session.active_ms, "repos": list(session.repos), "branches": list(session.branches),
        "panes": list(session.panes), "commits": [c.to_json() for c in session.commits],
        "milestones": [claim_json(c) for c in session.milestones],
        "decisions": [claim_json(c) for c in session.decisions],
        "blockers": [claim_json(c) for c in session.blockers],
        "next": [claim_json(c) for c in session.next_steps],
        "notes": [claim_json(c) for c in session.notes],
        "failures": [claim_json(c) for c in session.failures],
        "files_touched": list(session.files_touched), "stats": session.stats.to_json(),
        "narrative": session.narrative.to_json() if session.narrative else None,
    }


def journal_data(journal: Journal) -> dict[str, Any]:
    """The ``perth.journal.v1`` contract (without the schema field)."""
    return {
        "scope": {"panes": list(journal.scope.pane_names), "repo": journal.scope.repo},
        "since": to_iso(journal.since_ms), "until": to_iso(journal.until_ms),
        "idle_gap_min": journal.idle_gap_ms // 60_000, "generated_at": to_iso(journal.generated_at),
        "count": len(journal.sessions), "sessions": [session_json(s) for s in journal.sessions],
        "warnings": list(journal.warnings),
    }


def _session_blocks(session: Session) -> list[Block]:
    several = len(session.repos) > 1
    pairs = [("id", session.id), ("active", duration(session.active_ms)), ("repos", ", ".join(session.repos)),
             ("branches", ", ".join(session.branches)), ("panes", ", ".join(session.panes)),
             ("stats", stats_text(session))]
    blocks: list[Block] = [Fields([(k, v) for k, v in pairs if v], title=heading(session))]
    work = [commit_line(c, several_repos=several) for c in session.commits]
    work += [f"Milestone: {claim_line(c)}" for c in session.milestones]
    for title, items in (("Work completed", work), ("Key decisions", [claim_line(c) for c in session.decisions]),
                         ("Blockers", [claim_line(c) for c in session.blockers]),
                         ("Next steps", [claim_line(c) for c in session.next_steps]),
                         ("Notes", [claim_line(c) for c in session.notes]),
                         ("Failed commands", [claim_line(c) for c in session.failures]),
                         ("Files touched", list(session.files_touched))):
        if items:
            blocks.append(Items(items, title=title))
    if session.narrative is not None:
        blocks.append(Note("\n".join(narrative_lines(session)).replace("### ", "", 1).rstrip()))
    return blocks


def _title(journal: Journal) -> str:
    scope = " ".join([*(f"pane {p}" for p in journal.scope.pane_names),
                      *([f"repo {journal.scope.repo}"] if journal.scope.repo else [])])
    window = f"{to_local(journal.since_ms)} – {to_local(journal.until_ms)}"
    return f"Work journal{(' — ' + scope) if scope else ''} ({window})"


def journal_view(journal: Journal) -> Document:
    """``perth journal`` for text, json and llm."""
    blocks: list[Block] = []
    for session in journal.sessions:
        blocks += _session_blocks(session)
    if not journal.sessions:
        blocks.append(Note("No activity in this window."))
    return Document("perth.journal.v1", journal_data(journal), title=_title(journal), blocks=blocks)


def journal_markdown(journal: Journal) -> str:
    """``perth journal --format markdown``: the SESSIONS.md layout."""
    parts = [f"# {_title(journal)}\n"]
    parts += [session_markdown(s) for s in journal.sessions]
    if not journal.sessions:
        parts.append("_No activity in this window._\n")
    return "\n".join(parts).rstrip()


def render_journal(journal: Journal, fmt: str) -> str:
    """The journal in a format."""
    from perth.text import printable

    return printable(journal_markdown(journal)) if fmt == "markdown" else render(journal_view(journal), fmt)


def verify_view(report: VerifyReport) -> Document:
    """``perth journal verify``: ``FILE:LINE: what`` per mismatch, then a summary."""
    lines = [f"{report.file}:{i.line}: {i.message}" for i in report.mismatches]
    notes = [f"{report.file}:{i.line}: note: {i.message}" for i in report.notes]
    verdict = "OK" if report.ok else f"{len(report.mismatches)} mismatch(es)"
    summary = (f"{verdict}: checked {report.shas} SHA(s), {report.counts} count(s) and {report.branches} branch"
               f" claim(s) in {report.sections} session(s) against {report.repo}.")
    data = {"file": report.file, "repo": report.repo, "ok": report.ok, "sections": report.sections,
            "checked": {"shas": report.shas, "counts": report.counts, "branches": report.branches},
            "mismatches": [i.to_json() for i in report.mismatches], "notes": [i.to_json() for i in report.notes]}
    blocks: list[Block] = [Note("\n".join([*lines, *notes]))] if lines or notes else []
    return Document("perth.journal.verify.v1", data, title="", blocks=[*blocks, Note(summary)])


def append_view(report: AppendReport) -> Document:
    """``perth journal append``."""
    text = (f"{'Created' if report.created else 'Updated' if report.added else 'Unchanged'} {report.file}:"
            f" {len(report.added)} session(s) added, {report.already_present} already there,"
            f" {report.still_open} still open (added once idle).")
    data = {"file": report.file, "created": report.created, "added": list(report.added),
            "added_count": len(report.added), "already_present": report.already_present,
            "still_open": report.still_open}
    return Document("perth.journal.append.v1", data, title="", blocks=[Note(text)])


def handoff_data(note: Handoff) -> dict[str, Any]:
    """The ``perth.handoff.v1`` contract (without the schema field)."""
    last = note.last_intent
    return {
        "pane": {"id": note.pane.id, "name": note.pane.name, "status": note.pane.status},
        "state": {"repo": note.repo, "branch": note.branch, "dirty_files": list(note.dirty),
                  "dirty_total": note.dirty_total,
                  "last_intent": {**claim_json(last), "type": note.last_intent_type} if last else None},
        "commits": [c.to_json() for c in note.commits],
        "decisions": [claim_json(c) for c in note.decisions], "blockers": [claim_json(c) for c in note.blockers],
        "next": [claim_json(c) for c in note.next_steps], "failing_commands": [claim_json(c) for c in note.failing],
        "resume": [{"command": s.command, "why": s.why} for s in note.resume], "snapshot": note.snapshot,
        "generated_at": to_iso(note.generated_at), "warnings": list(note.warnings),
    }


def _state(note: Handoff) -> Fields:
    dirty = ", ".join(note.dirty) + (f" (+{note.dirty_total - len(note.dirty)} more)"
                                     if note.dirty_total > len(note.dirty) else "")
    last = f"{claim_line(note.last_intent)} [{note.last_intent_type}]" if note.last_intent else "none yet"
    pairs = [("pane", note.pane.name), ("repo", note.repo or "-"), ("branch", note.branch or "-"),
             ("dirty files", dirty if note.dirty_total else "none"), ("last intent", last)]
    return Fields(pairs, title="State")


def handoff_view(note: Handoff) -> Document:
    """``perth handoff``."""
    blocks: list[Block] = [
        _state(note),
        Items([commit_line(c, several_repos=False) for c in note.commits], title="Recent commits"),
        Items([claim_line(c) for c in note.decisions], title="Last decisions"),
        Items([claim_line(c) for c in note.blockers], title="Open blockers"),
        Items([claim_line(c) for c in note.next_steps], title="Next steps"),
        Items([claim_line(c) for c in note.failing], title="Recently failed commands"),
        Items([f"`{s.command}` — {s.why}" for s in note.resume], title="Commands to get back in"),
    ]
    blocks += [Note(f"warning: {w}") for w in note.warnings]
    return Document("perth.handoff.v1", handoff_data(note), title=f"Handoff: {note.pane.name}", blocks=blocks)
