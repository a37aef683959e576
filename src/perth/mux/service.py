"""Snapshot operations: take (redacted), save with the "nothing new" rules, list, diff, pin, prune.

Rules (issue 6): identical consecutive snapshots of a scope and empty workspaces are never saved;
``prune`` never drops pinned or hand-named snapshots, keeps at least ``mux.keep`` and drops
automatic ones older than ``mux.prune_days``.
"""

from __future__ import annotations

from perth.errors import InvalidInputError, NotFoundError
from perth.events.emit import emit
from perth.mux.model import PaneSnap, SessionSnap, Snapshot, WindowSnap, digest, layout_shape
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.mux.port import Multiplexer
    from perth.mux.restore import RestoreReport
    from perth.runtime import Runtime

ALL = "*"
DAY_MS = 86_400_000


class SaveResult(Record):
    """What ``snapshot save`` did: ``saved`` or the reason it did not."""

    saved: bool
    snapshot: Snapshot
    reason: str = ""


def driver_for(rt: Runtime) -> Multiplexer:
    """The configured multiplexer (``mux.driver``; ``auto`` picks Zellij inside Zellij, else tmux)."""
    kind = rt.settings.get("mux.driver")
    timeout_s = rt.settings.get_int("mux.timeout_ms") / 1000
    if kind == "zellij" or (kind == "auto" and rt.environ.get("ZELLIJ") is not None
                            and not rt.environ.get("TMUX")):
        from perth.mux.zellij import ZellijDriver

        return ZellijDriver(session=rt.environ.get("ZELLIJ_SESSION_NAME", ""), timeout_s=timeout_s)
    from perth.mux.tmux import TmuxDriver

    return TmuxDriver(socket_name=str(rt.settings.get("mux.tmux_socket_name")),
                      socket_path=str(rt.settings.get("mux.tmux_socket_path")), timeout_s=timeout_s)


def attach_hint(rt: Runtime, mux: Multiplexer, report: RestoreReport) -> str | None:
    """How to see a restored workspace when ``perth restore`` ran outside the multiplexer."""
    if report.status not in ("ok", "nothing to do") or not report.actions:
        return None
    if (mux.kind == "tmux" and rt.environ.get("TMUX")) or (mux.kind != "tmux" and rt.environ.get("ZELLIJ")):
        return None
    session = report.actions[0].session
    if mux.kind != "tmux":
        return f"zellij attach {session}"
    path, name = str(rt.settings.get("mux.tmux_socket_path")), str(rt.settings.get("mux.tmux_socket_name"))
    socket = f"-S {path} " if path else (f"-L {name} " if name else "")
    return f"tmux {socket}attach -t ={session}"


def current_session(rt: Runtime, mux: Multiplexer) -> str | None:
    """The session this command runs in (``$TMUX_PANE`` / ``$ZELLIJ_SESSION_NAME``), if any."""
    if mux.kind == "zellij":
        return rt.environ.get("ZELLIJ_SESSION_NAME") or None
    pane = rt.environ.get("TMUX_PANE")
    if mux.kind != "tmux" or not pane:
        return None
    return next((s.name for s in mux.sessions() for w in s.windows for p in w.panes if p.mux_pane_id == pane), None)


def log_step(rt: Runtime, event: str, **fields: int | str) -> None:
    """Write a snapshot/restore step to the log file (when ``log.file`` is set); text is redacted."""
    if not rt.settings.log.file:
        return
    import os

    from perth.logfile import JsonLogSink

    path = os.path.join(rt.settings.paths.log_dir, os.path.expanduser(rt.settings.log.file))
    values = {k: rt.redact(v, "log") if isinstance(v, str) else v for k, v in fields.items()}
    JsonLogSink(path, rt.settings.log.level).write("info", rt.redact(event, "log"), values)


def _clean_pane(rt: Runtime, pane: PaneSnap) -> PaneSnap:
    return replace(pane, cwd=str(rt.redact(pane.cwd, "mux")), command=str(rt.redact(pane.command, "mux")),
                   perth_name=str(rt.redact(pane.perth_name, "mux")),
                   scrollback=str(rt.redact(pane.scrollback, "mux")) if pane.scrollback else "")


def redact_sessions(rt: Runtime, sessions: Sequence[SessionSnap]) -> tuple[SessionSnap, ...]:
    """Every text field through the secret filter; sessions without panes are dropped."""
    return tuple(SessionSnap(name=str(rt.redact(s.name, "mux")), windows=tuple(
        WindowSnap(index=w.index, name=str(rt.redact(w.name, "mux")), layout=w.layout, active=w.active,
                   panes=tuple(_clean_pane(rt, p) for p in w.panes), zoomed=w.zoomed) for w in s.windows if w.panes))
        for s in sessions if s.pane_count)


def take(rt: Runtime, mux: Multiplexer, *, session: str | None = None, name: str | None = None,
         kind: str = "named") -> Snapshot:
    """Read the workspace now (redacted) as an unsaved snapshot."""
    from perth.clock import to_iso
    from perth.ids import uuid7

    sessions = redact_sessions(rt, mux.sessions(session, rt.settings.get_int("mux.scrollback_lines")))
    now = rt.clock()
    snap_id = uuid7(now)
    stamp = to_iso(now).replace(":", "").replace("-", "").split(".")[0].rstrip("Z")
    label = name or f"auto-{stamp}-{snap_id[-4:]}"
    return Snapshot(id=snap_id, name=label, created_at=now, mux=mux.kind, scope=session or ALL,
                    kind=kind, mux_version=mux.version(), sessions=sessions)


