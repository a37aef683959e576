"""Capture's periodic work for ``perth daemon``."""

from __future__ import annotations

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime


def _ingest(rt: Runtime) -> str:
    from perth.capture.ingest import ingest

    report = ingest(rt)
    if report.skipped_busy or not report.lines:
        return ""
    for warning in report.warnings:
        print(f"perth daemon: warning: {warning}")
    return f"ingested {report.inserted} of {report.lines} lines from {report.files} spool file(s)"


def ingest_task(rt: Runtime) -> DaemonTask:
    """Ingest spool files every ``capture.ingest_interval_s`` seconds."""
    return DaemonTask(name="ingest", interval_s=float(rt.settings.get_int("capture.ingest_interval_s")), run=_ingest)
