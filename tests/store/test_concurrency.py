"""Many `perth log` processes writing one shared store at once (PostgreSQL and Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from perth.records import PaneQuery
from perth.store import open_location
from tests.store.adapters import pg_schema, redis_prefix

pytestmark = pytest.mark.integration

SHARED: dict[str, Callable[[], AbstractContextManager[str]]] = {"postgresql": pg_schema, "redis": redis_prefix}


@pytest.mark.parametrize("engine", sorted(SHARED))
def test_twenty_writers_at_once_lose_nothing(tmp_path: Path, engine: str) -> None:
    with SHARED[engine]() as url:
        open_location(url).close()  # the schema exists; the writers race on panes and entries only
        procs = [subprocess.Popen([sys.executable, "-m", "perth", "log", f"writer {i} was here", "--pane", f"w/{i % 4}"],
                                  env={**os.environ, "PERTH_HOME": str(tmp_path / f"h{i}"), "PERTH_STORE__URL": url},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(20)]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 20, errors
        store = open_location(url)
        try:
            summaries = sorted(e.summary for e in store.entries.stream())
            panes = store.panes.query(PaneQuery())
            counts = [store.entries.count(p.id) for p in panes]
        finally:
            store.close()
    assert summaries == sorted(f"writer {i} was here" for i in range(20))
    assert sorted(p.name for p in panes) == ["w/0", "w/1", "w/2", "w/3"]
    assert counts == [5, 5, 5, 5]
