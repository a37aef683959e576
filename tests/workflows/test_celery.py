"""Workflow steps on the Celery engine: two real `perth worker run --engine celery` processes (RabbitMQ
broker, Redis results), a diamond shared between them, outputs passed on, a failing step retried alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.ops.test_celery import Workers, queue_env, workers  # noqa: F401 - the fixtures
from tests.workflows.conftest import sh, write_flow


def test_a_workflow_runs_on_celery_workers(perth_proc: Callable[..., Any], workers: Workers,  # noqa: F811
                                           tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: on-celery
steps:
  - id: a
    job: {sh("echo ::output who=$PPID")}
  - id: b
    needs: [a]
    job: {sh("sleep 1; echo ::output who=$PPID")}
  - id: c
    needs: [a]
    job: {sh("sleep 1; echo ::output who=$PPID")}
  - id: d
    needs: [b, c]
    job: {sh(f"test -f {tmp_path}/fixed && echo ::output seen=${{{{ steps.b.outputs.who }}}}")}
""")
    done = perth_proc("workflow", "run", flow, "--engine", "celery", "--format", "json", timeout=120)
    assert done.returncode == 1, done.stderr
    run = json.loads(done.stdout)["run"]
    steps = {s["id"]: s for s in run["steps"]}
    assert (run["engine"], run["status"]) == ("celery", "failed")
    assert [steps[n]["status"] for n in "abcd"] == ["succeeded", "succeeded", "succeeded", "failed"]
    assert {int(steps[n]["outputs"]["who"]) for n in "bc"} == workers.pids  # b and c went to the two workers
    for step in steps.values():
        job = json.loads(perth_proc("job", "show", step["job_id"], "--format", "json").stdout)["job"]
        assert job["engine"] == "celery"
    (tmp_path / "fixed").touch()
    done = perth_proc("workflow", "retry", run["id"], "--format", "json", timeout=120)
    assert done.returncode == 0, done.stderr
    again = {s["id"]: s for s in json.loads(done.stdout)["run"]["steps"]}
    assert [again[n]["attempts"] for n in "abcd"] == [1, 1, 1, 2]  # only d ran again
    assert again["d"]["outputs"] == {"seen": steps["b"]["outputs"]["who"]}
