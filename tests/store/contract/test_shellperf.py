"""The shell-performance port: the run ledger, baselines and governance state."""

from __future__ import annotations

import os

import pytest

from perth.errors import ConflictError
from perth.shellperf.fake_terminal import FakeLauncher
from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry, Run, RunSpec
from perth.shellperf.runner import measure
from perth.store.port import Store

PORT = "shellperf"


def _run(at: int, label: str = "s") -> Run:
    spec = RunSpec("bash", samples=1, warmup=0, label=label)
    return measure(spec, os.environ, FakeLauncher(), created_at=at)


def test_ledger_round_trip_newest_first_and_by_scope(store: Store) -> None:
    old, new, other = _run(1_800_000_000_000), _run(1_800_000_001_000), _run(1_800_000_002_000, "t")
    for run, verdict in ((old, "OK"), (new, "WARN"), (other, None)):
        store.shellperf.add_run(LedgerEntry(run=run, verdict=verdict, assessment={"verdict": verdict}))
    assert [e.run.id for e in store.shellperf.list_runs()] == [other.id, new.id, old.id]
    assert [e.run.id for e in store.shellperf.list_runs(scope="s", limit=1)] == [new.id]
    fetched = store.shellperf.get_run(old.id)
    assert fetched is not None and fetched.run == old and fetched.verdict == "OK"
    assert store.shellperf.find_run_ids(old.id[-8:]) == [old.id]
    assert store.shellperf.get_run("nope") is None


def test_baselines_are_unique_live_names_and_soft_deleted(store: Store) -> None:
    run = _run(1_800_000_000_000)
    store.shellperf.add_run(LedgerEntry(run=run))
    baseline = Baseline(id="b1", name="main", run_id=run.id, scope=run.scope, created_at=5)
    store.shellperf.add_baseline(baseline)
    with pytest.raises(ConflictError):
        store.shellperf.add_baseline(Baseline(id="b2", name="main", run_id=run.id, scope=run.scope, created_at=6))
    assert store.shellperf.get_baseline("main") == baseline
    assert store.shellperf.list_baselines(scope="other") == []
    assert store.shellperf.delete_baseline("main", 7) is True
    assert store.shellperf.delete_baseline("main", 8) is False
    assert store.shellperf.get_baseline("main") is None
    store.shellperf.add_baseline(Baseline(id="b3", name="main", run_id=run.id, scope=run.scope, created_at=9))


def test_governance_state_is_replaced(store: Store) -> None:
    assert store.shellperf.get_governance("s") is None
    store.shellperf.put_governance(GovernanceState(scope="s", stable_streak=1, updated_at=3))
    state = GovernanceState(scope="s", recommended="warn", stable_streak=3, clean_streak=1, runs_seen=4,
                            last_run_id="r", updated_at=9, reason="because")
    store.shellperf.put_governance(state)
    assert store.shellperf.get_governance("s") == state


def test_everything_reads_return_runs_beyond_any_limit_deleted_baselines_and_every_scope(store: Store) -> None:
    runs = [_run(1_800_000_000_000 + i * 1000, label=f"s{i % 2}") for i in range(3)]
    for run in runs:
        store.shellperf.add_run(LedgerEntry(run=run, verdict="OK"))
    assert [e.run.id for e in store.shellperf.all_runs()] == [run.id for run in runs]
    old = Baseline(id="b1", name="main", run_id=runs[0].id, scope=runs[0].scope, created_at=5)
    new = Baseline(id="b2", name="main", run_id=runs[2].id, scope=runs[2].scope, created_at=9, note="n")
    store.shellperf.add_baseline(old)
    store.shellperf.delete_baseline("main", 7)
    store.shellperf.add_baseline(new)
    assert store.shellperf.all_baselines() == [(old, 7), (new, None)]
    states = [GovernanceState(scope=scope, updated_at=3) for scope in ("zsh", "bash")]
    for state in states:
        store.shellperf.put_governance(state)
    assert store.shellperf.all_governance() == sorted(states, key=lambda s: s.scope)
