"""The shellperf part of the Store port on SQLite, and the `perth log` hot path staying clear of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.errors import ConflictError
from perth.shellperf.fake_terminal import FakeLauncher
from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry, Run, RunSpec
from perth.shellperf.runner import measure
from perth.store.sqlite import SQLiteStore
from tests.e2e.test_hot_path import imported_modules


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    adapter = SQLiteStore(tmp_path / "perth.db")
    yield adapter
    adapter.close()


def _run(at: int, label: str = "s") -> Run:
    spec = RunSpec("bash", samples=1, warmup=0, label=label)
    return measure(spec, os.environ, FakeLauncher(), created_at=at)


def test_ledger_round_trip_newest_first_and_by_scope(store: SQLiteStore) -> None:
    old, new, other = _run(1_800_000_000_000), _run(1_800_000_001_000), _run(1_800_000_002_000, "t")
    for run, verdict in ((old, "OK"), (new, "WARN"), (other, None)):
        store.add_shellperf_entry(LedgerEntry(run=run, verdict=verdict, assessment={"verdict": verdict}))
    assert [e.run.id for e in store.list_shellperf_entries()] == [other.id, new.id, old.id]
    assert [e.run.id for e in store.list_shellperf_entries(scope="s", limit=1)] == [new.id]
    fetched = store.get_shellperf_entry(old.id)
    assert fetched is not None and fetched.run == old and fetched.verdict == "OK"
    assert store.find_shellperf_run_ids(old.id[-8:]) == [old.id]
    assert store.get_shellperf_entry("nope") is None


def test_baselines_are_unique_live_names_and_soft_deleted(store: SQLiteStore) -> None:
    run = _run(1_800_000_000_000)
    store.add_shellperf_entry(LedgerEntry(run=run))
    baseline = Baseline(id="b1", name="main", run_id=run.id, scope=run.scope, created_at=5)
    store.add_shellperf_baseline(baseline)
    with pytest.raises(ConflictError):
        store.add_shellperf_baseline(Baseline(id="b2", name="main", run_id=run.id, scope=run.scope, created_at=6))
    assert store.get_shellperf_baseline("main") == baseline
    assert store.list_shellperf_baselines(scope="other") == []
    assert store.delete_shellperf_baseline("main", 7) is True
    assert store.delete_shellperf_baseline("main", 8) is False
    assert store.get_shellperf_baseline("main") is None
    store.add_shellperf_baseline(Baseline(id="b3", name="main", run_id=run.id, scope=run.scope, created_at=9))


def test_governance_state_is_replaced(store: SQLiteStore) -> None:
    assert store.get_shellperf_governance("s") is None
    store.put_shellperf_governance(GovernanceState(scope="s", stable_streak=1, updated_at=3))
    state = GovernanceState(scope="s", recommended="warn", stable_streak=3, clean_streak=1, runs_seen=4,
                            last_run_id="r", updated_at=9, reason="because")
    store.put_shellperf_governance(state)
    assert store.get_shellperf_governance("s") == state


@pytest.mark.integration
def test_perth_log_never_imports_shellperf(perth_home: Path) -> None:
    env = {**os.environ, "PERTH_PANE": "hot"}
    imported_modules("log", "warm up", env=env)
    modules = imported_modules("log", "measured the shell", env=env)
    assert "perth.store.sqlite_shellperf" in modules, "importtime output was not parsed"
    assert sorted(m for m in modules if m.startswith("perth.shellperf")) == []
