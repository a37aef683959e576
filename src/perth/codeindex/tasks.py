"""The code index's periodic work for ``perth daemon``."""

from __future__ import annotations

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime


def code_poll_task(rt: Runtime) -> DaemonTask | None:
    """Poll registered repositories (``code.poll_interval_s``; 0 turns the poller off)."""
    from perth.codeindex.poller import Poller

    interval = rt.settings.get_int("code.poll_interval_s")
    if not interval:
        return None
    poller = Poller(float(interval), rt.settings.get_int("code.poll_jitter_pct"))

    def run(runtime: Runtime) -> str:
        return "; ".join(poller.poll(runtime))

    return DaemonTask(name="code", interval_s=float(min(interval, 5)), run=run)