def save(rt: Runtime, mux: Multiplexer, *, name: str | None = None, session: str | None = None,
         kind: str | None = None) -> SaveResult:
    """Take and store a snapshot unless it is empty or identical to the scope's previous one."""
    if name is not None:
        from perth.panes.service import check_not_secret

        check_not_secret(rt, "snapshot name", name)
        if not name.strip() or "/" in name:
            raise InvalidInputError(f"invalid snapshot name {name!r}", "use letters, digits, dots and dashes")
    snap = take(rt, mux, session=session, name=name, kind=kind or ("named" if name else "auto"))
    if not snap.sessions:
        return SaveResult(saved=False, snapshot=snap, reason="the workspace is empty: nothing to save")
    key = digest(snap.sessions)
    if rt.store.snapshots.latest_digest(snap.scope) == key:
        return SaveResult(saved=False, snapshot=snap, reason="identical to the previous snapshot: not saved again")
    with rt.store.unit():
        rt.store.snapshots.add(snap, key)
        emit(rt, "perth.snapshot.created", snap)
    log_step(rt, "snapshot.save", name=snap.name, scope=snap.scope, panes=snap.pane_count)
    return SaveResult(saved=True, snapshot=snap)


def get(rt: Runtime, name: str | None) -> Snapshot:
    """A snapshot by name, or the newest one."""
    if name is None:
        found = rt.store.snapshots.all()
        if not found:
            raise NotFoundError("there is no snapshot yet", "save one with `perth snapshot save`")
        return found[0]
    snap = rt.store.snapshots.get(name)
    if snap is None:
        raise NotFoundError(f"no snapshot named {name!r}", "list them with `perth snapshot list`")
    return snap


def delete(rt: Runtime, name: str) -> Snapshot:
    """Delete a snapshot."""
    snap = get(rt, name)
    rt.store.snapshots.delete(name)
    log_step(rt, "snapshot.delete", name=name)
    return snap


def pin(rt: Runtime, name: str, pinned: bool) -> Snapshot:
    """Pin (never pruned) or unpin a snapshot."""
    snap = get(rt, name)
    rt.store.snapshots.pin(name, pinned)
    return replace(snap, pinned=pinned)


def prunable(snapshots: Sequence[Snapshot], now: int, keep: int, days: int) -> list[Snapshot]:
    """Automatic, unpinned snapshots older than ``days``, never touching the ``keep`` newest."""
    newest_first = sorted(snapshots, key=lambda s: (s.created_at, s.id), reverse=True)
    cutoff = now - days * DAY_MS
    return [s for s in newest_first[keep:] if s.kind == "auto" and not s.pinned and s.created_at < cutoff]


def prune(rt: Runtime, *, keep: int | None = None, days: int | None = None, dry_run: bool = False) -> list[Snapshot]:
    """Drop what :func:`prunable` selects; what was (or would be) dropped."""
    keep = rt.settings.get_int("mux.keep") if keep is None else keep
    days = rt.settings.get_int("mux.prune_days") if days is None else days
    doomed = prunable(rt.store.snapshots.all(), rt.clock(), keep, days)
    if not dry_run:
        for snap in doomed:
            rt.store.snapshots.delete(snap.name)
        log_step(rt, "snapshot.prune", dropped=len(doomed))
    return doomed


class Change(Record):
    """One difference between two snapshots: ``added``, ``removed`` or ``changed``."""

    change: str
    what: str
    where: str
    detail: str = ""


def _windows(snap: Snapshot) -> dict[str, WindowSnap]:
    return {f"{s.name}:{w.name}": w for s in snap.sessions for w in s.windows}


def _pane_key(pane: PaneSnap) -> str:
    return pane.perth_name or f"#{pane.index}"


def _pane_changes(where: str, old: WindowSnap, new: WindowSnap) -> list[Change]:
    before = {_pane_key(p): p for p in old.panes}
    after = {_pane_key(p): p for p in new.panes}
    out = [Change("removed", "pane", f"{where}.{k}") for k in before if k not in after]
    out += [Change("added", "pane", f"{where}.{k}", after[k].command or after[k].cwd) for k in after if k not in before]
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        fields = [f"{f}: {getattr(a, f)!r} -> {getattr(b, f)!r}" for f in ("cwd", "command", "floating")
                  if getattr(a, f) != getattr(b, f)]
        if fields:
            out.append(Change("changed", "pane", f"{where}.{key}", "; ".join(fields)))
    return out


def diff(a: Snapshot, b: Snapshot) -> list[Change]:
    """Windows/tabs and panes added, removed or changed from ``a`` to ``b``."""
    before, after = _windows(a), _windows(b)
    out = [Change("removed", "window", k) for k in before if k not in after]
    out += [Change("added", "window", k, f"{len(after[k].panes)} pane(s)") for k in after if k not in before]
    for key in sorted(before.keys() & after.keys()):
        if layout_shape(before[key].layout) != layout_shape(after[key].layout):
            out.append(Change("changed", "window", key, "layout"))
        out += _pane_changes(key, before[key], after[key])
    return sorted(out, key=lambda c: (c.where, c.what, c.change))
