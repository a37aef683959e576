"""``perth workflow`` end to end: pinned JSON contracts, gates as the local user, kill -9 then resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.json_contract import pinned_json
from tests.workflows.conftest import sh, write_flow

Cli = Callable[..., Any]
RUN_STEP_KEYS = {"id", "status", "attempts", "job_id", "child_run_id", "outputs", "started_at", "finished_at", "error",
                 "approval"}
CONTRACTS = {
    "perth.workflow.run.v1": {"schema", "action", "run"},
    "perth.workflow.list.v1": {"schema", "count", "runs"},
    "perth.workflow.validate.v1": {"schema", "valid", "name", "path", "inputs", "steps"},
    "perth.workflow.schema.v1": {"schema", "json_schema"},
    "perth.workflow.graph.v1": {"schema", "name", "graph_format", "graph", "nodes", "edges"},
    "perth.workflow.metrics.v1": {"schema", "runs_by_status", "queue_depth", "approval_wait", "steps",
                                  "triggers"},
    "perth.workflow.logs.v1": {"schema", "run_id", "steps"},
    "perth.workflow.decision.v1": {"schema", "run_id", "step", "decision", "decided_by", "decided_at", "note"},
    "perth.workflow.triggers.v1": {"schema", "action", "count", "triggers"},
}
TRIGGER_KEYS = {"workflow", "position", "kind", "trigger", "path", "enabled_by", "enabled_at", "next_at", "event_seq",
                "last_at", "last_run_id", "fired", "missed"}
RUN_KEYS = {"id", "name", "path", "status", "inputs", "started_by", "created_at", "finished_at", "cancel_requested",
            "engine", "trigger", "parent_run_id", "outputs", "steps"}


def _count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_run_prints_the_run_and_each_steps_status_and_attempts(cli: Cli, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: nightly
inputs: {{dest: {{default: {tmp_path}/default}}}}
steps:
  - id: bundle
    job: {{kind: shell, args: ["sh", "-c", "echo bundle > ${{{{ inputs.dest }}}}"]}}
  - id: verify
    needs: [bundle]
    job: {{kind: shell, args: ["test", "-s", "${{{{ inputs.dest }}}}"]}}
    retry: {{attempts: 3}}
""")
    doc = pinned_json(cli, CONTRACTS, "workflow", "run", flow, "--input", f"dest={tmp_path}/given")
    run = doc["run"]
    assert set(run) == RUN_KEYS and run["status"] == "succeeded" and run["inputs"] == {"dest": f"{tmp_path}/given"}
    assert [(s["id"], s["status"], s["attempts"]) for s in run["steps"]] == [("bundle", "succeeded", 1),
                                                                            ("verify", "succeeded", 1)]
    assert all(set(s) == RUN_STEP_KEYS for s in run["steps"])
    assert (tmp_path / "given").read_text() == "bundle\n"
    listed = pinned_json(cli, CONTRACTS, "workflow", "list")
    assert [r["id"] for r in listed["runs"]] == [run["id"]]
    assert pinned_json(cli, CONTRACTS, "workflow", "show", run["id"][-8:])["run"]["id"] == run["id"]
    valid = pinned_json(cli, CONTRACTS, "workflow", "validate", flow)
    assert [s["id"] for s in valid["steps"]] == ["bundle", "verify"]
    assert pinned_json(cli, CONTRACTS, "workflow", "validate", "--schema")["json_schema"]["title"].startswith("Perth")
    metrics = pinned_json(cli, CONTRACTS, "workflow", "metrics", "--since", "2020-01-01")
    assert metrics["runs_by_status"] == {"succeeded": 1} and [s["step"] for s in metrics["steps"]] == ["bundle", "verify"]
    assert cli("workflow", "metrics", "--since", "yesterday").code == 2
    logs = pinned_json(cli, CONTRACTS, "workflow", "logs", run["id"])
    assert [s["id"] for s in logs["steps"]] == ["bundle", "verify"]
    assert logs["steps"][1]["lines"][-1]["text"] == "finished: succeeded"
    text = cli("workflow", "show", run["id"])
    assert text.code == 0 and "verify" in text.out and "succeeded" in text.out


