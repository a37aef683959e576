"""The tmux adapter: every call is ``tmux [-L name | -S path] ...`` with a time limit.

The socket comes from ``mux.tmux_socket_name`` / ``mux.tmux_socket_path`` (or PERTH_MUX__*), so
tests and users can target an isolated server.  Errors become :class:`PerthError`; a server that
is not running is an :class:`UnavailableError` (exit 4) with a hint.
"""

from __future__ import annotations

import subprocess

from perth.errors import PerthError, UnavailableError
from perth.mux.model import PaneSnap, SessionSnap, WindowSnap
from perth.mux.port import DEFAULT_TIMEOUT_S, MuxNotRunningError

SEP = "\t"
FIELDS = ("session_name", "window_index", "window_name", "window_layout", "window_active", "pane_index",
          "pane_id", "pane_current_path", "pane_pid", "pane_width", "pane_height", "pane_left", "pane_top",
          "pane_active", "@perth_name", "window_zoomed_flag")
FORMAT = SEP.join("#{" + f + "}" for f in FIELDS)
NOT_RUNNING = ("no server running", "error connecting", "no such file or directory", "no sessions")
_VERSIONS: dict[tuple[str, ...], str] = {}


class TmuxDriver:
    """A tmux server reached through its CLI."""

    kind = "tmux"

    def __init__(self, socket_name: str = "", socket_path: str = "", timeout_s: float = DEFAULT_TIMEOUT_S,
                 binary: str = "tmux") -> None:
        self.base = [binary] + (["-S", socket_path] if socket_path else ["-L", socket_name] if socket_name else [])
        self.timeout_s = timeout_s
        self.calls = 0

    def run(self, *args: str) -> str:
        """Run one tmux command; its stdout."""
        self.calls += 1
        try:
            done = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=self.timeout_s,
                                  check=False)
        except FileNotFoundError as exc:
            raise UnavailableError("tmux is not installed", "install tmux 3.0 or later") from exc
        except subprocess.TimeoutExpired as exc:
            raise UnavailableError(f"tmux {args[0]} did not answer within {self.timeout_s:g} s",
                                   "check that the tmux server is responsive (or raise mux.timeout_ms)") from exc
        if done.returncode != 0:
            raise _error(args[0], done.stderr.strip())
        return done.stdout

    def version(self) -> str:
        """``tmux -V`` (cached per binary and socket)."""
        key = tuple(self.base)
        if key not in _VERSIONS:
            _VERSIONS[key] = self.run("-V").strip().removeprefix("tmux ")
        return _VERSIONS[key]

    def sessions(self, only: str | None = None, scrollback_lines: int = 0) -> tuple[SessionSnap, ...]:
        """Every session (or ``only``), windows by index, panes by index."""
        from perth.mux.process import ProcessTable

        args = ["list-panes", "-s", "-t", f"={only}"] if only else ["list-panes", "-a"]
        rows = [line.split(SEP) for line in self.run(*args, "-F", FORMAT).splitlines() if line]
        table = ProcessTable.read(self.timeout_s)
        return build_sessions(rows, table.command_of, self._scrollback if scrollback_lines else None,
                              scrollback_lines)

    def _scrollback(self, pane_id: str, lines: int) -> str:
        return self.run("capture-pane", "-p", "-J", "-t", pane_id, "-S", f"-{lines}").rstrip("\n")

    def new_session(self, name: str, index: int, window: str, cwd: str,
                    size: tuple[int, int] | None) -> str:
        """A detached session; its first pane id."""
        extra = ["-x", str(size[0]), "-y", str(size[1])] if size else []
        out = self.run("new-session", "-d", "-P", "-F", "#{pane_id}" + SEP + "#{window_index}", "-s", name, "-n",
                       window, "-c", cwd, *extra).strip()
        pane_id, _, created = out.partition(SEP)
        if created != str(index):
            self.run("move-window", "-s", f"={name}:{created}", "-t", f"={name}:{index}")
        return pane_id

    def new_window(self, session: str, index: int, name: str, cwd: str) -> str:
        """A window at ``index``; its first pane id."""
        return self.run("new-window", "-d", "-P", "-F", "#{pane_id}", "-t", f"={session}:{index}", "-n", name,
                        "-c", cwd).strip()

    def split(self, pane_id: str, cwd: str, *, floating: bool = False) -> str:
        """Split a pane; the new pane id (tmux has no floating panes: popups are not panes)."""
        return self.run("split-window", "-d", "-P", "-F", "#{pane_id}", "-t", pane_id, "-c", cwd).strip()

    def apply_layout(self, session: str, index: int, layout: str) -> None:
        """``select-layout`` with the exact saved layout string."""
        self.run("select-layout", "-t", f"={session}:{index}", layout)

    def send_text(self, pane_id: str, text: str, *, enter: bool) -> None:
        """Type literally; press Enter only when asked."""
        self.run("send-keys", "-t", pane_id, "-l", text)
        if enter:
            self.run("send-keys", "-t", pane_id, "Enter")

    def set_name(self, pane_id: str, name: str) -> None:
        """Keep the Perth name in the pane option ``@perth_name``."""
        self.run("set-option", "-p", "-t", pane_id, "@perth_name", name)

    def focus(self, session: str, index: int, pane_id: str | None) -> None:
        """Select a window and a pane."""
        self.run("select-window", "-t", f"={session}:{index}")
        if pane_id:
            self.run("select-pane", "-t", pane_id)

    def zoom(self, pane_id: str) -> None:
        """Zoom the pane (its window shows only it), unless its window is zoomed already."""
        if self.run("display-message", "-p", "-t", pane_id, "#{window_zoomed_flag}").strip() != "1":
            self.run("resize-pane", "-Z", "-t", pane_id)

    def kill_session(self, name: str) -> None:
        """Close a session."""
        self.run("kill-session", "-t", f"={name}")

    def kill_window(self, session: str, index: int) -> None:
        """Close a window."""
        self.run("kill-window", "-t", f"={session}:{index}")

    def kill_pane(self, pane_id: str) -> None:
        """Close a pane."""
        self.run("kill-pane", "-t", pane_id)

    def pane_exists(self, pane_id: str) -> bool:
        """Whether ``pane_id`` is live."""
        try:
            return self.run("display-message", "-p", "-t", pane_id, "#{pane_id}").strip() == pane_id
        except UnavailableError:
            raise
        except PerthError:
            return False


