"""Automatic panes: one per place, whatever its folder is called.

A place is a repository and branch (a detached HEAD counts as the branch ``detached``, not one
place per commit) or, outside a repository, a directory.  Its key (``repo:<root>`` and the
branch, or ``dir:<path>``) is stored on the pane (``Pane.auto_key``), so two clones that share
a folder name and a branch are two panes.  The pane is named for people: ``myapp/main`` first;
when that name is taken by another place, the parent folders are added (``B/myapp/main``), and
as a last resort — or at once for another branch of the same repository — a number
(``myapp/main-2``).  Non-ASCII letters lose their accents (``café`` ->
``cafe``); other characters outside ``[A-Za-z0-9._/-]`` become ``-``.

This is the one naming function for ``perth log``/``status`` and for capture ingest, and it
works on redacted text: a token in a branch or folder name becomes ``REDACTED-<rule>`` in the
pane's name and key instead of being stored or refused.  A pane created before places were
recorded (no key) is adopted when it has the first name and stands for the same place.
"""

from __future__ import annotations

from perth.record import Record
from perth.records import PANE_NAME_CHARS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.records import Pane
    from perth.runtime import Runtime

PARENT_DEPTH = 3  # folders added to a taken name before falling back to a number
NUMBERED = 99


class Place(Record):
    """Where an automatic pane stands: its key, its candidate names (best first), how to say it."""

    key: str
    names: tuple[str, ...]
    detail: str
    root: str | None
    cwd: str


def place_of(rt: Runtime, *, cwd: str, repo_root: str | None, branch: str | None) -> Place:
    """The place of a working directory (and its repository, if any), from redacted text."""
    clean_cwd = str(rt.redact(cwd, "pane")).rstrip("/") or "/"
    if repo_root:
        root = str(rt.redact(repo_root, "pane")).rstrip("/") or "/"
        leaf = str(rt.redact(branch, "pane")) if branch else "detached"
        return Place(key=f"repo:{root}\n{leaf}", names=candidate_names(root, leaf),
                     detail=f"repository {root}", root=root, cwd=clean_cwd)
    return Place(key=f"dir:{clean_cwd}", names=candidate_names(clean_cwd, None),
                 detail=f"directory {clean_cwd}", root=None, cwd=clean_cwd)


def candidate_names(path: str, leaf: str | None) -> tuple[str, ...]:
    """``base/leaf``, then with one, two, three parent folders, then numbered."""
    parts = [part for part in path.split("/") if part]
    names: list[str] = []
    for depth in range(1, PARENT_DEPTH + 2):
        if depth > max(len(parts), 1):
            break
        folders = "/".join(_clean(part) for part in parts[-depth:]) if parts else "home"
        name = _clean(f"{folders}/{leaf}" if leaf else folders)
        if name not in names:
            names.append(name)
    first = names[0]
    names += [_clean(f"{first[:120]}-{n}") for n in range(2, NUMBERED + 1)]
    return tuple(names)


def _clean(raw: str) -> str:
    """A valid pane name from any text: accents dropped, other characters to ``-``, at most 128."""
    if not raw.isascii():
        import unicodedata

        raw = "".join(c for c in unicodedata.normalize("NFKD", raw) if not unicodedata.combining(c))
    out: list[str] = []
    for char in raw:
        if char in PANE_NAME_CHARS:
            out.append(char)
        elif not out or out[-1] != "-":
            out.append("-")
    cleaned = "".join(out).strip("-/")[:128].strip("-/")
    cleaned = "/".join(part for part in cleaned.split("/") if part.strip("."))  # no "." or ".." parts
    return cleaned if cleaned.strip(".") else "pane"


def find_pane(rt: Runtime, place: Place) -> Pane | None:
    """The live pane standing for ``place``: by key, or a keyless pane of its first name there."""
    store = rt.store
    found = store.panes.find_by_auto_key(place.key)
    if found is not None:
        return found
    legacy = store.panes.get(name=place.names[0])
    if legacy is not None and legacy.auto_key is None and _same_place(legacy, place):
        return legacy
    return None


def _same_place(pane: Pane, place: Place) -> bool:
    if place.root is not None:
        return pane.repo_root == place.root
    return pane.repo_root is None and (pane.cwd or "").rstrip("/") == place.cwd


def free_name(rt: Runtime, place: Place) -> str:
    """The first candidate name no live pane has; numbered right away when the name's owner is
    the same repository on another branch (``fix#12`` and ``fix@12``): parent folders would not
    tell them apart."""
    store = rt.store
    names = place.names
    owner = store.panes.get(name=names[0])
    if owner is None:
        return names[0]
    if place.root is not None and owner.repo_root == place.root:
        names = names[-(NUMBERED - 1):]
    for name in names:
        if store.panes.get(name=name) is None:
            return name
    from perth.ids import uuid7

    return _clean(f"{place.names[0][:100]}-{uuid7()[-8:]}")


def adopt(rt: Runtime, pane: Pane, place: Place) -> Pane:
    """Record ``place`` on a pane found by name before places were recorded."""
    if pane.auto_key == place.key:
        return pane
    from perth.record import replace

    adopted = replace(pane, auto_key=place.key)
    rt.store.panes.update(adopted)
    return adopted
