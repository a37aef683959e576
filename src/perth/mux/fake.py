"""An in-memory multiplexer for unit tests and ``--dry-run`` plans (no process is started)."""

from __future__ import annotations

from perth.errors import NotFoundError
from perth.mux.model import PaneSnap, SessionSnap, WindowSnap
from perth.record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


class FakeMux:
    """Sessions -> window index -> (window, panes); every mutating call is counted and logged."""

    kind = "fake"

    def __init__(self, sessions: Iterable[SessionSnap] = (), fail_after: int | None = None) -> None:
        self.state: dict[str, dict[int, tuple[WindowSnap, list[PaneSnap]]]] = {}
        self.log: list[str] = []
        self.calls = 0
        self.fail_after = fail_after
        self._next = 0
        for session in sessions:
            self.state[session.name] = {w.index: (w, [self._fresh(p) for p in w.panes]) for w in session.windows}

    def _fresh(self, pane: PaneSnap) -> PaneSnap:
        self._next += 1
        return replace(pane, mux_pane_id=pane.mux_pane_id or f"%{self._next}")

    def _call(self, text: str) -> None:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise NotFoundError(f"fake failure at {text}", "this failure was injected by a test")
        self.log.append(text)

    def version(self) -> str:
        """A fixed version."""
        return "fake-1"

    def sessions(self, only: str | None = None, scrollback_lines: int = 0) -> tuple[SessionSnap, ...]:
        """The state as snapshot records."""
        return tuple(SessionSnap(name=name, windows=tuple(replace(w, panes=tuple(p)) for _i, (w, p)
                                                          in sorted(windows.items())))
                     for name, windows in self.state.items() if only is None or name == only)

    def new_session(self, name: str, index: int, window: str, cwd: str,
                    size: tuple[int, int] | None) -> str:
        """A session with one window."""
        self._call(f"new-session {name}")
        pane = self._fresh(PaneSnap(index=0, cwd=cwd))
        self.state[name] = {index: (WindowSnap(index=index, name=window), [pane])}
        return pane.mux_pane_id

    def new_window(self, session: str, index: int, name: str, cwd: str) -> str:
        """A window."""
        self._call(f"new-window {session}:{index}")
        pane = self._fresh(PaneSnap(index=0, cwd=cwd))
        self.state[session][index] = (WindowSnap(index=index, name=name), [pane])
        return pane.mux_pane_id

    def _find(self, pane_id: str) -> list[PaneSnap]:
        for windows in self.state.values():
            for _window, panes in windows.values():
                if any(p.mux_pane_id == pane_id for p in panes):
                    return panes
        raise NotFoundError(f"no pane {pane_id}", "")

    def split(self, pane_id: str, cwd: str, *, floating: bool = False) -> str:
        """A new pane next to ``pane_id``."""
        self._call(f"split {pane_id}")
        panes = self._find(pane_id)
        pane = self._fresh(PaneSnap(index=len(panes), cwd=cwd, floating=floating))
        panes.append(pane)
        return pane.mux_pane_id

    def apply_layout(self, session: str, index: int, layout: str) -> None:
        """Record the layout."""
        self._call(f"layout {session}:{index}")
        window, panes = self.state[session][index]
        self.state[session][index] = (replace(window, layout=layout), panes)

    def _update(self, pane_id: str, **changes: object) -> None:
        panes = self._find(pane_id)
        position = next(i for i, p in enumerate(panes) if p.mux_pane_id == pane_id)
        panes[position] = replace(panes[position], **changes)

    def send_text(self, pane_id: str, text: str, *, enter: bool) -> None:
        """A typed command runs only with Enter."""
        self._call(f"send {pane_id} {'run' if enter else 'type'}")
        if enter:
            self._update(pane_id, command=text)

    def set_name(self, pane_id: str, name: str) -> None:
        """Attach a Perth name."""
        self._call(f"name {pane_id}")
        self._update(pane_id, perth_name=name)

    def focus(self, session: str, index: int, pane_id: str | None) -> None:
        """Select a window and pane."""
        self._call(f"focus {session}:{index}")

    def zoom(self, pane_id: str) -> None:
        """Zoom a pane."""
        self._call(f"zoom {pane_id}")

    def kill_session(self, name: str) -> None:
        """Close a session."""
        self.log.append(f"kill-session {name}")
        self.state.pop(name, None)

    def kill_window(self, session: str, index: int) -> None:
        """Close a window."""
        self.log.append(f"kill-window {session}:{index}")
        self.state.get(session, {}).pop(index, None)

    def kill_pane(self, pane_id: str) -> None:
        """Close a pane."""
        self.log.append(f"kill-pane {pane_id}")
        panes = self._find(pane_id)
        panes[:] = [p for p in panes if p.mux_pane_id != pane_id]

    def pane_exists(self, pane_id: str) -> bool:
        """Whether a pane is live."""
        try:
            self._find(pane_id)
        except NotFoundError:
            return False
        return True
