"""Views of the store itself: ``perth store migrate``."""

from __future__ import annotations

from perth.views.document import Block, Document, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.store.transfer import MigrationReport


def migrate_view(report: MigrationReport) -> Document:
    """``perth store migrate``: every part with its counts, checksums and verdict."""
    rows = [(p.part, p.status, str(p.source_count), str(p.target_count), str(p.added), str(p.updated),
             p.source_checksum[:12], p.target_checksum[:12]) for p in report.parts]
    blocks: list[Block] = [
        Note(f"{'Would copy' if report.dry_run else 'Copied'} {report.source} -> {report.target}"),
        Table(("part", "status", "source", "target", "added", "updated", "source sha256", "target sha256"), rows)]
    if report.skipped:
        blocks.append(Note(f"Not copied (the target has no port for them): {', '.join(report.skipped)}."))
    if report.dry_run:
        blocks.append(Note("Dry run: nothing was written."))
    else:
        blocks.append(Note("Every part verified: counts and checksums match." if report.ok else
                           "Some parts do not match the source: see their status."))
    data = {"source": report.source, "target": report.target, "dry_run": report.dry_run, "ok": report.ok,
            "skipped": list(report.skipped), "parts": [part.to_json() for part in report.parts]}
    return Document("perth.store.migrate.v1", data, title="Store migration", blocks=blocks)
