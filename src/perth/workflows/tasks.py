"""Workflows inside ``perth daemon``: fire the registered schedule and event triggers, and hand runs
whose runner died to a new one (``perth workflow resume`` in the background)."""

from __future__ import annotations

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime

#: How often the daemon looks at the triggers (a schedule fires at most this late).
INTERVAL_S = 5.0


def triggers_task(rt: Runtime) -> DaemonTask:
    """Fire due triggers every :data:`INTERVAL_S` seconds."""

    def run(runtime: Runtime) -> str:
        from perth.workflows.triggers import fire, resume_orphans

        if "workflows" not in runtime.store.capabilities:
            return ""  # a store without the workflows port (Redis, PostgreSQL for now)
        fired = fire(runtime)
        resumed = resume_orphans(runtime)
        parts = [f"{label} started run {run_id[-8:]}" for label, run_id in fired.started]
        parts += [f"{fired.missed} scheduled time(s) missed"] * bool(fired.missed)
        parts += [f"resumed {len(resumed)} run(s) whose runner died"] * bool(resumed)
        parts += list(fired.errors)
        return "; ".join(parts)

    return DaemonTask(name="workflows", interval_s=INTERVAL_S, run=run)
