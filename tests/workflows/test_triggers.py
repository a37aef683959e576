"""Triggers: a cron schedule under a fake clock (on time, missed and skipped, missed and caught up once),
and an event recorded in the outbox starting a run through `perth daemon` end to end."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from perth.runtime import Runtime
from perth.workflows.loader import load
from perth.workflows.model import WorkflowRun
from perth.workflows.runner import drive
from perth.workflows.triggers import GRACE_MS, enable, fire
from tests.workflows.conftest import sh, write_flow


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


class FakeClock:
    def __init__(self, start: str) -> None:
        self.now = _ms(start)

    def __call__(self) -> int:
        return self.now

    def set(self, text: str) -> None:
        self.now = _ms(text)


@pytest.fixture
def clocked(rt: Runtime) -> tuple[Runtime, FakeClock]:
    clock = FakeClock("2026-03-01T00:00:00")
    return Runtime(rt.settings, environ=rt.environ, clock=clock), clock


def _schedule_flow(tmp_path: Path, missed: str) -> str:
    return write_flow(tmp_path, f"""\
name: nightly-{missed}
inputs: {{when: {{default: ""}}}}
triggers:
  - schedule: "0 2 * * *"
    missed: {missed}
    inputs: {{when: "${{{{ schedule.time }}}}"}}
steps:
  - id: stamp
    job: {sh(f"echo ${{{{ inputs.when }}}} >> {tmp_path}/ran-{missed}")}
""", f"{missed}.yml")


def test_a_schedule_fires_on_time_skips_missed_times_and_counts_them(
        clocked: tuple[Runtime, FakeClock], tmp_path: Path) -> None:
    rt, clock = clocked
    [state] = enable(rt, load(_schedule_flow(tmp_path, "skip")), user="alice")
    assert state.next_at == _ms("2026-03-01T02:00:00")
    launched: list[WorkflowRun] = []
    clock.set("2026-03-01T01:59:59")
    assert fire(rt, launch=launched.append).started == () and launched == []
    clock.set("2026-03-01T02:00:20")  # the daemon's turn came 20 s after the fire time: on time
    fired = fire(rt, launch=launched.append)
    assert len(fired.started) == 1 and fired.missed == 0
    [run] = launched
    assert (run.trigger, run.started_by) == ("schedule:0 2 * * *", "alice")
    assert drive(rt, run).status == "succeeded"
    assert (tmp_path / "ran-skip").read_text().strip() == "2026-03-01T02:00:20.000Z"
    clock.set("2026-03-01T02:00:40")
    assert fire(rt, launch=launched.append).started == ()  # fired once per fire time
    clock.set("2026-03-04T03:00:00")  # no daemon for three nights: 02:00 on the 2nd, 3rd and 4th were missed
    fired = fire(rt, launch=launched.append)
    assert (fired.started, fired.missed, len(launched)) == ((), 3, 1)
    [state] = rt.store.workflows.triggers()
    assert (state.fired, state.missed, state.next_at) == (1, 3, _ms("2026-03-05T02:00:00"))
    clock.now = _ms("2026-03-05T02:00:00") + GRACE_MS + 1  # a turn later than the grace: missed too
    assert fire(rt, launch=launched.append).missed == 1 and len(launched) == 1
    from perth.workflows.metrics import collect

    assert collect(rt).triggers == {"enabled": 1, "fired": 1, "missed": 4}


def test_missed_once_catches_up_with_one_run(clocked: tuple[Runtime, FakeClock], tmp_path: Path) -> None:
    rt, clock = clocked
    enable(rt, load(_schedule_flow(tmp_path, "once")), user="alice")
    launched: list[WorkflowRun] = []
    clock.set("2026-03-06T12:00:00")  # 02:00 on the 1st to the 6th: six missed, one catch-up run
    fired = fire(rt, launch=launched.append)
    assert (len(fired.started), fired.missed, len(launched)) == (1, 6, 1)
    assert fire(rt, launch=launched.append).started == ()
    [state] = rt.store.workflows.triggers()
    assert (state.fired, state.missed, state.last_run_id) == (1, 6, launched[0].id)
    assert state.next_at == _ms("2026-03-07T02:00:00")


def test_a_schedule_in_a_time_zone(clocked: tuple[Runtime, FakeClock], tmp_path: Path) -> None:
    rt, _clock = clocked
    flow = write_flow(tmp_path, f"""\
