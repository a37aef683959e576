"""Jobs on Celery with the local RabbitMQ (broker) and Redis (results), two real worker processes,
a queue of its own per test run: jobs are shared between the workers, a transient failure is
retried through Celery, and a worker killed with kill -9 mid-job has its job redelivered to the
other worker (which first kills what is left of the dead attempt) — nothing lost, nothing run twice
at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

Proc = Callable[..., Any]


@pytest.fixture
def queue_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"perth-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("PERTH_OPS__CELERY_QUEUE", name)
    monkeypatch.setenv("PERTH_OPS__BACKOFF_MS", "100")
    yield name
    from kombu import Connection

    with Connection("amqp://127.0.0.1:5672//") as conn:
        conn.default_channel.queue_delete(name)


class Workers:
    """Two `perth worker run --engine celery` processes."""

    def __init__(self) -> None:
        self.procs = [self._start() for _ in range(2)]

    @staticmethod
    def _start() -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "perth", "worker", "run", "--engine", "celery",
                                 "--concurrency", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    @property
    def pids(self) -> set[int]:
        return {p.pid for p in self.procs}

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


@pytest.fixture
def workers(queue_env: str) -> Iterator[Workers]:
    started = Workers()
    time.sleep(3)  # both consume the queue before jobs arrive
    yield started
    started.stop()


def _submit(perth_proc: Proc, *args: str) -> str:
    cut = args.index("--")
    done = perth_proc("job", "run", *args[:cut], "--engine", "celery", "--format", "json", *args[cut:])
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["job"]["id"])


def _finished(perth_proc: Proc, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = json.loads(perth_proc("job", "show", job_id, "--format", "json").stdout)["job"]
        if job["status"] in ("succeeded", "failed", "dead", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_jobs_are_shared_by_two_workers_and_retried(perth_proc: Proc, workers: Workers) -> None:
    ids = [_submit(perth_proc, "shell", "--", "sh", "-c", "sleep 0.5; echo $PPID") for _ in range(6)]
    jobs = [_finished(perth_proc, i) for i in ids]
    assert all(j["status"] == "succeeded" and j["engine"] == "celery" for j in jobs)
    assert {int(j["output"]) for j in jobs} == workers.pids  # both workers ran jobs
    retried = _finished(perth_proc, _submit(perth_proc, "fake", "--attempts", "3", "--", "fail-first:2", "echo:ok"))
    assert (retried["status"], retried["attempt"], retried["output"]) == ("succeeded", 3, "ok\n")
    logs = json.loads(perth_proc("job", "logs", retried["id"], "--format", "json").stdout)["lines"]
    assert sum("retried after a backoff" in line["text"] for line in logs) == 2
    rejected = _finished(perth_proc, _submit(perth_proc, "fake", "--attempts", "3", "--", "reject"))
    assert (rejected["status"], rejected["attempt"], rejected["error_kind"]) == ("dead", 1, "rejected")


def test_a_killed_workers_job_is_redelivered_and_runs_alone(perth_proc: Proc, workers: Workers,
                                                              tmp_path: Path) -> None:
    runs, lock, who = tmp_path / "runs", tmp_path / "lock", tmp_path / "who"
    body = f"echo $PPID > {who}; echo start >> {runs}; sleep 4; echo done >> {runs}"
    job_id = _submit(perth_proc, "shell", "--", "flock", "-n", str(lock), "sh", "-c", body)
    deadline = time.monotonic() + 30
    while not (runs.exists() and who.exists() and who.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    flock_pid = int(who.read_text())
    worker_pid = int(Path(f"/proc/{flock_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert worker_pid in workers.pids
    os.kill(worker_pid, signal.SIGKILL)
    job = _finished(perth_proc, job_id, timeout=90)
    assert (job["status"], job["exit_code"]) == ("succeeded", 0), job
    assert runs.read_text().split() == ["start", "start", "done"]
    logs = json.loads(perth_proc("job", "logs", job_id, "--format", "json").stdout)["lines"]
    assert any("redelivered" in line["text"] for line in logs)