def test_triggers_are_enabled_listed_and_disabled(cli: Cli, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "name: t\ntriggers:\n  - schedule: '0 2 * * *'\n"
                                "  - event: perth.job.finished\n    when: data.status == 'dead'\n"
                                "steps:\n  - id: a\n    job: {kind: shell, args: ['true']}\n")
    enabled = pinned_json(cli, CONTRACTS, "workflow", "enable", flow)
    assert enabled["count"] == 2 and all(set(t) == TRIGGER_KEYS for t in enabled["triggers"])
    assert [t["kind"] for t in pinned_json(cli, CONTRACTS, "workflow", "triggers")["triggers"]] == ["schedule", "event"]
    text = cli("workflow", "triggers")
    assert text.code == 0 and "0 2 * * * (UTC, missed: skip)" in text.out and "data.status == 'dead'" in text.out
    assert pinned_json(cli, CONTRACTS, "workflow", "disable", "t")["count"] == 0


def test_graph_in_mermaid_dot_and_json(cli: Cli, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "name: g\nsteps:\n  - id: a\n    job: {kind: shell, args: ['true']}\n"
                                "  - id: b-c\n    needs: [a]\n    job: {kind: shell, args: ['true']}\n")
    mermaid = cli("workflow", "graph", flow)
    assert mermaid.code == 0 and mermaid.out.splitlines()[0] == "flowchart TD" and "s_a --> s_b_c" in mermaid.out
    assert '"a" -> "b-c";' in cli("workflow", "graph", flow, "--format", "dot").out
    graph = json.loads(cli("workflow", "graph", flow, "--format", "json").out)
    assert set(graph) == CONTRACTS["perth.workflow.graph.v1"] and graph["edges"] == [["a", "b-c"]]


def test_bad_files_fail_on_one_line(cli: Cli, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "name: bad\nsteps:\n  - id: a\n    job: {kind: shell}\n    retry: {attempts: 0}\n")
    result = cli("workflow", "run", flow)
    assert result.code == 1 and result.out == ""
    assert result.err.strip().startswith("perth: error: flow.yml:5: steps[0].retry.attempts:")
    assert len(result.err.strip().splitlines()) == 1
    assert cli("workflow", "list", "--format", "json").out.count('"count": 0') == 1  # nothing half-written


def _wait_status(cli: Cli, run_id: str, status: str, step: str | None = None, timeout: float = 30) -> dict[str, Any]:
    """The run once it (or ``step``) has ``status``, or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = json.loads(cli("workflow", "show", run_id, "--format", "json").out)["run"]
        steps = {s["id"]: s["status"] for s in run["steps"]}
        if (steps[step] if step else run["status"]) == status or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def _gated(tmp_path: Path, approvers: str, four_eyes: bool = False, timeout: float = 3600) -> str:
    return write_flow(tmp_path, f"""\
name: deploy
steps:
  - id: build
    job: {sh(f"echo run >> {tmp_path}/build.count")}
  - id: ship
    needs: [build]
    approval: {{approvers: [{approvers}], four_eyes: {str(four_eyes).lower()}, timeout: {timeout}}}
    job: {sh(f"echo run >> {tmp_path}/ship.count")}
