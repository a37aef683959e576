"""The DAG runner on real shell jobs: a diamond in parallel, a failing step retried alone, gates, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest

from perth.errors import ConflictError
from perth.runtime import Runtime
from perth.workflows.loader import load
from perth.workflows.runner import drive
from perth.workflows.service import retry, start
from tests.workflows.conftest import sh, write_flow


def _count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _stamp(d: Path, name: str) -> str:
    return sh(f"echo run >> {d}/{name}.count; date +%s.%N > {d}/{name}.start; sleep 0.6; date +%s.%N > {d}/{name}.end")


def test_a_diamond_runs_its_middle_steps_in_parallel_and_in_order(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: diamond
steps:
  - id: a
    job: {_stamp(tmp_path, "a")}
  - id: b
    needs: [a]
    job: {_stamp(tmp_path, "b")}
  - id: c
    needs: [a]
    job: {_stamp(tmp_path, "c")}
  - id: d
    needs: [b, c]
    job: {_stamp(tmp_path, "d")}
""")
    run = drive(rt, start(rt, load(flow), {}))
    assert run.status == "succeeded"
    steps = {s.step_id: s for s in rt.store.workflows.steps(run.id)}
    assert {s.status for s in steps.values()} == {"succeeded"}
    assert all(s.attempts == 1 for s in steps.values())
    t = {n: (float((tmp_path / f"{n}.start").read_text()), float((tmp_path / f"{n}.end").read_text())) for n in "abcd"}
    assert t["a"][1] <= t["b"][0] and t["a"][1] <= t["c"][0]  # needs respected
    assert t["b"][0] < t["c"][1] and t["c"][0] < t["b"][1]  # b and c overlapped: they ran in parallel
    assert t["d"][0] >= max(t["b"][1], t["c"][1])


def test_max_parallel_bounds_the_steps_running_at_once(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: bounded
max_parallel: 1
steps:
  - id: b
    job: {_stamp(tmp_path, "b")}
  - id: c
    job: {_stamp(tmp_path, "c")}
""")
    assert drive(rt, start(rt, load(flow), {})).status == "succeeded"
    b, c = ((float((tmp_path / f"{n}.start").read_text()), float((tmp_path / f"{n}.end").read_text())) for n in "bc")
    assert b[1] <= c[0] or c[1] <= b[0]


def test_a_failing_middle_step_is_retried_alone(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: retry-me
steps:
  - id: first
    job: {sh(f"echo run >> {tmp_path}/first.count")}
  - id: middle
    needs: [first]
    job: {sh(f"echo run >> {tmp_path}/middle.count; test -f {tmp_path}/ready")}
    retry: {{attempts: 2}}
  - id: last
    needs: [middle]
    job: {sh(f"echo run >> {tmp_path}/last.count")}
""")
    run = drive(rt, start(rt, load(flow), {}))
    steps = {s.step_id: s for s in rt.store.workflows.steps(run.id)}
    assert run.status == "failed"
    assert (steps["first"].status, steps["middle"].status, steps["last"].status) == ("succeeded", "failed", "skipped")
    assert steps["middle"].attempts == 2  # its retry policy: two attempts
    assert (_count(tmp_path / "first.count"), _count(tmp_path / "middle.count")) == (1, 2)
    (tmp_path / "ready").touch()
    again = drive(rt, retry(rt, run, "middle"))
    steps = {s.step_id: s for s in rt.store.workflows.steps(run.id)}
    assert again.status == "succeeded"
    assert [steps[n].status for n in ("first", "middle", "last")] == ["succeeded"] * 3
    assert steps["middle"].attempts == 3
    assert [_count(tmp_path / f"{n}.count") for n in ("first", "middle", "last")] == [1, 3, 1]  # first never re-ran
    with pytest.raises(ConflictError, match="only failed"):
        retry(rt, again, "first")


def test_cancel_stops_the_running_job_and_cancels_the_steps_not_started(rt: Runtime, tmp_path: Path) -> None:
    import threading
    import time

    from perth.workflows.service import cancel

    flow = write_flow(tmp_path, f"""\
name: long
steps:
  - id: slow
    job: {sh(f"echo run >> {tmp_path}/slow.count; sleep 30")}
  - id: after
    needs: [slow]
    job: {sh(f"echo run >> {tmp_path}/after.count")}
""")
    run = start(rt, load(flow), {})
    results: list[object] = []
    runner = threading.Thread(target=lambda: results.append(drive(rt, run)))
    began = time.monotonic()
    runner.start()
    while not (tmp_path / "slow.count").exists():
        time.sleep(0.02)
    other = Runtime(rt.settings, environ=rt.environ)
    try:
        cancel(other, run)
    finally:
        other.close()
    runner.join(20)
    assert not runner.is_alive() and time.monotonic() - began < 20
    done = results[0]
    steps = {s.step_id: s for s in rt.store.workflows.steps(run.id)}
    assert getattr(done, "status", None) == "cancelled"
    assert (steps["slow"].status, steps["after"].status) == ("cancelled", "cancelled")
    assert not (tmp_path / "after.count").exists()
    job = rt.store.jobs.get(steps["slow"].job_id or "")
    assert job is not None and job.status == "cancelled"


def _on_failure_flow(d: Path, middle: str) -> str:
    return write_flow(d, f"""\
name: guarded
steps:
  - id: work
    job: {sh(f"echo run >> {d}/work.count; {middle}")}
on_failure:
  - id: alert
    job: {sh(f"echo run >> {d}/alert.count")}
  - id: page
    needs: [alert]
    job: {sh(f"echo run >> {d}/page.count")}
""")


def test_on_failure_steps_run_only_when_the_run_fails(rt: Runtime, tmp_path: Path) -> None:
    ok = tmp_path / "ok"
    ok.mkdir()
    run = drive(rt, start(rt, load(_on_failure_flow(ok, "true")), {}))
    steps = {s.step_id: s.status for s in rt.store.workflows.steps(run.id)}
    assert run.status == "succeeded" and steps == {"work": "succeeded", "alert": "skipped", "page": "skipped"}
    assert not (ok / "alert.count").exists()
    bad = tmp_path / "bad"
    bad.mkdir()
    run = drive(rt, start(rt, load(_on_failure_flow(bad, f"test -f {bad}/fixed")), {}))
    steps = {s.step_id: s.status for s in rt.store.workflows.steps(run.id)}
    assert run.status == "failed" and steps == {"work": "failed", "alert": "succeeded", "page": "succeeded"}
    (bad / "fixed").touch()
    run = drive(rt, retry(rt, run, "work"))
    steps = {s.step_id: s.status for s in rt.store.workflows.steps(run.id)}
    assert run.status == "succeeded" and steps == {"work": "succeeded", "alert": "skipped", "page": "skipped"}
    assert [_count(bad / f"{n}.count") for n in ("work", "alert", "page")] == [2, 1, 1]


def test_on_failure_steps_need_only_on_failure_steps() -> None:
    from perth.errors import InvalidInputError
    from perth.workflows.loader import parse

    text = "name: x\nsteps:\n  - id: a\n    job: {kind: shell}\non_failure:\n  - id: b\n    needs: [a]\n    job: {kind: shell}\n"
    with pytest.raises(InvalidInputError, match=r"f.yml:7: on_failure\[0\].needs\[0\]: unknown step 'a' \(on_failure"):
        parse(text, "f.yml")
