"""Attaching captured commands to panes, by the resolution order of C1.

For each command: ``$PERTH_PANE`` as it was in that shell, else the tmux or Zellij pane
id mapped to a registered pane, else the automatic pane of the repository and branch (or
the working directory), found and named by ``perth.panes.automatic`` exactly as ``perth log``
does it.  Missing panes are created when ``panes.auto_create`` is on; otherwise the command
keeps no pane.  Results are cached per distinct context (a repository's subdirectories are one),
so ingesting thousands of lines costs a handful of queries.
"""

from __future__ import annotations

import os

from perth.errors import PerthError
from perth.panes.automatic import adopt, find_pane, free_name, place_of
from perth.records import check_pane_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.capture.spool_format import SpoolRecord
    from perth.records import Pane
    from perth.runtime import Runtime


class PaneLinker:
    """Finds (or creates) the pane of each captured command."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.auto_create = rt.settings.get_bool("panes.auto_create")
        self._cache: dict[tuple[str, ...], Pane | None] = {}

    def pane_for(self, record: SpoolRecord) -> Pane | None:
        # inside a repository the pane is that of the repository and branch wherever the shell stands
        # in it (the directory only seeds a new pane's cwd): one resolution per place, not per folder
        key = (record.perth_pane, record.tmux_pane, record.zellij_pane, record.repo_root, record.branch,
               "" if record.repo_root else record.cwd)
        if key not in self._cache:
            self._cache[key] = self._resolve(record)
        return self._cache[key]

    def _resolve(self, record: SpoolRecord) -> Pane | None:
        store = self.rt.store
        if record.perth_pane:
            try:
                return self._named(check_pane_name(record.perth_pane), record)
            except PerthError:
                pass  # an invalid $PERTH_PANE falls through to the next rule
        for kind, pane_id in (("tmux", record.tmux_pane), ("zellij", record.zellij_pane)):
            if pane_id:
                found = store.panes.find_by_mux(kind, pane_id)
                if found is not None:
                    return found
        place = place_of(self.rt, cwd=record.cwd, repo_root=record.repo_root or None, branch=record.branch or None)
        pane = find_pane(self.rt, place)
        if pane is not None:
            return adopt(self.rt, pane, place)
        if not self.auto_create:
            return None
        from perth.panes.service import PaneSpec, create_pane

        cwd = record.cwd if record.cwd and os.path.isabs(record.cwd) else None
        return create_pane(self.rt, PaneSpec(name=free_name(self.rt, place), cwd=cwd, attach=False,
                                             auto_key=place.key))

    def _named(self, name: str, record: SpoolRecord) -> Pane | None:
        found = self.rt.store.panes.get(name=name)
        if found is not None or not self.auto_create:
            return found
        from perth.panes.service import PaneSpec, create_pane

        cwd = record.cwd if record.cwd and os.path.isabs(record.cwd) else None
        return create_pane(self.rt, PaneSpec(name=name, cwd=cwd, attach=False))
