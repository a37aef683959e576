"""Which pane "here" is.

Resolution order (first match wins), shown by ``perth status``:

1. ``--pane NAME`` on the command line;
2. ``$PERTH_PANE``;
3. the multiplexer pane id (``$TMUX_PANE``, ``$ZELLIJ_PANE_ID``) mapped to a registered pane;
4. the automatic pane, named from the repository and branch (``perth/main``) or,
   outside a repository, from the working directory's name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from perth.gitinfo import RepoInfo, find_repo
from perth.record import Record
from perth.records import PANE_NAME_CHARS, Pane, check_pane_name
from perth.runtime import Runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    How = Literal["flag", "env", "tmux", "zellij", "auto"]



class Resolution(Record):
    """The current pane and how it was found.

    ``pane`` is ``None`` when the name resolved but no such pane exists yet
    (an automatic pane that has not been used, or an unknown ``$PERTH_PANE``).
    """

    name: str
    how: How
    detail: str
    pane: Pane | None

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


def _replace_unsafe(text: str) -> str:
    """Each run of characters not allowed in pane names becomes one ``-``."""
    out: list[str] = []
    for char in text:
        if char in PANE_NAME_CHARS:
            out.append(char)
        elif not out or out[-1] != "-":
            out.append("-")
    return "".join(out)


def automatic_name(repo: RepoInfo | None, cwd_name: str) -> str:
    """The automatic pane name: ``<repo>/<branch>``, ``<repo>`` or the cwd's name."""
    if repo is not None:
        base = os.path.basename(repo.root)
        raw = f"{base}/{repo.branch}" if repo.branch else f"{base}/{repo.head or 'detached'}"
    else:
        raw = cwd_name or "home"
    cleaned = _replace_unsafe(raw).strip("-/")[:128].strip("-/")
    return cleaned if cleaned.strip(".") else "pane"


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
    # Named from redacted text, as capture ingest names panes: a token in a branch or folder name
    # becomes REDACTED-<rule> in the name rather than being stored or refused.
    found = find_repo(rt.cwd)
    repo = None if found is None else RepoInfo(root=rt.redact(found.root, "pane"),
                                                branch=rt.redact_optional(found.branch, "pane"), head=found.head)
    cwd = rt.redact(rt.cwd, "pane")
    name = automatic_name(repo, os.path.basename(cwd))
    detail = f"repository {repo.root}" if repo else f"directory {cwd}"
    return Resolution(name, "auto", detail, store.panes.get(name=name))
