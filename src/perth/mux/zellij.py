"""The Zellij adapter: ``zellij [--session S] action ...`` with a time limit.

Snapshots read ``zellij action dump-layout`` (KDL); a restore issues ``new-tab``, ``new-pane``,
``rename-pane``, ``write-chars`` and ``go-to-tab-name``.  Zellij acts on the focused pane, so the
pane ids this adapter returns are positional references (``tab:N``), and a saved layout cannot be
re-applied to an existing tab: :func:`perth.mux.kdl.layout_for` writes a KDL layout instead.
No Zellij binary exists on the development machines: the tests replay hand-written recordings.
"""

from __future__ import annotations

import subprocess

from perth.errors import PerthError, UnavailableError
from perth.mux.kdl import Node, parse
from perth.mux.model import PaneSnap, SessionSnap, WindowSnap
from perth.mux.port import DEFAULT_TIMEOUT_S, MuxNotRunningError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    Runner = Callable[[Sequence[str]], str]

NOT_RUNNING = ("there is no active session", "no active zellij sessions", "session not found")


class ZellijDriver:
    """A Zellij session reached through its CLI (``runner`` replaces the process in tests)."""

    kind = "zellij"

    def __init__(self, session: str = "", timeout_s: float = DEFAULT_TIMEOUT_S, runner: Runner | None = None) -> None:
        self.session = session
        self.timeout_s = timeout_s
        self.runner = runner or self._spawn
        self.calls = 0
        self._version = ""
        self._panes = 0

    def _spawn(self, args: Sequence[str]) -> str:
        try:
            done = subprocess.run(["zellij", *args], capture_output=True, text=True, timeout=self.timeout_s,
                                  check=False)
        except FileNotFoundError as exc:
            raise UnavailableError("zellij is not installed", "install Zellij 0.39 or later, or use tmux") from exc
        except subprocess.TimeoutExpired as exc:
            raise UnavailableError(f"zellij did not answer within {self.timeout_s:g} s",
                                   "check the session is responsive (or raise mux.timeout_ms)") from exc
        if done.returncode != 0:
            text = (done.stderr or done.stdout).strip()
            if any(marker in text.lower() for marker in NOT_RUNNING):
                raise MuxNotRunningError(f"Zellij is not running ({text})", "start zellij, or run Perth inside it")
            raise PerthError(f"zellij {' '.join(args[:3])} failed: {text or 'no message'}",
                             "check the session and tab exist (zellij list-sessions)")
        return done.stdout

    def action(self, *args: str, session: str | None = None) -> str:
        """``zellij [--session S] action ARGS``."""
        self.calls += 1
        target = session if session is not None else self.session
        return self.runner([*(["--session", target] if target else []), "action", *args])

    def version(self) -> str:
        """``zellij --version`` (cached)."""
        if not self._version:
            self.calls += 1
            self._version = self.runner(["--version"]).strip().removeprefix("zellij ")
        return self._version

    def sessions(self, only: str | None = None, scrollback_lines: int = 0) -> tuple[SessionSnap, ...]:
        """The current session, from ``dump-layout``."""
        name = only or self.session or "zellij"
        return (session_from_layout(name, self.action("dump-layout", session=only)),)

    def _ref(self, tab: str) -> str:
        self._panes += 1
        return f"{tab}:{self._panes}"

    def new_session(self, name: str, index: int, window: str, cwd: str, size: tuple[int, int] | None) -> str:
        """A background session, its first tab renamed."""
        self.calls += 1
        self.runner(["attach", "--create-background", name])
        self.session = name
        self.action("rename-tab", window)
        return self._ref(window)

    def new_window(self, session: str, index: int, name: str, cwd: str) -> str:
        """``new-tab --name --cwd``."""
        self.action("new-tab", "--name", name, "--cwd", cwd, session=session)
        return self._ref(name)

    def split(self, pane_id: str, cwd: str, *, floating: bool = False) -> str:
        """``new-pane --cwd`` (``--floating`` for floating panes) in the tab of ``pane_id``."""
        tab = pane_id.rsplit(":", 1)[0]
        self.action("go-to-tab-name", tab)
        self.action("new-pane", *(["--floating"] if floating else []), "--cwd", cwd)
        return self._ref(tab)

    def apply_layout(self, session: str, index: int, layout: str) -> None:
        """Zellij cannot re-apply a layout to a live tab; the generated KDL layout covers new sessions."""

    def send_text(self, pane_id: str, text: str, *, enter: bool) -> None:
        """``write-chars`` (and Enter as byte 13) into the focused pane."""
        self.action("write-chars", text)
        if enter:
            self.action("write", "13")

    def set_name(self, pane_id: str, name: str) -> None:
        """``rename-pane`` of the focused pane."""
        self.action("rename-pane", name)

    def focus(self, session: str, index: int, pane_id: str | None) -> None:
        """``go-to-tab`` (1-based)."""
        self.action("go-to-tab", str(index + 1), session=session)

    def zoom(self, pane_id: str) -> None:
        """Nothing: Zellij snapshots record no zoom (``dump-layout`` has none), so no plan asks for it."""
        del pane_id

    def kill_session(self, name: str) -> None:
        """``kill-session``."""
        self.calls += 1
        self.runner(["kill-session", name])

    def kill_window(self, session: str, index: int) -> None:
        """``go-to-tab`` then ``close-tab``."""
        self.action("go-to-tab", str(index + 1), session=session)
        self.action("close-tab", session=session)

    def kill_pane(self, pane_id: str) -> None:
        """``close-pane`` of the focused pane."""
        self.action("close-pane")

    def pane_exists(self, pane_id: str) -> bool:
        """Positional references cannot be checked: assume live."""
        return bool(pane_id)


def _leaf_panes(node: Node, out: list[tuple[Node, bool]], floating: bool) -> None:
    for child in node.children:
        if child.name == "floating_panes":
            _leaf_panes(child, out, True)
        elif child.name == "pane":
            if any(c.name == "plugin" for c in child.children) or child.props.get("borderless") == "true":
                continue
            if any(c.name == "pane" for c in child.children):
                _leaf_panes(child, out, floating)
            else:
                out.append((child, floating))


def _pane(position: int, node: Node, floating: bool, base: str) -> PaneSnap:
    args = next((c.args for c in node.children if c.name == "args"), ())
    command = " ".join([node.props["command"], *args]) if node.props.get("command") else ""
    cwd = node.props.get("cwd", "")
    if cwd and not cwd.startswith("/") and base:
        cwd = base.rstrip("/") + "/" + cwd
    return PaneSnap(index=position, cwd=cwd or base, command=command, perth_name=node.props.get("name", ""),
                    floating=floating, focused=node.props.get("focus") == "true", mux_pane_id=f"{position}")


def session_from_layout(name: str, text: str) -> SessionSnap:
    """A session from ``dump-layout`` output (tabs in order, leaf panes, floating panes)."""
    nodes = parse(text)
    root = next((n for n in nodes if n.name == "layout"), Node("layout", children=tuple(nodes)))
    base = next((c.args[0] for c in root.children if c.name == "cwd" and c.args), "")
    windows = []
    for index, tab in enumerate(c for c in root.children if c.name == "tab"):
        leaves: list[tuple[Node, bool]] = []
        _leaf_panes(tab, leaves, False)
        panes = tuple(_pane(i, node, floating, base) for i, (node, floating) in enumerate(leaves))
        windows.append(WindowSnap(index=index, name=tab.props.get("name", f"Tab #{index + 1}"),
                                  active=tab.props.get("focus") == "true", panes=panes))
    return SessionSnap(name=name, windows=tuple(windows))
