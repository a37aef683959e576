"""The snapshot model: sessions -> windows (tabs) -> panes, as versioned JSON.

A snapshot is stored whole as its ``perth.snapshot.v1`` JSON; :func:`digest` hashes the parts that
describe the workspace (not ids, times or geometry that a resize changes) so that identical
consecutive snapshots are recognised and not saved again.
"""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SNAPSHOT_SCHEMA = "perth.snapshot.v1"
SNAPSHOT_VERSION = 1


class PaneSnap(Record):
    """One pane: where it works and what it runs."""

    index: int
    cwd: str = ""
    command: str = ""
    perth_name: str = ""
    mux_pane_id: str = ""
    width: int = 0
    height: int = 0
    left: int = 0
    top: int = 0
    floating: bool = False
    focused: bool = False
    scrollback: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON shape."""
        return {name: getattr(self, name) for name in self._fields}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaneSnap:
        """Inverse of :meth:`to_json` (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls._fields})


class WindowSnap(Record):
    """One tmux window or Zellij tab."""

    index: int
    name: str
    layout: str = ""
    active: bool = False
    panes: tuple[PaneSnap, ...] = ()
    zoomed: bool = False  # its active pane (``PaneSnap.focused``) fills the window (tmux zoom)

    def to_json(self) -> dict[str, Any]:
        """JSON shape."""
        return {"index": self.index, "name": self.name, "layout": self.layout, "active": self.active,
                "zoomed": self.zoomed, "panes": [p.to_json() for p in self.panes]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WindowSnap:
        """Inverse of :meth:`to_json`."""
        return cls(index=data["index"], name=data["name"], layout=data.get("layout", ""),
                   active=bool(data.get("active")), panes=tuple(PaneSnap.from_json(p) for p in data["panes"]),
                   zoomed=bool(data.get("zoomed")))


class SessionSnap(Record):
    """One multiplexer session."""

    name: str
    windows: tuple[WindowSnap, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON shape."""
        return {"name": self.name, "windows": [w.to_json() for w in self.windows]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionSnap:
        """Inverse of :meth:`to_json`."""
        return cls(name=data["name"], windows=tuple(WindowSnap.from_json(w) for w in data["windows"]))

    @property
    def pane_count(self) -> int:
        """Panes in every window."""
        return sum(len(w.panes) for w in self.windows)


class Snapshot(Record):
    """A saved workspace: ``kind`` is ``auto`` or ``named`` (hand-named snapshots are never pruned)."""

    id: str
    name: str
    created_at: int
    mux: str
    scope: str
    kind: str = "named"
    pinned: bool = False
    mux_version: str = ""
    sessions: tuple[SessionSnap, ...] = ()

    @property
    def pane_count(self) -> int:
        """Panes in every session."""
        return sum(s.pane_count for s in self.sessions)

    @property
    def window_count(self) -> int:
        """Windows in every session."""
        return sum(len(s.windows) for s in self.sessions)

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON document kept in the store."""
        return {"schema": SNAPSHOT_SCHEMA, "version": SNAPSHOT_VERSION, "id": self.id, "name": self.name,
                "created_at": self.created_at, "mux": self.mux, "mux_version": self.mux_version,
                "scope": self.scope, "kind": self.kind, "pinned": self.pinned,
                "sessions": [s.to_json() for s in self.sessions]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        """Inverse of :meth:`to_json`."""
        return cls(id=data["id"], name=data["name"], created_at=data["created_at"], mux=data["mux"],
                   scope=data["scope"], kind=data.get("kind", "named"), pinned=bool(data.get("pinned")),
                   mux_version=data.get("mux_version", ""),
                   sessions=tuple(SessionSnap.from_json(s) for s in data["sessions"]))


def layout_shape(layout: str) -> str:
    """A tmux layout without its checksum and pane ids: equal for the same geometry after a restore."""
    import re

    body = layout.split(",", 1)[1] if re.match(r"^[0-9a-f]{4},", layout) else layout
    return re.sub(r"(\d+x\d+,\d+,\d+),\d+", r"\1", body)


def workspace_key(sessions: tuple[SessionSnap, ...]) -> list[Any]:
    """What makes two workspaces the same: names, layouts, cwds, commands (not ids or focus)."""
    return [[s.name, [[w.index, w.name, layout_shape(w.layout), [[p.perth_name, p.cwd, p.command, p.floating]
                                                   for p in w.panes]] for w in s.windows]] for s in sessions]


def digest(sessions: tuple[SessionSnap, ...]) -> str:
    """A stable hash of :func:`workspace_key`."""
    import hashlib
    import json

    text = json.dumps(workspace_key(sessions), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
