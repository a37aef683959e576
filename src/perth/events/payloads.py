"""The ``data`` of each event type, built from the record a capability hands to :func:`emit`
(read through the structural types of :mod:`perth.events.subjects`).

Every text value goes through the secret filter (``redact``) here, whatever the record says it
holds: the payload type (:data:`perth.events.types.EventData`) admits no plain ``str``.  Each
builder matches ``schemas/<type>.json``.  Records are imported for the type checker only, so the
``perth log`` path loads none of the other capabilities.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from perth.events.subjects import (
        ClassifiedSubject,
        CodeIndexedSubject,
        CommandSubject,
        EntrySubject,
        JobSubject,
        JournalSubject,
        PaneSubject,
        RestoreSubject,
        SnapshotSubject,
        SummarySubject,
    )
    from perth.events.types import EventData, EventValue
    from perth.redact.redacted import Redacted

    Redactor = Callable[[str], Redacted]

#: Commands listed in one ``perth.command.captured`` event (``count`` always has the total).
MAX_COMMANDS = 100


def _opt(redact: Redactor, text: str | None) -> Redacted | None:
    return None if text is None else redact(text)


def pane(redact: Redactor, p: PaneSubject) -> EventData:
    return {"pane_id": redact(p.id), "name": redact(p.name), "status": redact(p.status),
            "cwd": _opt(redact, p.cwd), "repo_root": _opt(redact, p.repo_root), "branch": _opt(redact, p.branch),
            "tags": [redact(t) for t in p.tags]}


def intent(redact: Redactor, e: EntrySubject) -> EventData:
    return {"entry_id": redact(e.id), "pane_id": redact(e.pane_id), "pane_name": redact(e.pane_name),
            "ts": e.ts, "type": redact(e.type), "summary": redact(e.summary), "source": redact(e.source),
            "agent": _opt(redact, e.agent), "tags": [redact(t) for t in e.tags]}


def commands(redact: Redactor, batch: Sequence[CommandSubject]) -> EventData:
    listed: list[EventValue] = [
        {"id": redact(c.id), "pane_id": _opt(redact, c.pane_id), "start_ms": c.start_ms, "exit": c.exit,
         "duration_ms": c.duration_ms, "command": redact(c.command)} for c in batch[:MAX_COMMANDS]]
    panes = sorted({c.pane_id for c in batch if c.pane_id})
    return {"count": len(batch), "pane_ids": [redact(p) for p in panes], "commands": listed,
            "first_ms": min((c.start_ms for c in batch), default=None),
            "last_ms": max((c.start_ms for c in batch), default=None)}


def snapshot(redact: Redactor, s: SnapshotSubject) -> EventData:
    return {"snapshot_id": redact(s.id), "name": redact(s.name), "scope": redact(s.scope), "kind": redact(s.kind),
            "mux": redact(s.mux), "sessions": len(s.sessions), "windows": s.window_count, "panes": s.pane_count}


def restored(redact: Redactor, r: RestoreSubject) -> EventData:
    return {"snapshot": redact(r.snapshot), "status": redact(r.status), "created": r.created, "reused": r.reused,
            "commands_run": r.commands_run, "commands_typed": r.commands_typed, "duration_ms": r.duration_ms,
            "warnings": [redact(w) for w in r.warnings]}


def summary(redact: Redactor, s: SummarySubject) -> EventData:
    g = s.generation
    return {"entry_id": redact(s.entry.id), "pane_id": redact(s.entry.pane_id), "provider": redact(g.provider),
            "model": redact(g.model), "text": redact(g.text), "input_tokens": g.input_tokens,
            "output_tokens": g.output_tokens}


def journal(redact: Redactor, r: JournalSubject) -> EventData:
    return {"file": redact(r.file), "created": r.created, "sessions": [redact(s) for s in r.added],
            "already_present": r.already_present, "still_open": r.still_open}


def shellperf(redact: Redactor, e: ClassifiedSubject) -> EventData:
    run = e.run
    return {"run_id": redact(run.id), "scope": redact(run.scope), "profile": redact(run.profile),
            "shell_version": redact(run.shell_version), "verdict": _opt(redact, e.verdict),
            "samples": len(run.measured)}


def code_indexed(redact: Redactor, c: CodeIndexedSubject) -> EventData:
    repo, report = c.repo, c.report
    return {"repo_id": redact(repo.id), "name": redact(repo.name), "state": redact(repo.state),
            "head": _opt(redact, repo.head), "branch": _opt(redact, repo.branch), "full": report.full,
            "files": repo.files, "symbols": repo.symbols, "edges": repo.edges, "parsed": report.parsed,
            "deleted": report.deleted, "renamed": report.renamed, "errors": report.errors,
            "duration_ms": int(report.seconds * 1000)}


def job(redact: Redactor, j: JobSubject) -> EventData:
    duration = j.finished_at - j.started_at if j.finished_at is not None and j.started_at is not None else None
    return {"job_id": redact(j.id), "kind": redact(j.kind), "target": redact(j.target), "status": redact(j.status),
            "engine": redact(j.engine), "attempts": j.attempt, "max_attempts": j.max_attempts,
            "exit_code": j.exit_code, "error": _opt(redact, j.error), "error_kind": _opt(redact, j.error_kind),
            "duration_ms": duration}


#: Event type -> its payload builder.
BUILDERS: dict[str, Callable[[Redactor, Any], EventData]] = {
    "perth.pane.created": pane,
    "perth.pane.closed": pane,
    "perth.intent.logged": intent,
    "perth.command.captured": commands,
    "perth.snapshot.created": snapshot,
    "perth.session.restored": restored,
    "perth.summary.created": summary,
    "perth.journal.appended": journal,
    "perth.shellperf.classified": shellperf,
    "perth.code.indexed": code_indexed,
    "perth.job.finished": job,
}
