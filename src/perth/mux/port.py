"""The multiplexer port: what snapshot, restore and ``perth pane open`` need from tmux or Zellij.

Adapters: :class:`perth.mux.tmux.TmuxDriver`, :class:`perth.mux.zellij.ZellijDriver` and
:class:`perth.mux.fake.FakeMux` (unit tests and ``--dry-run``).  Pane ids are the multiplexer's
(``%3`` for tmux); windows are addressed by ``(session, window index)``.
"""

from __future__ import annotations

from typing import Protocol

from perth.errors import UnavailableError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.mux.model import SessionSnap

DEFAULT_TIMEOUT_S = 5.0


class MuxNotRunningError(UnavailableError):
    """The multiplexer is installed but no server/session is running (a restore may start one)."""


class Multiplexer(Protocol):
    """One running multiplexer server."""

    kind: str
    calls: int

    def version(self) -> str:
        """The server's version (cached)."""

    def sessions(self, only: str | None = None, scrollback_lines: int = 0) -> tuple[SessionSnap, ...]:
        """Every session (or one) with windows and panes; commands come from the process tree."""

    def new_session(self, name: str, index: int, window: str, cwd: str,
                    size: tuple[int, int] | None) -> str:
        """Create a detached session with one window; its first pane id."""

    def new_window(self, session: str, index: int, name: str, cwd: str) -> str:
        """Create a window at an index; its first pane id."""

    def split(self, pane_id: str, cwd: str, *, floating: bool = False) -> str:
        """Split a pane (or open a floating pane next to it, where supported); the new pane id."""

    def apply_layout(self, session: str, index: int, layout: str) -> None:
        """Apply a saved layout to a window."""

    def send_text(self, pane_id: str, text: str, *, enter: bool) -> None:
        """Type text into a pane, pressing Enter only when asked."""

    def set_name(self, pane_id: str, name: str) -> None:
        """Attach a Perth pane name to a multiplexer pane."""

    def focus(self, session: str, index: int, pane_id: str | None) -> None:
        """Select a window (and a pane in it)."""

    def zoom(self, pane_id: str) -> None:
        """Zoom a pane to fill its window (no change when it already does)."""

    def kill_session(self, name: str) -> None:
        """Close a session."""

    def kill_window(self, session: str, index: int) -> None:
        """Close a window."""

    def kill_pane(self, pane_id: str) -> None:
        """Close a pane."""

    def pane_exists(self, pane_id: str) -> bool:
        """Whether a pane id is live."""
