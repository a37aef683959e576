"""A unit of periodic work for ``perth daemon``; capabilities build them in their ``tasks`` modules.

It lives apart from :mod:`perth.daemon` so that a capability's tasks import only this record,
while the daemon imports the capabilities' task modules (one direction, no cycle).
"""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.runtime import Runtime


class DaemonTask(Record):
    """Periodic work: ``run`` gets the runtime and returns a one-line summary."""

    name: str
    interval_s: float
    run: Callable[[Runtime], str]
