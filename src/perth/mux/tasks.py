"""Workspace autosave for ``perth daemon`` (same rules as ``perth snapshot save``)."""

from __future__ import annotations

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime


def _autosave(rt: Runtime) -> str:
    from perth.errors import UnavailableError
    from perth.mux.service import driver_for, save

    try:
        result = save(rt, driver_for(rt), kind="auto")
    except UnavailableError:
        return ""  # no multiplexer running: nothing to save, try again next time
    return f"autosaved snapshot {result.snapshot.name} ({result.snapshot.pane_count} panes)" if result.saved else ""


def autosave_task(rt: Runtime) -> DaemonTask | None:
    """Autosave every ``mux.autosave_interval_s`` seconds (0 turns it off); the first save is one interval in."""
    interval = rt.settings.get_int("mux.autosave_interval_s")
    if not interval:
        return None
    turns = [0]

    def run(runtime: Runtime) -> str:
        turns[0] += 1
        return "" if turns[0] == 1 else _autosave(runtime)

    return DaemonTask(name="autosave", interval_s=float(interval), run=run)