""")


def test_an_approved_gate_runs_its_step_and_records_who_when_and_why(cli: Cli, tmp_path: Path) -> None:
    from perth.workflows.service import local_user

    me = local_user()
    started = pinned_json(cli, CONTRACTS, "workflow", "run", _gated(tmp_path, f"nobody-else, {me}"), "--detach")
    run_id = started["run"]["id"]
    assert _wait_status(cli, run_id, "waiting", "ship")["steps"][1]["status"] == "waiting"
    decision = pinned_json(cli, CONTRACTS, "workflow", "approve", run_id, "ship", "--note", "release 1.2")
    assert (decision["decision"], decision["decided_by"], decision["note"]) == ("approved", me, "release 1.2")
    run = _wait_status(cli, run_id, "succeeded")
    assert run["status"] == "succeeded"
    gate = run["steps"][1]["approval"]
    assert (gate["requested_by"], gate["decided_by"], gate["decision"]) == (me, me, "approved")
    assert gate["decided_at"] >= gate["requested_at"]
    assert (_count(tmp_path / "build.count"), _count(tmp_path / "ship.count")) == (1, 1)
    assert gate["signature"] == "valid"
    from perth.config import database_path, load_settings
    from perth.paths import resolve_paths

    with sqlite3.connect(database_path(load_settings(resolve_paths()))) as db:  # someone edits the decision
        db.execute("UPDATE workflow_steps SET decided_by = 'mallory' WHERE run_id = ? AND step_id = 'ship'", (run_id,))
    forged = pinned_json(cli, CONTRACTS, "workflow", "show", run_id)["run"]["steps"][1]["approval"]
    assert (forged["decided_by"], forged["signature"]) == ("mallory", "invalid")
    assert "SIGNATURE INVALID" in cli("workflow", "show", run_id).out


def test_an_approval_carries_on_a_run_whose_runner_died(cli: Cli, tmp_path: Path) -> None:
    import signal

    from perth.config import database_path, load_settings
    from perth.paths import resolve_paths
    from perth.workflows.service import local_user

    run_id = pinned_json(cli, CONTRACTS, "workflow", "run", _gated(tmp_path, local_user()), "--detach")["run"]["id"]
    assert _wait_status(cli, run_id, "waiting", "ship")["steps"][1]["status"] == "waiting"
    with sqlite3.connect(database_path(load_settings(resolve_paths()))) as db:
        owner = db.execute("SELECT runner_owner FROM workflow_runs WHERE id = ?", (run_id,)).fetchone()[0]
        os.kill(int(owner.split(":")[1]), signal.SIGKILL)  # the runner dies while the gate waits
        db.execute("UPDATE workflow_runs SET runner_until = 0 WHERE id = ?", (run_id,))  # its claim ran out
    assert cli("workflow", "approve", run_id, "ship").code == 0
    assert _wait_status(cli, run_id, "succeeded")["status"] == "succeeded"
    assert (_count(tmp_path / "build.count"), _count(tmp_path / "ship.count")) == (1, 1)


def test_a_user_not_listed_cannot_approve_and_four_eyes_refuses_the_starter(cli: Cli, tmp_path: Path) -> None:
    from perth.workflows.service import local_user

    run_id = pinned_json(cli, CONTRACTS, "workflow", "run", _gated(tmp_path, "alice, bob"), "--detach")["run"]["id"]
    _wait_status(cli, run_id, "waiting", "ship")
    refused = cli("workflow", "approve", run_id, "ship")
    assert refused.code == 1 and f"{local_user()} is not an approver of this step" in refused.err
    assert cli("workflow", "cancel", run_id).code == 0
    assert _wait_status(cli, run_id, "cancelled")["status"] == "cancelled"
    other = tmp_path / "four"
    other.mkdir()
    four = _gated(other, local_user(), four_eyes=True)
    run_id = pinned_json(cli, CONTRACTS, "workflow", "run", four, "--detach")["run"]["id"]
    _wait_status(cli, run_id, "waiting", "ship")
    refused = cli("workflow", "approve", run_id, "ship")
    assert refused.code == 1 and "needs four eyes" in refused.err
    rejected = pinned_json(cli, CONTRACTS, "workflow", "reject", run_id, "ship", "--note", "not today")
    assert rejected["decision"] == "rejected"  # four eyes bind approvals: a listed starter may stop it
    run = _wait_status(cli, run_id, "failed")
    assert run["status"] == "failed" and run["steps"][1]["status"] == "rejected"
    assert _count(other / "ship.count") == 0


def test_a_gate_nobody_decides_times_out_to_rejected(cli: Cli, tmp_path: Path) -> None:
    doc = pinned_json(cli, CONTRACTS, "workflow", "run", _gated(tmp_path, "alice", timeout=0.5), code=1)
    ship = doc["run"]["steps"][1]
    assert (doc["run"]["status"], ship["status"]) == ("failed", "rejected")
    assert ship["approval"]["decided_by"] == "perth (timeout)" and "within 0.5 s" in ship["error"]


def test_kill_9_of_the_runner_then_resume_runs_nothing_twice_that_finished(cli: Cli, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: crash
steps:
  - id: first
    job: {sh(f"echo run >> {tmp_path}/first.count")}
  - id: slow
    needs: [first]
    job: {sh(f"echo run >> {tmp_path}/slow.count; sleep 2")}
    retry: {{attempts: 2}}
  - id: last
    needs: [slow]
    job: {sh(f"echo run >> {tmp_path}/last.count")}
""")
    env = {**os.environ, "PERTH_OPS__LEASE_S": "1", "PERTH_OPS__BACKOFF_MS": "0"}
    runner = subprocess.Popen([sys.executable, "-m", "perth", "workflow", "run", flow], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (tmp_path / "slow.count").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait()
    run_id = json.loads(cli("workflow", "list", "--format", "json").out)["runs"][0]["id"]
    run = json.loads(cli("workflow", "show", run_id, "--format", "json").out)["run"]
    assert [s["status"] for s in run["steps"]] == ["succeeded", "running", "pending"]
    time.sleep(1.2)  # the dead runner's claim and its job's lease run out
    resumed = subprocess.run([sys.executable, "-m", "perth", "workflow", "resume", run_id, "--format", "json"],
                             env=env, capture_output=True, text=True, timeout=60, check=False)
    assert resumed.returncode == 0, resumed.stderr
    steps = {s["id"]: s for s in json.loads(resumed.stdout)["run"]["steps"]}
    assert [steps[n]["status"] for n in ("first", "slow", "last")] == ["succeeded"] * 3
    assert [_count(tmp_path / f"{n}.count") for n in ("first", "slow", "last")] == [1, 2, 1]
    assert steps["slow"]["attempts"] == 2


def test_kill_9_inside_a_nested_workflow_then_resume_finishes_the_same_child(cli: Cli, tmp_path: Path) -> None:
    write_flow(tmp_path, f"""\
name: inner
steps:
  - id: one
    job: {sh(f"echo run >> {tmp_path}/one.count")}
  - id: two
    needs: [one]
    job: {sh(f"echo run >> {tmp_path}/two.count; sleep 2; echo ::output v=done")}
    retry: {{attempts: 2}}
outputs: {{v: "${{{{ steps.two.outputs.v }}}}"}}
""", "inner.yml")
    flow = write_flow(tmp_path, f"""\
name: outer
steps:
  - id: nest
    workflow: inner.yml
  - id: after
    needs: [nest]
    job: {{kind: shell, args: ["sh", "-c", "echo $1 >> {tmp_path}/after.count", "sh", "${{{{ steps.nest.outputs.v }}}}"]}}
""")
    env = {**os.environ, "PERTH_OPS__LEASE_S": "1", "PERTH_OPS__BACKOFF_MS": "0"}
    runner = subprocess.Popen([sys.executable, "-m", "perth", "workflow", "run", flow], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (tmp_path / "two.count").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait()
    runs = json.loads(cli("workflow", "list", "--format", "json").out)["runs"]
    outer = next(r for r in runs if r["name"] == "outer")
    shown = json.loads(cli("workflow", "show", outer["id"], "--format", "json").out)["run"]
    child_id = shown["steps"][0]["child_run_id"]
    assert [s["status"] for s in shown["steps"]] == ["running", "pending"] and child_id
    time.sleep(1.2)  # the dead runner's claims and its job's lease run out
    resumed = subprocess.run([sys.executable, "-m", "perth", "workflow", "resume", outer["id"], "--format", "json"],
                             env=env, capture_output=True, text=True, timeout=90, check=False)
    assert resumed.returncode == 0, resumed.stderr
    steps = {s["id"]: s for s in json.loads(resumed.stdout)["run"]["steps"]}
    assert (steps["nest"]["status"], steps["nest"]["child_run_id"], steps["nest"]["outputs"]) == (
        "succeeded", child_id, {"v": "done"})
    assert [_count(tmp_path / f"{n}.count") for n in ("one", "two", "after")] == [1, 2, 1]
    assert len(json.loads(cli("workflow", "list", "--format", "json").out)["runs"]) == 2  # no second child
