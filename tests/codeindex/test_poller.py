"""The daemon's poller: deterministic per-repository jitter, re-index on change in worker processes,
a breaker per repository, and the task registered in ``perth daemon``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.codeindex import service
from perth.codeindex.poller import Poller, check_repo, jitter_fraction, poll_offset_s
from perth.codeindex.service import breaker_for
from perth.daemon import builtin_tasks
from perth.runtime import Runtime
from tests.codeindex.conftest import copy_fixture, touch_later


@given(st.text(min_size=1, max_size=40))
def test_jitter_is_fixed_per_repository_and_bounded(repo_id: str) -> None:
    assert jitter_fraction(repo_id) == jitter_fraction(repo_id)
    assert -1.0 <= jitter_fraction(repo_id) < 1.0
    assert abs(poll_offset_s(repo_id, 60.0, 20)) <= 12.0


def test_jitter_spreads_repositories() -> None:
    offsets = {round(poll_offset_s(f"repo-{i}", 60.0, 20), 3) for i in range(50)}
    assert len(offsets) > 40 and min(offsets) < -6 and max(offsets) > 6


def test_poller_indexes_new_and_changed_repositories_only(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    repo = service.add_repo(rt, str(root), name="py")
    now = [1000.0]
    poller = Poller(60.0, 20, monotonic=lambda: now[0])
    assert poller.poll(rt) == []  # first sight: checked within a tenth of its jitter, not all at once
    assert poller.due[repo.id] <= now[0] + 1.2
    now[0] += 2
    assert [line.split(":")[0] for line in poller.poll(rt)] == ["py"]  # new: indexed in worker processes
    assert rt.store.code.counts(repo.id)[1] == 22
    now[0] += 1
    assert poller.poll(rt) == []  # not due yet
    now[0] = poller.due[repo.id]
    assert poller.poll(rt) == []  # due, unchanged
    store = root / "app" / "core" / "store.py"
    store.write_text(store.read_text() + "\n\ndef extra():\n    pass\n")
    touch_later(store)
    now[0] = poller.due[repo.id]
    assert "re-indexed 1 file(s)" in poller.poll(rt)[0]


def test_breaker_opens_after_repeated_failures(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    repo = service.add_repo(rt, str(root), name="py")
    shutil.rmtree(root)
    for _ in range(3):
        assert "failed" in check_repo(rt, repo)
    assert breaker_for(rt, repo).state().state == "open"
    assert check_repo(rt, repo) == ""  # failing fast: not even looked at
    status = service.status(rt, "py")[0]
    assert status.state == "unavailable" and "gone" in status.detail


def test_daemon_registers_the_poller(rt: Runtime) -> None:
    assert "code" in [task.name for task in builtin_tasks(rt)]


def test_worker_processes_give_the_same_graph(rt: Runtime, tmp_path: Path) -> None:
    from perth.codeindex.indexer import index_repo
    from tests.codeindex.conftest import all_rows

    root = copy_fixture("python", tmp_path)
    (root / "app" / "secret.py").write_text('TOKEN = "ghp_' + "a1B2c3D4e5F6g7H8i9J0" * 2 + 'xy"\n')
    pooled = service.add_repo(rt, str(root), name="pooled")
    index_repo(rt, pooled, force_pool=True)
    inline = service.add_repo(rt, str(copy_fixture("python", tmp_path / "b")), name="inline")
    (tmp_path / "b" / "python" / "app" / "secret.py").write_text((root / "app" / "secret.py").read_text())
    index_repo(rt, inline)
    assert all_rows(rt, pooled)[1:] == all_rows(rt, inline)[1:]
    variable = rt.store.code.find_symbols(pooled.id, name="TOKEN")[0]
    assert variable.signature.startswith("TOKEN = ") and "ghp_" not in variable.signature


@pytest.mark.integration
def test_a_running_daemon_indexes_and_follows_a_repository(cli: Any, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    assert cli("code", "add", str(root), "--name", "py", "--no-index").code == 0
    env = {**os.environ, "PERTH_CODE__POLL_INTERVAL_S": "1", "PERTH_MUX__AUTOSAVE_INTERVAL_S": "0"}
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(lambda: _symbols(cli, "start") == ["app.core.engine.start"]), "the daemon indexed the repository"
        (root / "app" / "late.py").write_text("def arrived_later():\n    pass\n")
        assert _wait(lambda: _symbols(cli, "arrived_later") == ["app.late.arrived_later"]), "and followed a change"
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _err = daemon.communicate(timeout=30)
    assert "code: py: re-indexed" in out and "daemon stopped" in out


def _symbols(cli: Any, name: str) -> list[str]:
    result = cli("code", "find", name, "--repo", "py", "--format", "json")
    return [s["qualname"] for s in json.loads(result.out)["symbols"]] if result.out else []


def _wait(predicate: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_removing_a_repository_closes_its_breaker(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    repo = service.add_repo(rt, str(root), name="py")
    shutil.rmtree(root)
    for _ in range(3):
        check_repo(rt, repo)
    assert breaker_for(rt, repo).state().state == "open"
    service.remove_repo(rt, "py")
    assert breaker_for(rt, repo).state().state == "closed"
