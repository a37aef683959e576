"""``perth status``: where was I?

For each active pane: its last intent, the branch and dirty files as git sees
them now, the last commands it recorded, and its open next steps.  git runs
once per repository, concurrently, each call bounded by ``status.git_timeout_ms``.
"""

from __future__ import annotations

import os

from perth.gitinfo import WorkingTree, working_tree
from perth.panes.resolve import Resolution, resolve
from perth.record import Record
from perth.records import Entry, Pane, PaneQuery, open_next_steps
from perth.runtime import Runtime


class PaneState(Record):
    """One pane's "where was I" facts."""

    pane: Pane
    current: bool
    last_entry: Entry | None
    branch: str | None
    dirty: tuple[str, ...]
    dirty_total: int
    last_commands: tuple[str, ...]
    next_steps: tuple[Entry, ...]
    git_error: str | None


class StatusReport(Record):
    """Every active pane's state, and which pane is current and why."""

    current: Resolution
    panes: tuple[PaneState, ...]
    more: int
    generated_at: int


def _trees(roots: set[str], timeout_s: float) -> dict[str, WorkingTree]:
    existing = sorted(root for root in roots if os.path.isdir(root))
    if not existing:
        return {}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, len(existing))) as pool:
        results = pool.map(lambda root: working_tree(root, timeout_s=timeout_s), existing)
        return dict(zip(existing, results, strict=True))


def _last_commands(entries: list[Entry]) -> tuple[str, ...]:
    for entry in entries:
        if entry.commands_run:
            return entry.commands_run[-5:]
    return ()


def status(rt: Runtime, *, pane_name: str | None = None, limit: int = 20) -> StatusReport:
    """Build the status report for active panes (or one pane)."""
    current = resolve(rt, None)
    store = rt.store
    if pane_name:
        from perth.panes.service import get_pane

        panes = [get_pane(rt, pane_name)]
    else:
        panes = store.panes.query(PaneQuery(statuses=("active",)))
        panes.sort(key=lambda p: p.name != current.name)  # the current pane first, stable otherwise
    shown, more = panes[:limit], max(0, len(panes) - limit)
    ids = [p.id for p in shown]
    recent = store.entries.latest(ids, per_pane=10)
    shown_steps = rt.settings.get_int("status.next_steps")
    nexts = store.entries.latest(ids, types=("next", "milestone"), per_pane=shown_steps + 1)
    trees = _trees({p.repo_root for p in shown if p.repo_root},
                   rt.settings.get_int("status.git_timeout_ms") / 1000)
    max_dirty = rt.settings.get_int("status.max_dirty_files")
    states = []
    for pane in shown:
        tree = trees.get(pane.repo_root or "")
        last = _last_intent(recent[pane.id], rt.clock())
        steps = open_next_steps(sorted(nexts[pane.id], key=lambda e: (e.ts, e.id)))
        states.append(PaneState(
            pane=pane, current=pane.name == current.name, last_entry=last,
            branch=rt.redact_optional(tree.branch if tree and tree.branch else pane.branch, "status"),
            dirty=tuple(rt.redact(path, "status") for path in tree.dirty[:max_dirty]) if tree else (),
            dirty_total=len(tree.dirty) if tree else 0,
            last_commands=_last_commands(recent[pane.id]),
            next_steps=tuple(reversed(steps[-shown_steps:])) if shown_steps else (),
            git_error=rt.redact_optional(tree.error if tree else None, "status"),
        ))
    return StatusReport(current=current, panes=tuple(states), more=more, generated_at=rt.clock())


def _last_intent(entries: list[Entry], now: int) -> Entry | None:
    """The newest entry a person (or agent) logged: automated ones (``perth summarize``) never hide
    it, nor does one dated later than now (``--at`` tomorrow); those are shown only when the pane
    has nothing else among its recent entries."""
    return next((e for e in entries if e.source != "automated" and e.ts <= now),
                next((e for e in entries if e.ts <= now), entries[0] if entries else None))
