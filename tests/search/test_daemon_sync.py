"""``perth daemon`` keeps the search index current: what arrives is searchable without a search indexing it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.daemon import builtin_tasks
from perth.search.service import SearchRequest, search_memory
from perth.search.sync import sync
from tests.search.conftest import add_commands, make_rt


def found_without_sync(text: str, kind: str) -> list[str]:
    """Hits read from the index as the daemon left it (the search itself indexes nothing)."""
    page = search_memory(make_rt(), SearchRequest(text=text, kinds=(kind,), limit=10), sync_first=False)
    return [h.ref_id for h in page.hits]


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_the_daemon_registers_the_sync_and_it_can_be_turned_off() -> None:
    assert "search" in [t.name for t in builtin_tasks(make_rt())]
    assert "search" not in [t.name for t in builtin_tasks(make_rt(**{"search.sync_interval_s": "0"}))]


@pytest.mark.integration
def test_a_running_daemon_indexes_intents_commands_sessions_and_code(cli: Callable[..., Any],
                                                                     tmp_path: Path) -> None:
    repo = tmp_path / "inventory-service"
    repo.mkdir()
    (repo / "stock.py").write_text('def reserve_stock(sku):\n    """Hold warehouse stock for an order."""\n')
    assert cli("code", "add", str(repo), "--name", "inventory", "--no-index").code == 0
    env = {**os.environ, "PERTH_SEARCH__SYNC_INTERVAL_S": "1", "PERTH_CODE__POLL_INTERVAL_S": "1",
           "PERTH_MUX__AUTOSAVE_INTERVAL_S": "0"}
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert cli("log", "decided to move the warehouse queue to nats", "--pane", "ops",
                   "--type", "decision").code == 0
        add_commands(make_rt(), ["kubectl rollout restart deploy/warehouse"], start_ms=make_rt().clock())
        assert wait_for(lambda: len(found_without_sync("warehouse queue", "intent")) == 1), "the intent"
        assert wait_for(lambda: found_without_sync("rollout warehouse", "command") == ["c0000000"]), "the command"
        assert wait_for(lambda: bool(found_without_sync("warehouse nats", "journal"))), "the session"
        assert wait_for(lambda: found_without_sync("warehouse stock", "code")[:1] == [
            "inventory:stock.py:1:stock.reserve_stock"]), "the symbols the daemon's poller indexed"
        (repo / "stock.py").write_text('def release_stock(sku):\n    """Give warehouse stock back."""\n')
        later = time.time() + 5
        os.utime(repo / "stock.py", (later, later))
        assert wait_for(lambda: found_without_sync("warehouse stock", "code")[:1] == [
            "inventory:stock.py:1:stock.release_stock"]), "and a changed file"
        assert found_without_sync("reserve", "code") == [], "the old symbol is gone"
        assert sync(make_rt()).total == 0, "nothing was left for a search to index"
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    assert "search: indexed" in out, (out, err)
    assert "daemon stopped" in out


def _segments(rt: Any) -> int:
    import json

    from perth.search.engine import index_dir

    with open(os.path.join(index_dir(rt), "fulltext", "meta.json")) as meta:
        return len(json.load(meta)["segments"])


def test_the_daemons_turns_keep_the_index_to_a_few_segments() -> None:
    """Each turn that writes commits one segment; the daemon lets the merges those commits start finish
    (a writer that is rolled back cancels them), so 40 turns do not leave 40 segments to search."""
    from perth.search.tasks import search_sync_task

    rt = make_rt()
    task = search_sync_task(rt)
    assert task is not None
    for turn in range(40):
        add_commands(rt, [f"make deploy-{turn} --region north"], start_ms=1_000 + turn, tag=f"d{turn:02d}")
        assert task.run(rt).endswith(" 1 command")  # the first turn builds the index: "rebuilt"
    assert _segments(rt) <= 8
    page = search_memory(rt, SearchRequest(text="deploy region", kinds=("command",), limit=50), sync_first=False)
    assert len(page.hits) == 40


def test_a_reindex_leaves_one_segment() -> None:
    from perth.search.service import reindex

    rt = make_rt()
    for turn in range(12):
        add_commands(rt, [f"git push origin topic-{turn}"], start_ms=1_000 + turn, tag=f"p{turn:02d}")
        sync(rt)  # a search's own sync: one segment each
    reindex(rt)
    assert _segments(rt) == 1