def _error(command: str, stderr: str) -> PerthError:
    lowered = stderr.lower()
    if any(marker in lowered for marker in NOT_RUNNING):
        return MuxNotRunningError(f"tmux is not running ({stderr or 'no server'})",
                                "start tmux first, or point mux.tmux_socket_name / PERTH_MUX__TMUX_SOCKET_NAME"
                                " at the server you use")
    return PerthError(f"tmux {command} failed: {stderr or 'no message'}",
                      "check the target exists (tmux list-windows -a) and retry")


def _pane(row: list[str], command_of: object, scroll: str) -> PaneSnap:
    assert callable(command_of)  # noqa: S101 - typed by build_sessions
    return PaneSnap(index=int(row[5]), mux_pane_id=row[6], cwd=row[7],
                    command=command_of(int(row[8])) if row[8].isdigit() else "",
                    width=int(row[9]), height=int(row[10]), left=int(row[11]), top=int(row[12]),
                    focused=row[13] == "1", perth_name=row[14], scrollback=scroll)


def build_sessions(rows: list[list[str]], command_of: object, scrollback: object,
                   lines: int) -> tuple[SessionSnap, ...]:
    """Group ``list-panes`` rows into sessions, windows and panes."""
    tree: dict[str, dict[int, tuple[list[str], list[PaneSnap]]]] = {}
    for row in rows:
        if len(row) < len(FIELDS) - 1:  # window_zoomed_flag, the newest field, may be missing
            continue
        scroll = scrollback(row[6], lines) if callable(scrollback) else ""
        windows = tree.setdefault(row[0], {})
        windows.setdefault(int(row[1]), (row, []))[1].append(_pane(row, command_of, scroll))
    return tuple(SessionSnap(name=session, windows=tuple(
        WindowSnap(index=index, name=head[2], layout=head[3], active=head[4] == "1",
                   panes=tuple(sorted(panes, key=lambda p: p.index)), zoomed=head[15:16] == ["1"])
        for index, (head, panes) in sorted(windows.items()))) for session, windows in tree.items())


def layout_size(layout: str) -> tuple[int, int] | None:
    """The ``WxH`` a tmux layout string was made for (``csum,WxH,x,y...``)."""
    parts = layout.split(",", 2)
    if len(parts) < 2 or "x" not in parts[1]:
        return None
    width, _, height = parts[1].partition("x")
    return (int(width), int(height)) if width.isdigit() and height.isdigit() else None
