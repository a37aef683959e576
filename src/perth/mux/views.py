"""Documents of ``perth snapshot`` and ``perth restore`` (schemas ``perth.snapshot*.v1``, ``perth.restore.v1``)."""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.mux.model import Snapshot
    from perth.mux.restore import RestoreReport
    from perth.mux.service import Change, SaveResult


def _summary(snap: Snapshot) -> dict[str, object]:
    return {"name": snap.name, "id": snap.id, "created_at": to_iso(snap.created_at), "mux": snap.mux,
            "scope": snap.scope, "kind": snap.kind, "pinned": snap.pinned, "sessions": len(snap.sessions),
            "windows": snap.window_count, "panes": snap.pane_count}


def save_view(result: SaveResult) -> Document:
    """``perth snapshot save``."""
    snap = result.snapshot
    text = (f"Saved snapshot {snap.name!r}: {len(snap.sessions)} session(s), {snap.window_count} window(s),"
            f" {snap.pane_count} pane(s).") if result.saved else f"Not saved: {result.reason}."
    data = {"saved": result.saved, "reason": result.reason, "snapshot": _summary(snap)}
    return Document("perth.snapshot_save.v1", data, title="Snapshot", blocks=[Note(text)])


def list_view(snapshots: Sequence[Snapshot]) -> Document:
    """``perth snapshot list``."""
    rows = [(s.name, to_local(s.created_at), s.kind + (" pinned" if s.pinned else ""), s.mux, s.scope,
             str(s.window_count), str(s.pane_count)) for s in snapshots]
    blocks: list[Block] = [Table(("name", "saved", "kind", "mux", "scope", "windows", "panes"), rows)] if rows \
        else [Note("No snapshots yet. Save one with `perth snapshot save NAME`.")]
    data = {"count": len(snapshots), "snapshots": [_summary(s) for s in snapshots]}
    return Document("perth.snapshot_list.v1", data, title="Snapshots", blocks=blocks)


def show_view(snap: Snapshot) -> Document:
    """``perth snapshot show``."""
    blocks: list[Block] = [Fields([(k, str(v)) for k, v in _summary(snap).items()])]  # the title names it
    for session in snap.sessions:
        rows = [(f"{w.index}:{w.name}" + ("*" if w.active else ""), str(p.index) + ("*" if p.focused else ""),
                 p.perth_name or "-", p.cwd, p.command or "-", f"{p.width}x{p.height}")
                for w in session.windows for p in w.panes]
        blocks.append(Table(("window", "pane", "perth name", "cwd", "command", "size"), rows,
                            title=f"Session {session.name}"))
    return Document("perth.snapshot.v1", {"snapshot": snap.to_json()}, title=f"Snapshot {snap.name}",
                    blocks=blocks)


def diff_view(a: Snapshot, b: Snapshot, changes: Sequence[Change]) -> Document:
    """``perth snapshot diff``."""
    rows = [(c.change, c.what, c.where, c.detail) for c in changes]
    blocks: list[Block] = [Table(("change", "what", "where", "detail"), rows)] if rows else [
        Note("No differences in windows, panes, layouts, cwds or commands.")]
    data = {"from": a.name, "to": b.name, "count": len(changes),
            "changes": [{"change": c.change, "what": c.what, "where": c.where, "detail": c.detail} for c in changes]}
    return Document("perth.snapshot_diff.v1", data, title=f"Diff {a.name} -> {b.name}", blocks=blocks)


def changed_view(action: str, snapshots: Sequence[Snapshot], note: str) -> Document:
    """``perth snapshot delete|pin|unpin|prune``."""
    data = {"action": action, "count": len(snapshots), "snapshots": [_summary(s) for s in snapshots]}
    items: list[Block] = [Items([s.name for s in snapshots])] if snapshots else []
    return Document("perth.snapshot_change.v1", data, title="Snapshots", blocks=[Note(note), *items])


def restore_view(report: RestoreReport) -> Document:
    """``perth restore`` (the plan is printed in every format)."""
    pairs = [("snapshot", report.snapshot), ("status", report.status), ("created", str(report.created)),
             ("reused", str(report.reused)), ("commands run", str(report.commands_run)),
             ("commands typed", str(report.commands_typed)), ("duration", f"{report.duration_ms} ms"),
             ("multiplexer calls", str(report.mux_calls))]
    blocks: list[Block] = [Fields(pairs),
                           Items([a.describe() for a in report.actions], title="Plan") if report.actions
                           else Note("Nothing to do: the workspace already matches the snapshot.")]
    if report.warnings:
        blocks.append(Items(list(report.warnings), title="Warnings"))
    if report.rolled_back:
        blocks.append(Items(list(report.rolled_back), title="Closed again (rollback)"))
    data = {"snapshot": report.snapshot, "status": report.status, "created": report.created,
            "reused": report.reused, "commands_run": report.commands_run, "commands_typed": report.commands_typed,
            "duration_ms": report.duration_ms, "mux_calls": report.mux_calls, "warnings": list(report.warnings),
            "rolled_back": list(report.rolled_back), "plan": [a.to_json() for a in report.actions]}
    return Document("perth.restore.v1", data, title="Restore", blocks=blocks)
