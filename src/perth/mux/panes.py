"""Panes <-> Perth: ``perth pane open`` and ``perth pane reconcile``.

A Perth pane bound to a multiplexer pane keeps its id in ``mux_pane_id``; the multiplexer pane
keeps the Perth name (tmux: the pane option ``@perth_name``), so the binding survives a restore,
where every pane id changes.  Reconcile follows renames, re-binds by name and closes Perth panes
whose multiplexer pane is gone.
"""

from __future__ import annotations

from perth.errors import NotFoundError, PerthError
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.mux.model import PaneSnap, SessionSnap, WindowSnap
    from perth.mux.port import Multiplexer
    from perth.records import Pane
    from perth.runtime import Runtime


class Located(Record):
    """Where a live multiplexer pane is."""

    session: str
    window: WindowSnap
    pane: PaneSnap


def _live(sessions: tuple[SessionSnap, ...]) -> dict[str, Located]:
    return {p.mux_pane_id: Located(s.name, w, p) for s in sessions for w in s.windows for p in w.panes}


def _registered(rt: Runtime, name: str) -> Pane | None:
    try:
        from perth.panes.service import get_pane

        return get_pane(rt, name)
    except NotFoundError:
        return None


def open_pane(rt: Runtime, mux: Multiplexer, name: str, tab: str | None = None) -> tuple[Pane, str]:
    """Focus the pane registered as ``name``, or create it; ``(pane, "focused" | "created")``."""
    pane = _registered(rt, name)
    live = _live(mux.sessions())
    if pane is not None and pane.mux_kind == mux.kind and pane.mux_pane_id in live:
        where = live[pane.mux_pane_id]
        mux.focus(where.session, where.window.index, pane.mux_pane_id)
        return pane, "focused"
    pane_id, session, window = _create(rt, mux, live, tab or (pane.tab if pane else None), pane)
    mux.set_name(pane_id, name)
    mux.focus(session, window.index, pane_id)
    if pane is None:
        from perth.panes.service import PaneSpec, create_pane

        pane = create_pane(rt, PaneSpec(name=name, session=session, tab=window.name, mux_kind=mux.kind,
                                        mux_pane_id=pane_id, cwd=rt.cwd, attach=False))
    else:
        pane = replace(pane, mux_kind=mux.kind, mux_pane_id=pane_id, session=session, tab=window.name,
                       status="active", last_seen_at=rt.clock())
        rt.store.panes.update(pane)
    return pane, "created"


def _create(rt: Runtime, mux: Multiplexer, live: dict[str, Located], tab: str | None,
            pane: Pane | None) -> tuple[str, str, WindowSnap]:
    if not live:
        raise PerthError(f"no {mux.kind} session is running", f"start {mux.kind} first, then run perth pane open")
    here = live.get(rt.environ.get("TMUX_PANE", "")) or next(iter(live.values()))
    cwd = pane.cwd if pane and pane.cwd else rt.cwd
    windows = {p.window.name: p for p in live.values() if p.session == here.session}
    if tab is None or tab == here.window.name:
        new_id = mux.split(here.pane.mux_pane_id, cwd)
    elif tab in windows:
        new_id = mux.split(windows[tab].pane.mux_pane_id, cwd)
    else:
        index = max(p.window.index for p in live.values() if p.session == here.session) + 1
        new_id = mux.new_window(here.session, index, tab, cwd)
    located = _live(mux.sessions(here.session)).get(new_id)
    if located is None:
        raise PerthError(f"the new {mux.kind} pane {new_id} disappeared", "check the multiplexer, then retry")
    return new_id, located.session, located.window


class Reconciled(Record):
    """One registry change made by reconcile."""

    pane: str
    change: str
    detail: str = ""


def _follow(pane: Pane, where: Located | None, by_name: dict[str, Located]) -> tuple[Pane, str, str]:
    if where is None and pane.name in by_name:
        where = by_name[pane.name]
        pane = replace(pane, mux_pane_id=where.pane.mux_pane_id)
        change, detail = "rebound", f"now {where.pane.mux_pane_id} (matched by name)"
    elif where is None:
        return replace(pane, status="closed"), "closed", "its multiplexer pane is gone"
    else:
        change, detail = "", ""
    if (pane.session, pane.tab) != (where.session, where.window.name):
        pane = replace(pane, session=where.session, tab=where.window.name)
        change, detail = change or "moved", detail or f"now in {where.session}:{where.window.name}"
    return pane, change, detail


def _reconcile_one(rt: Runtime, kind: str, pane: Pane, live: dict[str, Located],
                   by_name: dict[str, Located]) -> list[Reconciled]:
    out: list[Reconciled] = []
    where = live.get(pane.mux_pane_id or "")
    current = pane
    if where is not None and where.pane.perth_name and where.pane.perth_name != pane.name \
            and _registered(rt, where.pane.perth_name) is None:
        current = replace(pane, name=where.pane.perth_name)
        out.append(Reconciled(current.name, "renamed", f"was {pane.name} (renamed in {kind})"))
    updated, change, detail = _follow(replace(current, mux_kind=kind), where, by_name)
    if change:
        out.append(Reconciled(updated.name, change, detail))
    if out:
        rt.store.panes.update(replace(updated, last_seen_at=rt.clock()))
    return out


def reconcile(rt: Runtime, mux: Multiplexer) -> list[Reconciled]:
    """Bring the registry in line with the live panes (renames, moves, closures, new ids)."""
    from perth.records import PaneQuery

    live = _live(mux.sessions())
    by_name = {p.pane.perth_name: p for p in live.values() if p.pane.perth_name}
    changes: list[Reconciled] = []
    for pane in rt.store.panes.query(PaneQuery(statuses=("active",))):
        if pane.mux_kind == mux.kind or (pane.mux_kind == "none" and pane.name in by_name):
            changes += _reconcile_one(rt, mux.kind, pane, live, by_name)
    return changes