name: tz
triggers: [{{schedule: "30 9 * * 1", timezone: Asia/Kolkata}}]
steps: [{{id: a, job: {sh("true")}}}]
""")
    [state] = enable(rt, load(flow), user="alice")
    assert state.next_at == _ms("2026-03-02T04:00:00")  # Monday 09:30 in Kolkata (UTC+5:30)


def _emit_classified(rt: Runtime, verdict: str, run_id: str) -> None:
    from perth.events.emit import emit
    from perth.shellperf.records import LedgerEntry, Run, RunSpec

    run = Run(id=run_id, created_at=1, spec=RunSpec(shell="bash"), profile="p",  # noqa: S604 - a record field
              shell_version="5.2", samples=())
    with rt.store.unit():
        emit(rt, "perth.shellperf.classified", LedgerEntry(run=run, verdict=verdict))


EVENT_FLOW = """\
name: on-slow-shell
inputs: {{run: {{default: none}}}}
triggers:
  - event: perth.shellperf.classified
    when: data.verdict == 'FAIL'
    inputs: {{run: "${{{{ data.run_id }}}}"}}
steps:
  - id: note
    job: {job}
"""


def test_an_event_in_the_outbox_starts_a_run_through_the_daemon(
        rt: Runtime, tmp_path: Path, perth_proc: Callable[..., Any]) -> None:
    flow = write_flow(tmp_path, EVENT_FLOW.format(job=sh(f"echo ${{{{ inputs.run }}}} >> {tmp_path}/slow-runs")))
    _emit_classified(rt, "FAIL", "before-enable")  # events before the trigger was enabled start nothing
    enabled = perth_proc("workflow", "enable", flow, "--format", "json")
    assert enabled.returncode == 0, enabled.stderr
    data = json.loads(enabled.stdout)
    assert data["schema"] == "perth.workflow.triggers.v1" and data["triggers"][0]["kind"] == "event"
    _emit_classified(rt, "OK", "fast-one")
    _emit_classified(rt, "FAIL", "slow-one")
    daemon = perth_proc("daemon", "--once", timeout=60)
    assert daemon.returncode == 0, daemon.stdout + daemon.stderr
    assert "on-slow-shell#1 (event) started run" in daemon.stdout
    deadline = time.monotonic() + 30
    runs: list[WorkflowRun] = []
    while time.monotonic() < deadline:
        runs = rt.store.workflows.recent(10)
        if runs and runs[0].status != "running":
            break
        time.sleep(0.1)
    assert [(r.name, r.status, r.inputs) for r in runs] == [("on-slow-shell", "succeeded", {"run": "slow-one"})]
    assert runs[0].trigger.startswith("event:perth.shellperf.classified:")
    assert (tmp_path / "slow-runs").read_text() == "slow-one\n"
    assert perth_proc("daemon", "--once").returncode == 0  # each event is looked at once
    assert len(rt.store.workflows.recent(10)) == 1
    listed = json.loads(perth_proc("workflow", "triggers", "--format", "json").stdout)
    assert (listed["triggers"][0]["fired"], listed["triggers"][0]["last_run_id"]) == (1, runs[0].id)
    assert perth_proc("workflow", "disable", "on-slow-shell").returncode == 0
    _emit_classified(rt, "FAIL", "after-disable")
    assert perth_proc("daemon", "--once").returncode == 0
    assert len(rt.store.workflows.recent(10)) == 1


def test_an_event_that_cannot_start_a_run_is_reported_and_passed(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, EVENT_FLOW.format(job=sh("true")).replace("data.verdict == 'FAIL'",
                                                                          "data.samples < 'x'"))
    enable(rt, load(flow), user="alice")
    _emit_classified(rt, "FAIL", "r1")
    fired = fire(rt, launch=lambda run: None)
    assert fired.started == () and "cannot order" in fired.errors[0]
    assert fire(rt, launch=lambda run: None).errors == ()  # not looked at again


def test_enable_refuses_a_file_without_triggers_and_disable_an_unknown_name(
        cli: Callable[..., Any], tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"name: plain\nsteps: [{{id: a, job: {sh('true')}}}]\n")
    done = cli("workflow", "enable", flow)
    assert done.code != 0 and "has no triggers" in done.err
    done = cli("workflow", "disable", "nothing")
    assert done.code != 0 and "no enabled triggers" in done.err


def test_the_daemon_resumes_a_run_whose_runner_died(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"name: orphan\nsteps: [{{id: a, job: {sh(f'touch {tmp_path}/done')}}}]\n")
    from perth.workflows.service import start
    from perth.workflows.triggers import resume_orphans

    run = start(rt, load(flow), {})
    assert rt.store.workflows.claim(run.id, "gone:1:workflow", rt.clock() - 10_000, rt.clock() - 5_000)
    resumed: list[WorkflowRun] = []
    assert resume_orphans(rt, launch=resumed.append) == [run.id]
    assert drive(rt, resumed[0]).status == "succeeded" and (tmp_path / "done").exists()
    assert resume_orphans(rt, launch=resumed.append) == []
