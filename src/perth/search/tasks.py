"""Memory search's periodic work for ``perth daemon``: keep the search index in step with the store.

Every ``search.sync_interval_s`` seconds the daemon copies what the sources produced since their
cursors (new commands, intents, sessions, snapshots, changed code files) into the full-text index and
the vectors, so a search finds them without indexing anything itself.  A turn with nothing new opens
no index writer.  When another process holds the writer, the turn is skipped.  The daemon waits for
the segment merges its commits start (a search's own sync does not), so the index stays a few segments
however many small turns write to it.
"""

from __future__ import annotations

from perth.daemon_task import DaemonTask
from perth.errors import UnsupportedByStoreError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime


def _sync(rt: Runtime) -> str:
    from perth.search.sync import sync

    report = sync(rt, merge=True)
    if report.busy:
        return "another process is updating the index; next turn"
    if not report.total:
        return ""
    done = ", ".join(f"{count} {kind}" for kind, count in report.written if count)
    return f"{'rebuilt' if report.rebuilt else 'indexed'} {done}"


def search_sync_task(rt: Runtime) -> DaemonTask | None:
    """The index sync (``search.sync_interval_s``; 0 turns it off; a store without the search port: none)."""
    interval = rt.settings.get_int("search.sync_interval_s")
    if not interval or rt.store.read_only:
        return None
    try:
        rt.store.search_index  # noqa: B018 - only asking whether this store has the port
    except UnsupportedByStoreError:
        return None
    return DaemonTask(name="search", interval_s=float(interval), run=_sync)
