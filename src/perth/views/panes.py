"""Views of panes, entries, history and status."""

from __future__ import annotations

from collections.abc import Sequence

from perth.clock import humanize_age, to_iso, to_local
from perth.panes.entries import HistoryPage, short_id
from perth.panes.status import PaneState, StatusReport
from perth.records import Entry, ImportCounts, Pane
from perth.views.document import Block, Document, Fields, Items, Note, Table


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 entry``, ``3 entries``."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def _one_line(text: str, width: int = 72) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def pane_list_view(panes: Sequence[Pane]) -> Document:
    """``perth pane list``."""
    owned = any(p.owner for p in panes)  # a multi-user store: whose each pane is, and whom it is shared with
    rows: list[tuple[str, ...]] = [
        (p.name, *((p.owner + (f" ({p.team})" if p.team else ""),) if owned else ()), p.status, p.branch or "",
         ",".join(p.tags), humanize_age(p.last_seen_at), f"{p.mux_kind}:{p.mux_pane_id}" if p.mux_pane_id else "")
        for p in panes]
    columns: tuple[str, ...] = ("name", *(("owner",) if owned else ()), "status", "branch", "tags", "seen", "mux")
    blocks: list[Block] = [Table(columns, rows)]
    if not panes:
        blocks = [Note("No panes yet. Create one: perth pane create fix/auth-bug")]
    return Document("perth.pane_list.v1", {"panes": [p.to_json() for p in panes], "count": len(panes)},
                    title=f"Panes ({len(panes)})", blocks=blocks)


def pane_view(pane: Pane, entry_count: int, recent: Sequence[Entry]) -> Document:
    """``perth pane show``."""
    pairs = [("name", pane.name), ("id", pane.id), ("status", pane.status),
             ("cwd", pane.cwd or ""), ("repo", pane.repo_root or ""), ("branch", pane.branch or ""),
             ("session", pane.session or ""), ("tab", pane.tab or ""),
             ("multiplexer", f"{pane.mux_kind} {pane.mux_pane_id or ''}".strip()),
             ("owner", pane.owner), ("shared with", pane.team),
             ("tags", ", ".join(pane.tags)), ("created", to_local(pane.created_at)),
             ("last seen", to_local(pane.last_seen_at)), ("entries", str(entry_count))]
    pairs = [(k, v) for k, v in pairs if v]
    pairs += [(f"meta.{k}", v) for k, v in sorted(pane.meta.items())]
    data = {"pane": pane.to_json(), "entry_count": entry_count,
            "recent_entries": [e.to_json() for e in recent]}
    return Document("perth.pane.v1", data, title=f"Pane {pane.name}",
                    blocks=[Fields(pairs), _entry_table(recent, "Recent entries", with_pane=False)])


def _entry_table(entries: Sequence[Entry], title: str = "", *, with_pane: bool = True) -> Table:
    columns = ("id", "time", "pane", "type", "summary") if with_pane else ("id", "time", "type", "summary")
    rows = []
    for e in entries:
        kind = e.type if e.source == "manual" else f"{e.type} ({e.agent or e.source})"
        mark = " [deleted]" if e.deleted_at else ""
        cells = [short_id(e.id), to_local(e.ts), e.pane_name, kind, _one_line(e.summary) + mark]
        rows.append(tuple(cells) if with_pane else (cells[0], cells[1], cells[3], cells[4]))
    return Table(columns, rows, title)


