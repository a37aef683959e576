"""The workflows port: runs and steps round-trip, a run is claimed by one runner until its claim runs out."""

from __future__ import annotations

from perth.record import replace
from perth.store.port import Store
from perth.workflows.model import StepRun, WorkflowRun

PORT = "workflows"


def run(n: int, **fields: object) -> WorkflowRun:
    values: dict[str, object] = {"name": "nightly", "path": "/w/nightly.yml", "spec": {"name": "nightly", "steps": []},
                                 "inputs": {"dest": "/b"}, "started_by": "alice", "created_at": n, **fields}
    return WorkflowRun(id=f"00000000-0000-7000-8000-{n:012d}", **values)  # type: ignore[arg-type]


def test_a_run_and_its_steps_round_trip(store: Store) -> None:
    first = run(1)
    steps = [StepRun(run_id=first.id, step_id=name, position=i) for i, name in enumerate(("b", "a"))]
    store.workflows.create(first, steps)
    assert store.workflows.get(first.id) == first
    assert store.workflows.steps(first.id) == steps
    changed = replace(steps[1], status="waiting", attempts=2, round_attempts=1, requested_by="alice", requested_at=5,
                      decision="approved", decided_by="bob", decided_at=9, note="ok")
    store.workflows.update_step(changed)
    assert store.workflows.steps(first.id) == [steps[0], changed]
    done = replace(first, status="failed", finished_at=20, cancel_requested=True)
    store.workflows.update(done)
    assert store.workflows.get(first.id) == done
    assert store.workflows.get(run(9).id) is None


def test_recent_and_resolve(store: Store) -> None:
    for n in (1, 2, 3):
        store.workflows.create(run(n, status="succeeded" if n == 2 else "running"), [])
    assert [r.created_at for r in store.workflows.recent()] == [3, 2, 1]
    assert [r.created_at for r in store.workflows.recent(status="succeeded")] == [2]
    assert [r.created_at for r in store.workflows.recent(limit=1)] == [3]
    assert [r.id for r in store.workflows.resolve(run(2).id[-8:])] == [run(2).id]


def test_counts_and_step_history(store: Store) -> None:
    for n in (1, 2, 3):
        store.workflows.create(run(n, status="failed" if n == 3 else "succeeded"),
                               [StepRun(run_id=run(n).id, step_id=f"s{n}", position=0, attempts=n)])
    assert store.workflows.counts() == {"succeeded": 2, "failed": 1}
    assert [(s.step_id, s.attempts) for s in store.workflows.step_history()] == [("s1", 1), ("s2", 2), ("s3", 3)]
    assert [s.step_id for s in store.workflows.step_history(since=2)] == ["s2", "s3"]


def test_one_runner_holds_a_run_until_its_claim_runs_out(store: Store) -> None:
    store.workflows.create(run(1), [])
    run_id = run(1).id
    assert store.workflows.claim(run_id, "a", now=10, until=20)
    assert not store.workflows.claim(run_id, "b", now=15, until=25)
    assert store.workflows.claim(run_id, "a", now=15, until=30)  # renewed by its holder
    assert store.workflows.claim(run_id, "b", now=31, until=40)  # a died: its claim ran out
    store.workflows.release(run_id, "a")  # not a's any more: nothing changes
    assert not store.workflows.claim(run_id, "c", now=35, until=45)
    store.workflows.release(run_id, "b")
    assert store.workflows.claim(run_id, "c", now=35, until=45)
