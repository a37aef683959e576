"""Views of captured commands, ingestion and history imports."""

from __future__ import annotations

from perth.clock import to_local
from perth.views.document import Block, Document, Fields, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:

    from perth.capture.importer import ImportReport
    from perth.capture.ingest import IngestReport
    from perth.capture.query import CommandPage
    from perth.capture.timeline import Timeline


def _one_line(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _duration(ms: int | None) -> str:
    if ms is None:
        return ""
    return f"{ms} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def command_history_view(page: CommandPage, filters: dict[str, object]) -> Document:
    """``perth history --commands``."""
    rows = [(to_local(c.start_ms), c.pane_name or "-", "" if c.exit is None else str(c.exit),
             _duration(c.duration_ms), _one_line(c.command)) for c in page.commands]
    blocks: list[Block] = [Table(("time", "pane", "exit", "took", "command"), rows)] if rows else [
        Note("No commands match. To record them, run `perth init zsh --install` and add the line it prints"
             " to your rc file.")]
    if page.next_cursor:
        blocks.append(Note(f"More: perth history --commands --cursor {page.next_cursor}"))
    data = {"commands": [c.to_json() for c in page.commands], "count": len(page.commands),
            "next_cursor": page.next_cursor, "filters": filters}
    return Document("perth.command_history.v1", data, title="Commands", blocks=blocks)


def ingest_view(report: IngestReport) -> Document:
    """``perth ingest``."""
    pairs = [("spool files", str(report.files)), ("lines read", str(report.lines)),
             ("commands stored", str(report.inserted)), ("already stored", str(report.duplicates)),
             ("ignored by config", str(report.ignored)), ("quarantined", str(report.quarantined)),
             ("partial lines waiting", str(report.waiting_partial))]
    note = "Another ingester is running; nothing done." if report.skipped_busy else (
        "Done." if report.complete else "Stopped at the time budget; the rest is ingested next time.")
    data = {name: getattr(report, name) for name in report._fields}
    data["warnings"] = list(report.warnings)
    return Document("perth.ingest.v1", data, title="Ingest", blocks=[Fields(pairs), Note(note)])


def import_history_view(report: ImportReport) -> Document:
    """``perth import-history``."""
    text = (f"Imported {report.inserted} new command(s) from {report.path} ({report.shell}, {report.format});"
            f" {report.duplicates} were already stored.")
    data = {name: getattr(report, name) for name in report._fields}
    return Document("perth.import_history.v1", data, blocks=[Note(text)])


def timeline_view(timeline: Timeline) -> Document:
    """A pane's intents and commands interleaved, newest first (the web timeline)."""
    rows = [(to_local(i.ts), i.kind, _one_line(i.entry.summary if i.entry else i.command.command if i.command else ""))
            for i in timeline.items]
    blocks: list[Block] = [Table(("time", "kind", "what"), rows)] if rows else [
        Note("Nothing logged in this pane yet.")]
    items = [{"kind": i.kind, "ts": i.ts, "id": i.id,
              "entry": i.entry.to_json() if i.entry else None,
              "command": i.command.to_json() if i.command else None} for i in timeline.items]
    data = {"pane": timeline.pane, "items": items, "count": len(items), "next_cursor": timeline.next_cursor}
    return Document("perth.timeline.v1", data, title=f"Timeline of {timeline.pane}", blocks=blocks)
