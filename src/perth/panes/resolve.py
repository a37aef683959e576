"""Which pane "here" is.

Resolution order (first match wins), shown by ``perth status``:

1. ``--pane NAME`` on the command line;
2. ``$PERTH_PANE``;
3. the multiplexer pane id (``$TMUX_PANE``, ``$ZELLIJ_PANE_ID``) mapped to a registered pane;
4. the automatic pane of the place: the repository and branch or, outside a repository, the
   working directory (``perth.panes.automatic``: keyed by the place, named ``perth/main``).
"""

from __future__ import annotations

from collections.abc import Mapping

from perth.gitinfo import find_repo
from perth.panes.automatic import find_pane, free_name, place_of
from perth.record import Record
from perth.records import Pane, check_pane_name
from perth.runtime import Runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    How = Literal["flag", "env", "tmux", "zellij", "auto"]



class Resolution(Record):
    """The current pane and how it was found.

    ``pane`` is ``None`` when the name resolved but no such pane exists yet
    (an automatic pane that has not been used, or an unknown ``$PERTH_PANE``).
    ``auto_key`` is the automatic pane's place key (``how == "auto"`` only).
    """

    name: str
    how: How
    detail: str
    pane: Pane | None
    auto_key: str | None = None

    def to_json(self) -> dict[str, object]:
        """Contract shape used inside ``perth.status.v1``."""
        return {"name": self.name, "how": self.how, "detail": self.detail,
                "registered": self.pane is not None}


def mux_identity(env: Mapping[str, str]) -> tuple[str, str, str | None] | None:
    """``(kind, pane id, session)`` of the multiplexer pane we run in, if any."""
    if env.get("TMUX_PANE"):
        return "tmux", env["TMUX_PANE"], None
    if env.get("ZELLIJ_PANE_ID"):
        return "zellij", env["ZELLIJ_PANE_ID"], env.get("ZELLIJ_SESSION_NAME")
    return None


def resolve(rt: Runtime, explicit: str | None = None) -> Resolution:
    """Resolve the current pane by the documented order."""
    store = rt.store
    if explicit:
        name = check_pane_name(explicit)
        return Resolution(name, "flag", "--pane", store.panes.get(name=name))
    env_name = rt.environ.get("PERTH_PANE", "").strip()
    if env_name:
        name = check_pane_name(env_name)
        return Resolution(name, "env", "$PERTH_PANE", store.panes.get(name=name))
    mux = mux_identity(rt.environ)
    if mux is not None:
        kind, pane_id, _session = mux
        pane = store.panes.find_by_mux(kind, pane_id)
        if pane is not None:
            variable = "$TMUX_PANE" if kind == "tmux" else "$ZELLIJ_PANE_ID"
            return Resolution(pane.name, "tmux" if kind == "tmux" else "zellij",
                              f"{variable}={pane_id}", pane)
    repo = find_repo(rt.cwd)
    place = place_of(rt, cwd=rt.cwd, repo_root=repo.root if repo else None, branch=repo.branch if repo else None)
    pane = find_pane(rt, place)
    name = pane.name if pane is not None else free_name(rt, place)
    return Resolution(name, "auto", place.detail, pane, auto_key=place.key)
