"""Restore: a plan (a list of actions) computed against the live workspace, then executed.

Idempotent: live windows and panes matched by name (and position) are reused, so a second run
plans nothing.  Layouts are applied as the exact saved string to every window that gained panes.
Commands run again only when they match ``mux.restore_commands``; others are typed without Enter.
A failure part-way closes what this restore created (newest first) and reports it.
"""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.mux.model import PaneSnap, SessionSnap, Snapshot, WindowSnap

REDACTION_MARK = "[REDACTED:"


class Action(Record):
    """One restore step; ``ref`` names a pane (``session:window.pane``) for later steps."""

    op: str
    session: str
    window: int = -1
    ref: str = ""
    cwd: str = ""
    text: str = ""
    pane_id: str = ""
    layout: str = ""
    floating: bool = False

    def describe(self) -> str:
        """One line for every output format."""
        where = self.session if self.window < 0 else f"{self.session}:{self.window}"
        if self.ref:
            where = self.ref
        extra = f" {self.text!r}" if self.text and self.op not in ("layout", "split") else ""
        if self.op == "split":
            extra = f" from {self.text}"
        floating = " (floating)" if self.floating else ""
        return f"{self.op}{floating} {where}{extra}" + (f" in {self.cwd}" if self.cwd else "")

    def to_json(self) -> dict[str, object]:
        """JSON shape."""
        return {name: getattr(self, name) for name in self._fields}


class RestoreReport(Record):
    """What a restore did (or, with ``--dry-run``, would do)."""

    snapshot: str
    status: str
    actions: tuple[Action, ...]
    created: int = 0
    reused: int = 0
    commands_run: int = 0
    commands_typed: int = 0
    duration_ms: int = 0
    mux_calls: int = 0
    warnings: tuple[str, ...] = ()
    rolled_back: tuple[str, ...] = ()


def allowed(command: str, allow: Sequence[str]) -> bool:
    """Whether a command line starts with an allow-listed program (and arguments), by basename."""
    words = command.split()
    if not words or REDACTION_MARK in command:
        return False
    line = " ".join([words[0].rsplit("/", 1)[-1], *words[1:]])
    return any(line == entry or line.startswith(entry.rstrip() + " ") for entry in allow if entry.strip())


def _free_index(wanted: int, used: set[int]) -> int:
    index = wanted
    while index in used:
        index += 1
    return index


def _pane_steps(session: str, index: int, saved: WindowSnap, live: WindowSnap | None,
                allow: Sequence[str]) -> list[Action]:
    live_panes = live.panes if live else ()
    steps: list[Action] = []
    for pane in saved.panes:
        ref = f"{session}:{index}.{pane.index}"
        position = saved.panes.index(pane)
        if position < len(live_panes):
            steps.append(Action("reuse-pane", session, index, ref, pane_id=live_panes[position].mux_pane_id))
            continue
        if position > 0:  # split the previous pane: the new one lands right after it, keeping the order
            previous = f"{session}:{index}.{saved.panes[position - 1].index}"
            steps.append(Action("split", session, index, ref, cwd=pane.cwd, text=previous, floating=pane.floating))
        steps += _pane_setup(session, index, ref, pane, allow)
    if len(saved.panes) > len(live_panes) and saved.layout:
        steps.append(Action("layout", session, index, text=saved.layout))
    return steps


def _pane_setup(session: str, index: int, ref: str, pane: PaneSnap, allow: Sequence[str]) -> list[Action]:
    steps = [Action("name", session, index, ref, text=pane.perth_name)] if pane.perth_name else []
    if pane.command:
        steps.append(Action("run" if allowed(pane.command, allow) else "type", session, index, ref,
                            text=pane.command))
    return steps


def _window_steps(session: str, saved: WindowSnap, live: dict[str, WindowSnap], used: set[int],
                  *, first: bool, allow: Sequence[str]) -> list[Action]:
    match = live.get(saved.name)
    if match is not None:
        return [Action("reuse-window", session, match.index, text=saved.name),
                *_pane_steps(session, match.index, saved, match, allow)]
    index = _free_index(saved.index, used)
    used.add(index)
    cwd = saved.panes[0].cwd if saved.panes else ""
    ref = f"{session}:{index}.{saved.panes[0].index}" if saved.panes else ""
    op = "new-session" if first else "new-window"
    head = Action(op, session, index, ref, cwd=cwd, text=saved.name, layout=saved.layout if first else "")
    return [head, *_pane_steps(session, index, saved, None, allow)]


def _session_steps(saved: SessionSnap, live: SessionSnap | None, allow: Sequence[str]) -> list[Action]:
    windows = {w.name: w for w in live.windows} if live else {}
    used = {w.index for w in live.windows} if live else set()
    steps: list[Action] = [Action("reuse-session", saved.name)] if live else []
    for number, window in enumerate(w for w in saved.windows if w.panes):
        steps += _window_steps(saved.name, window, windows, used, first=live is None and number == 0, allow=allow)
    if any(a.op not in ("reuse-session", "reuse-window", "reuse-pane") for a in steps):
        steps += _focus_steps(saved, steps)
    return steps


def _focus_steps(saved: SessionSnap, steps: list[Action]) -> list[Action]:
    """Every window's active pane (and zoom), the session's active window last so it stays selected."""
    out: list[Action] = []
    for window in sorted((w for w in saved.windows if w.panes), key=lambda w: w.active):
        target = next((a for a in steps if a.text == window.name and a.op.endswith(("window", "session"))), None)
        if target is None:
            continue
        focused = next((p for p in window.panes if p.focused), None)
        ref = f"{saved.name}:{target.window}.{focused.index}" if focused else ""
        out.append(Action("focus", saved.name, target.window, ref))
        if window.zoomed and focused is not None:
            out.append(Action("zoom", saved.name, target.window, ref))
    return out


def plan(snapshot: Snapshot, live: Sequence[SessionSnap], allow: Sequence[str],
         rename: str | None = None) -> list[Action]:
    """The actions that bring the live workspace to the snapshot (empty when it already matches)."""
    sessions = snapshot.sessions
    if rename is not None:
        if len(sessions) != 1:
            raise InvalidInputError(f"snapshot {snapshot.name!r} holds {len(sessions)} sessions; --session renames"
                                    " exactly one", "save one session with `perth snapshot save --session S`")
        from perth.record import replace

        sessions = (replace(sessions[0], name=rename),)
    by_name = {s.name: s for s in live}
    steps: list[Action] = []
    for session in sessions:
        steps += _session_steps(session, by_name.get(session.name), allow)
    return steps
