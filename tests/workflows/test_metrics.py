"""Every workflow metric moves: runs by status, step durations, retries per step, approval wait, queue depth."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from perth.ops.service import JobSpec, submit
from perth.runtime import Runtime
from perth.workflows.loader import load
from perth.workflows.metrics import collect
from perth.workflows.runner import drive
from perth.workflows.service import decide, local_user, start
from tests.workflows.conftest import sh, write_flow


def test_each_metric_moves(rt: Runtime, tmp_path: Path) -> None:
    before = collect(rt)
    assert (before.runs_by_status, before.steps, before.approval_wait.count) == ({}, (), 0)
    flow = write_flow(tmp_path, f"""\
name: measured
steps:
  - id: flaky
    job: {sh(f"sleep 0.2; test -f {tmp_path}/again || {{ touch {tmp_path}/again; exit 1; }}")}
    retry: {{attempts: 2}}
  - id: gate
    needs: [flaky]
    approval: {{approvers: [{local_user()}]}}
    job: {sh("true")}
""")
    run = start(rt, load(flow), {})

    def approve_when_waiting() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if any(s.status == "waiting" for s in rt_other.store.workflows.steps(run.id)):
                time.sleep(0.3)
                decide(rt_other, run, "gate", approve=True)
                return
            time.sleep(0.02)

    rt_other = Runtime(rt.settings, environ=rt.environ)
    approver = threading.Thread(target=approve_when_waiting)
    approver.start()
    assert drive(rt, run).status == "succeeded"
    approver.join()
    rt_other.close()
    after = collect(rt)
    assert after.runs_by_status == {"succeeded": 1}
    flaky = next(s for s in after.steps if s.step == "flaky")
    assert (flaky.runs, flaky.retries) == (1, 1)
    assert flaky.duration.count == 1 and flaky.duration.max_ms >= 400  # two attempts of 0.2 s
    assert after.approval_wait.count == 1 and after.approval_wait.max_ms >= 300
    submit(rt, JobSpec(kind="shell", args=("true",)))
    assert collect(rt).queue_depth == {"queued": 1, "running": 0}
