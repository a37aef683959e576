"""``perth store migrate``: every part of a store copied between adapters, verified by count and
checksum, idempotent, and a target that differs from its source caught."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.capture.records import SpoolCursor
from perth.identity.model import ApiToken, User
from perth.ops.model import JobLogLine
from perth.record import replace
from perth.records import EntryQuery
from perth.resilience.state import BreakerState
from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry
from perth.store.port import Store
from perth.store.redis_store import RedisStore
from perth.store.sqlite import SQLiteStore
from perth.store.transfer import migrate
from perth.store.transfer_parts import PARTS, checksum
from perth.summarize.model import LlmCall
from perth.workflows.model import StepRun
from tests.store.adapters import ADAPTERS, redis_prefix
from tests.store.contract.builders import make_entry, make_pane
from tests.store.contract.test_commands import command
from tests.store.contract.test_jobs import job
from tests.store.contract.test_shellperf import _run
from tests.store.contract.test_snapshots import snapshot
from tests.store.contract.test_workflows import run as workflow_run

pytestmark = pytest.mark.integration


def fill(store: Store) -> None:
    """At least one record in every part, deleted rows included."""
    live, gone = make_pane("live", tags=("t",), meta={"k": "v"}), make_pane("gone", deleted_at=5_000)
    if "code" in store.capabilities:  # a multi-user store's owners and teams travel too
        live = replace(live, owner="alice", team="web")
    store.panes.add(live)
    store.panes.add(gone)
    for ts in range(1, 31):
        store.entries.add(make_entry(live, ts * 10, summary=f"step {ts} é", tags=("x",) if ts % 2 else ()))
    store.entries.add(make_entry(gone, 7, deleted_at=8))
    store.commands.add([command(n, f"make t{n}", live.id) for n in range(1, 6)], SpoolCursor("/spool/a", 99))
    store.commands.quarantine("/spool/a", 3, "garbage", "not a spool line", 4)
    store.redaction_stats.add({("jwt", "intent"): 3, ("github-pat", "import"): 1}, at=9)
    runs = [_run(1_800_000_000_000 + i * 1000) for i in range(2)]
    for run in runs:
        store.shellperf.add_run(LedgerEntry(run=run, verdict="OK", assessment={"verdict": "OK"}))
    store.shellperf.add_baseline(Baseline(id="b1", name="main", run_id=runs[0].id, scope=runs[0].scope, created_at=5))
    store.shellperf.delete_baseline("main", 6)
    store.shellperf.add_baseline(Baseline(id="b2", name="main", run_id=runs[1].id, scope=runs[1].scope, created_at=7))
    store.shellperf.put_governance(GovernanceState(scope=runs[0].scope, stable_streak=2, updated_at=3))
    store.snapshots.add(snapshot("one", 1_000, pinned=True), "d1")
    store.snapshots.add(snapshot("two", 2_000), "d2")
    store.breakers.put(BreakerState(name="llm:x", state="open", failures=3, opened_at=4, updated_at=4))
    store.llm_calls.add(LlmCall(id="c1", at=1, provider="p", model="m", purpose="summary", outcome="ok",
                                input_tokens=3))
    store.jobs.enqueue(job(1, idempotency_key="deploy", options={"cwd": "/src"}))
    store.jobs.enqueue(job(2, status="dead", error="refused"))
    store.job_logs.append([JobLogLine(job_id=job(1).id, seq=0, at=i, attempt=1, level="info", text=f"line {i} é")
                           for i in range(3)])
    store.workflows.create(workflow_run(1), [StepRun(run_id=workflow_run(1).id, step_id=s, position=i) for i, s in enumerate("ba")])
    store.workflows.update_step(StepRun(run_id=workflow_run(1).id, step_id="a", position=1, status="waiting",
                                        requested_by="ann", requested_at=5))
    if "code" in store.capabilities:
        fill_code(store)
    if "users" in store.capabilities:
        store.users.add_user(User(name="alice", role="approver", created_at=1, teams=("ops", "web")))
        store.users.add_token(ApiToken(id="a" * 12, user="alice", secret_hash="h", created_at=2, revoked_at=3))


def fill_code(store: Store) -> None:
    """A repository with two parsed files (symbols and edges) and one that failed to parse."""
    from perth.codeindex.model import CodeRepo, Edge, FileGraph, FileState, Symbol

    repo = CodeRepo(id="01900000-0000-7000-8000-00000000c0de", name="shop", root="/src/shop", added_at=1,
                    indexed_at=2, head="abc", branch="main", state="partial", files=3, symbols=3, edges=2,
                    last_error="bad.py: could not parse")
    store.code.add_repo(repo)
    graphs = [FileGraph(state=FileState(path="shop/cart.py", language="python", module="shop.cart", digest="d1",
                                        size=120, mtime_ns=5),
                        symbols=(Symbol(name="Cart", qualname="shop.cart.Cart", kind="class", line=1, end_line=9,
                                        doc="A cart é", path="shop/cart.py"),
                                 Symbol(name="total", qualname="shop.cart.Cart.total", kind="method", line=3,
                                        end_line=5, parent="shop.cart.Cart", signature="(self) -> int",
                                        path="shop/cart.py")),
                        edges=(Edge(kind="calls", src="shop.cart.Cart.total", dst="shop.tax.rate", name="rate",
                                    confidence="exact", line=4, path="shop/cart.py"),)),
              FileGraph(state=FileState(path="shop/tax.py", language="python", module="shop.tax", digest="d2",
                                        size=40, mtime_ns=6),
                        symbols=(Symbol(name="rate", qualname="shop.tax.rate", kind="function", line=1, end_line=2,
                                        path="shop/tax.py"),),
                        edges=(Edge(kind="imports", src="shop.tax", dst="decimal", name="decimal",
                                    confidence="import-resolved", line=1, path="shop/tax.py"),)),
              FileGraph(state=FileState(path="bad.py", language="python", module="bad", digest="d3", size=1,
                                        mtime_ns=7, error="could not parse"))]
    store.code.apply(repo.id, graphs, [], [])


def contents(store: Store) -> dict[str, str]:
    """The checksum of every part the store offers."""
    return {part.name: checksum(part.read(store)) for part in PARTS if part.port in store.capabilities}


@pytest.mark.parametrize(("source_kind", "target_kind"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_every_part_is_copied_between_sql_stores_and_a_rerun_adds_nothing(tmp_path: Path, source_kind: str,
                                                                          target_kind: str) -> None:
    with ADAPTERS[source_kind][1](tmp_path / "s") as source, ADAPTERS[target_kind][1](tmp_path / "t") as target:
        fill(source)
        report = migrate(source, target)
        assert report.ok and not report.skipped, report
        assert all(p.status == "verified" and p.source_count > 0 for p in report.parts), report
        assert contents(target) == contents(source)
        again = migrate(source, target)
        assert again.ok and all((p.added, p.updated) == (0, 0) for p in again.parts), again
        assert [p.target_count for p in again.parts] == [p.source_count for p in report.parts]


def test_sqlite_to_redis_copies_the_ports_redis_has_and_names_the_rest(tmp_path: Path) -> None:
    source = SQLiteStore(tmp_path / "source.db")
    fill(source)
    with redis_prefix() as url:
        target = RedisStore(url)
        report = migrate(source, target)
        verified = {p.part for p in report.parts if p.status == "verified"}
        assert verified == {"panes", "entries", "redaction_stats", "breakers"}
        assert set(report.skipped) == {p.name for p in PARTS if p.port not in target.capabilities}
        assert not report.ok  # what could not be copied is not passed off as done
        assert contents(target) == {name: sha for name, sha in contents(source).items() if name in verified}
        assert all((p.added, p.updated) == (0, 0) for p in migrate(source, target).parts)
        target.close()
    source.close()


def test_a_dry_run_writes_nothing_and_says_what_would_move(tmp_path: Path) -> None:
    source, target = SQLiteStore(tmp_path / "s.db"), SQLiteStore(tmp_path / "t.db")
    fill(source)
    report = migrate(source, target, dry_run=True)
    assert {p.status for p in report.parts} == {"would copy"}
    assert [p.added for p in report.parts] == [p.source_count for p in report.parts]
    assert target.panes.count() == 0
    migrate(source, target)
    assert {p.status for p in migrate(source, target, dry_run=True).parts} == {"in sync"}


TAMPERS: dict[str, Callable[[SQLiteStore], Any]] = {
    "entries": lambda t: t.db.write("UPDATE entries SET summary = 'rewritten' WHERE ts = 10"),
    "commands": lambda t: t.db.write("UPDATE commands SET exit = 9 WHERE start_ms = 1000"),
    "breakers": lambda t: t.breakers.put(BreakerState(name="only-in-target", updated_at=1)),
}


@pytest.mark.parametrize("part", sorted(TAMPERS))
def test_a_tampered_target_is_caught_by_the_checksum(tmp_path: Path, part: str) -> None:
    source, target = SQLiteStore(tmp_path / "s.db"), SQLiteStore(tmp_path / "t.db")
    fill(source)
    assert migrate(source, target).ok
    TAMPERS[part](target)
    check = {p.part: p for p in migrate(source, target, dry_run=True).parts}[part]
    assert check.status == "would copy" and check.source_checksum != check.target_checksum
    repaired = {p.part: p for p in migrate(source, target).parts}[part]
    if part == "entries":  # a port with an update verb repairs it
        assert repaired.status == "verified" and repaired.updated == 1
    else:  # immutable rows, or rows the source never had: reported, not hidden
        assert repaired.status == "mismatch"


def test_the_cli_reports_json_and_exits_1_on_a_mismatch(tmp_path: Path, perth_home: Path,
                                                        cli: Callable[..., Any]) -> None:
    cli("log", "something", "--pane", "p")
    target = tmp_path / "copy.db"
    done = cli("store", "migrate", "--to", str(target), "--format", "json")
    assert done.code == 0, done.err
    document = json.loads(done.out)
    assert document["ok"] and document["schema"] == "perth.store.migrate.v1"
    assert {p["part"]: p["source_count"] for p in document["parts"]}["entries"] == 1
    store = SQLiteStore(target)
    store.entries.update(replace(store.entries.query(EntryQuery())[0], summary="changed"))
    store.breakers.put(BreakerState(name="extra", updated_at=1))
    store.close()
    failed = cli("store", "migrate", "--to", str(target))
    assert failed.code == 1
    assert failed.err.strip().splitlines()[-1].startswith("perth: error: the target does not match the source for:"
                                                          " breakers")
    same = cli("store", "migrate", "--to", str(perth_home / "perth.db"))
    assert (same.code, same.err.strip()) == (1, "perth: error: the target is the store in use — pass the URL or"
                                                " path of another store")


def test_the_cli_names_what_a_redis_target_cannot_hold(perth_home: Path, cli: Callable[..., Any]) -> None:
    cli("log", "something", "--pane", "p")
    with redis_prefix() as url:
        assert cli("store", "migrate", "--to", url).code == 0  # nothing in the parts Redis lacks
        home = SQLiteStore(perth_home / "perth.db")
        home.llm_calls.add(LlmCall(id="c1", at=1, provider="p", model="m", purpose="summary", outcome="ok"))
        home.close()
        done = cli("store", "migrate", "--to", url, "--format", "json")
        assert done.code == 1
        assert json.loads(done.out)["skipped"] == ["llm_calls"]
        assert done.err.strip() == ("perth: error: copied and verified what the target can hold; it has no port for:"
                                    " llm_calls (1) — keep the source, or copy into a SQLite or PostgreSQL store to"
                                    " keep them all")


def test_redis_to_sqlite_copies_what_redis_holds(tmp_path: Path) -> None:
    with redis_prefix() as url:
        source = RedisStore(url)
        pane = make_pane("r", tags=("a",))
        source.panes.add(pane)
        source.panes.add(make_pane("old", deleted_at=3))
        for ts in (1, 2, 3):
            source.entries.add(make_entry(pane, ts, deleted_at=9 if ts == 2 else None))
        source.breakers.put(BreakerState(name="b", updated_at=1))
        source.redaction_stats.add({("jwt", "intent"): 2}, at=4)
        target = SQLiteStore(tmp_path / "t.db")
        report = migrate(source, target)
        assert report.ok, report
        assert {p.part for p in report.parts if p.status == "verified"} == {"panes", "entries", "redaction_stats",
                                                                             "breakers"}
        assert {p.status for p in report.parts if p.port not in source.capabilities} == {"not in the source"}
        assert [p.source_count for p in report.parts if p.status == "verified"] == [2, 3, 1, 1]
        assert contents(target)["entries"] == contents(source)["entries"]
        source.close()
        target.close()


def test_a_copy_into_postgresql_leaves_the_planner_statistics_current(tmp_path: Path) -> None:
    """A bulk load is followed by ANALYZE: the first queries plan with the real row counts."""
    with ADAPTERS["sqlite"][1](tmp_path / "s") as source, ADAPTERS["postgresql"][1](tmp_path / "t") as target:
        fill(source)
        assert migrate(source, target).ok
        rows = target.db.rows("SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"  # type: ignore[attr-defined]
                              " WHERE n.nspname = current_schema() AND c.relname = 'entries'")
        assert rows[0][0] == 31  # -1 until the table is analyzed