def entry_view(entry: Entry, *, action: str = "") -> Document:
    """``perth show`` and the result of ``perth log`` / ``perth entry edit|delete``."""
    pairs = [("id", entry.id), ("pane", entry.pane_name), ("time", to_local(entry.ts)),
             ("type", entry.type), ("source", entry.source + (f" ({entry.agent})" if entry.agent else "")),
             ("summary", entry.summary), ("goal delta", entry.goal_delta or ""),
             ("tags", ", ".join(entry.tags))]
    if entry.updated_at:
        pairs.append(("edited", to_local(entry.updated_at)))
    if entry.deleted_at:
        pairs.append(("deleted", to_local(entry.deleted_at)))
    blocks: list[Block] = [Fields(pairs), Items(list(entry.artifacts), "Artifacts"),
                           Items(list(entry.commands_run), "Commands run")]
    if action:
        blocks.insert(0, Note(action))
    return Document("perth.entry.v1", {"entry": entry.to_json()}, title=f"Entry {short_id(entry.id)}",
                    blocks=blocks)


def history_view(page: HistoryPage, filters: dict[str, object]) -> Document:
    """``perth history``."""
    blocks: list[Block] = [_entry_table(page.entries)]
    if not page.entries:
        blocks = [Note("No entries match. Log one: perth log 'what you did'")]
    if page.next_cursor:
        blocks.append(Note(f"More: perth history --cursor {page.next_cursor}"))
    data = {"entries": [e.to_json() for e in page.entries], "count": len(page.entries),
            "next_cursor": page.next_cursor, "filters": filters}
    return Document("perth.history.v1", data, title="History", blocks=blocks)


def _state_json(state: PaneState) -> dict[str, object]:
    return {
        "pane": state.pane.to_json(), "current": state.current,
        "last_entry": state.last_entry.to_json() if state.last_entry else None,
        "branch": state.branch, "dirty_files": list(state.dirty), "dirty_total": state.dirty_total,
        "last_commands": list(state.last_commands),
        "next_steps": [e.to_json() for e in state.next_steps], "git_error": state.git_error,
    }


def _state_blocks(state: PaneState) -> list[Block]:
    marker = " (current)" if state.current else ""
    last = state.last_entry
    pairs = [("branch", state.branch or "-"),
             ("last", f"{_one_line(last.summary)} [{last.type}, {humanize_age(last.ts)}]" if last else "-"),
             ("dirty", f"{state.dirty_total} file(s)" if state.dirty_total else "clean")]
    if state.git_error:
        pairs.append(("git", state.git_error))
    blocks: list[Block] = [Fields(pairs, title=f"{state.pane.name}{marker}")]
    if state.dirty:
        more = state.dirty_total - len(state.dirty)
        blocks.append(Items([*state.dirty, *([f"... {more} more"] if more else [])], "Dirty files", level=3))
    if state.last_commands:
        blocks.append(Items(list(state.last_commands), "Last commands", level=3))
    if state.next_steps:
        blocks.append(Items([_one_line(e.summary) for e in state.next_steps], "Next steps", level=3))
    return blocks


def status_view(report: StatusReport) -> Document:
    """``perth status``: where was I."""
    current = report.current
    registered = "" if current.pane else " (not created yet; `perth log` creates it)"
    blocks: list[Block] = [Note(f"Current pane: {current.name} — from {current.detail}{registered}")]
    for state in report.panes:
        blocks.extend(_state_blocks(state))
    if not report.panes:
        blocks.append(Note("No active panes. Start with: perth log 'what you are about to do'"))
    if report.more:
        blocks.append(Note(f"... and {report.more} more active panes (perth pane list)"))
    data = {"current": current.to_json(), "panes": [_state_json(s) for s in report.panes],
            "more": report.more, "generated_at": to_iso(report.generated_at)}
    return Document("perth.status.v1", data, title="Where was I", blocks=blocks)


def import_view(counts: ImportCounts, source: str) -> Document:
    """``perth import``."""
    text = (f"Imported from {source}: {plural(counts.panes_added, 'pane')} and "
            f"{plural(counts.entries_added, 'entry', 'entries')} added; {plural(counts.panes_skipped, 'pane')} and "
            f"{plural(counts.entries_skipped, 'entry', 'entries')} already present.")
    return Document("perth.import.v1", {"source": source, **counts.to_json()}, blocks=[Note(text)])
