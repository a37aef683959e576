"""Events' periodic work for ``perth daemon``: drain the outbox to the configured transports."""

from __future__ import annotations

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.events.transports.port import Transport
    from perth.runtime import Runtime


class _Dispatcher:
    """Keeps the transports' connections open between rounds (the daemon runs one a few seconds apart)."""

    def __init__(self) -> None:
        self.transports: dict[str, Transport] | None = None

    def __call__(self, rt: Runtime) -> str:
        from perth.errors import ConflictError
        from perth.events.dispatch import flush
        from perth.events.transports import open_transports

        if self.transports is None:
            self.transports = open_transports(rt.settings)
        try:
            reports = flush(rt, self.transports)
        except ConflictError:
            return ""  # `perth events flush` is draining right now
        parts = [f"{r.transport}: {r.delivered} delivered" + (f", {r.dead} dead-lettered" if r.dead else "")
                 + (f" ({r.stopped})" if r.stopped else "") for r in reports if r.delivered or r.dead or r.stopped]
        return "events " + "; ".join(parts) if parts else ""


def dispatch_task(rt: Runtime) -> DaemonTask | None:
    """Drain the outbox every ``events.flush_interval_s`` seconds, when transports are configured."""
    from perth.events.transports import configured

    if not configured(rt.settings):
        return None
    return DaemonTask(name="events", interval_s=float(rt.settings.get_int("events.flush_interval_s")),
                      run=_Dispatcher())
