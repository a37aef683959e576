"""Jobs inside ``perth daemon``: a pool of ``ops.daemon_concurrency`` worker threads.

The second turn of the task (5 s after the daemon starts) starts the pool in the background — so
``perth daemon --once``, which runs one turn, never leaves a leased job behind — and later turns
report what it did since the last one.  The threads end with the daemon; a job one of them held when the daemon
stopped is re-leased by the next worker once its lease expires (``ops.lease_s``).
"""

from __future__ import annotations

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.executor import Pool, PoolStats
    from perth.runtime import Runtime


def jobs_task(rt: Runtime) -> DaemonTask | None:
    """Run queued jobs in the daemon (None when ``ops.daemon_concurrency`` is 0)."""
    concurrency = rt.settings.get_int("ops.daemon_concurrency")
    if not concurrency:
        return None
    state: dict[str, object] = {"turns": 0}

    def run(runtime: Runtime) -> str:
        from perth.ops.executor import Pool

        state["turns"] = int(state["turns"]) + 1  # type: ignore[call-overload]
        if state["turns"] == 1:
            return ""
        pool = state.get("pool")
        if not isinstance(pool, Pool):
            state["pool"] = Pool(runtime.settings, concurrency=concurrency).start()
            return f"job workers started ({concurrency} at once)"
        return _since(pool, state)

    return DaemonTask(name="jobs", interval_s=5.0, run=run)


def _since(pool: Pool, state: dict[str, object]) -> str:
    stats: PoolStats = pool.stats
    before = state.get("reported")
    state["reported"] = stats
    if stats == before or stats.ran == 0:
        return ""
    return f"jobs so far: {stats.ran} run, {stats.succeeded} succeeded, {stats.failed} failed, {stats.dead} dead"
