"""``perth daemon`` runs queued jobs with its own worker threads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def test_the_daemon_runs_queued_jobs(perth_proc: Callable[..., Any]) -> None:
    queued = perth_proc("job", "run", "shell", "--format", "json", "--", "echo", "from the daemon")
    job_id = json.loads(queued.stdout)["job"]["id"]
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PERTH_OPS__POLL_MS": "50", "PERTH_OPS__DAEMON_CONCURRENCY": "2"})
    try:
        deadline = time.monotonic() + 30
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            job = json.loads(perth_proc("job", "show", job_id, "--format", "json").stdout)["job"]
            if job["status"] == "succeeded":
                break
            time.sleep(0.1)
        assert (job["status"], job["output"]) == ("succeeded", "from the daemon\n")
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _ = daemon.communicate(timeout=20)
    assert "job workers started (2 at once)" in out
    assert "jobs every 5s" in out
