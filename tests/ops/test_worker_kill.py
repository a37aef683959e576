"""A worker killed with kill -9 mid-job loses nothing: its job is re-leased and retried (or
dead-lettered after its last attempt), and the two attempts never run at the same time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAST = {"PERTH_OPS__LEASE_S": "1", "PERTH_OPS__POLL_MS": "50", "PERTH_OPS__BACKOFF_MS": "0"}


def _worker(*extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "perth", "worker", "run", "--concurrency", "1", *extra],
                            env={**os.environ, **FAST}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def _job_after_kill(perth_proc: Callable[..., Any], tmp_path: Path, attempts: int) -> dict[str, Any]:
    runs, lock = tmp_path / "runs", tmp_path / "lock"
    body = f"echo start >> {runs}; sleep 3; echo done >> {runs}"
    queued = perth_proc("job", "run", "shell", "--attempts", str(attempts), "--format", "json", "--",
                        "flock", "-n", str(lock), "sh", "-c", body)
    assert queued.returncode == 0, queued.stderr
    job_id = json.loads(queued.stdout)["job"]["id"]
    first = _worker()
    try:
        _wait_for(runs, "start")
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=10)
    second = _worker("--drain")
    _out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    shown = perth_proc("job", "show", job_id, "--format", "json")
    job: dict[str, Any] = json.loads(shown.stdout)["job"]
    job["runs"] = runs.read_text().split()
    return job


def test_a_killed_workers_job_is_re_leased_and_runs_alone(perth_proc: Callable[..., Any], tmp_path: Path) -> None:
    job = _job_after_kill(perth_proc, tmp_path, attempts=3)
    assert (job["status"], job["attempt"], job["exit_code"]) == ("succeeded", 2, 0)
    assert job["runs"] == ["start", "start", "done"]  # the first attempt's processes were killed, not left running


def test_a_killed_workers_last_attempt_is_dead_lettered(perth_proc: Callable[..., Any], tmp_path: Path) -> None:
    job = _job_after_kill(perth_proc, tmp_path, attempts=1)
    assert (job["status"], job["attempt"], job["error_kind"]) == ("dead", 1, "lease_lost")
    time.sleep(3.5)
    assert job["runs"] == ["start"] and (tmp_path / "runs").read_text().split() == ["start"]
    dlq = json.loads(perth_proc("job", "dlq", "list", "--format", "json").stdout)
    assert [j["id"] for j in dlq["jobs"]] == [job["id"]]


def test_an_orphaned_attempt_is_gone_when_its_killer_returns(tmp_path: Path) -> None:
    """The next attempt starts right after the kill: every process of the old group must be gone by then,
    or a lock it holds (``flock -n``) makes the new attempt fail."""
    from perth.ops.process import LEASE_VARIABLE, group_alive, kill_orphaned_attempt

    lock = tmp_path / "lock"
    for _ in range(5):
        proc = subprocess.Popen(["flock", str(lock), "sh", "-c", "sleep 30 & sleep 30 & wait"],
                                env={**os.environ, LEASE_VARIABLE: "token-1"}, start_new_session=True)
        deadline = time.monotonic() + 10
        while not group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # the shell has started its children
        assert not kill_orphaned_attempt(proc.pid, "another-token")  # not this job's: left alone
        assert group_alive(proc.pid)
        assert kill_orphaned_attempt(proc.pid, "token-1")
        assert not group_alive(proc.pid)
        taken = subprocess.run(["flock", "-n", str(lock), "true"], check=False, timeout=10)
        assert taken.returncode == 0  # the lock is free at once
        proc.wait(timeout=10)
