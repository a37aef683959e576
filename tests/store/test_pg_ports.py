"""The PostgreSQL parts of the code, search index, jobs and workflows ports beyond their contract
suites: what concurrency on a shared server needs (no job leased twice, no command skipped by the
search feed, one runner per workflow run), and globs that match as SQLite's ``GLOB`` does."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TypeVar

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.capture.records import Command
from perth.ops.model import Job
from perth.search.records import SourceState
from perth.store.pg_code import glob_regex
from perth.store.postgres import PostgresStore
from perth.workflows.model import WorkflowRun
from tests.store.adapters import PG_ADMIN_URL, pg_schema

T = TypeVar("T")

pytestmark = pytest.mark.integration


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema() as schema_url:
        PostgresStore(schema_url).close()  # migrated once, before the workers race
        yield schema_url


def job(n: int) -> Job:
    return Job(id=f"00000000-0000-7000-8000-{n:012d}", kind="shell", target="local", args=("true",),
               created_at=n, available_at=n)


def run_workers(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def main(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=main, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_workers_never_lease_the_same_job(url: str) -> None:
    store = PostgresStore(url)
    for n in range(1, 301):
        store.jobs.enqueue(job(n))
    taken: list[tuple[int, str]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        mine = PostgresStore(url)
        try:
            while (leased := mine.jobs.lease(f"w{i}", f"t{i}", now=10_000, until=20_000)) is not None:
                with lock:
                    taken.append((i, leased.id))
        finally:
            mine.close()

    errors = run_workers(8, worker)
    assert errors == []
    leased_ids = Counter(job_id for _, job_id in taken)
    assert len(leased_ids) == 300 and set(leased_ids.values()) == {1}, leased_ids.most_common(3)
    assert len({i for i, _ in taken}) > 1  # the workers really ran side by side
    assert store.jobs.counts() == {"running": 300}
    rows = store.db.rows("SELECT lease_owner, lease_token, attempt FROM jobs")
    assert all(owner == f"w{token[1:]}" and attempt == 1 for owner, token, attempt in rows)
    store.close()


def test_concurrent_log_writers_number_lines_without_gaps(url: str) -> None:
    from perth.ops.model import JobLogLine

    store = PostgresStore(url)
    store.jobs.enqueue(job(1))

    def writer(i: int) -> None:
        mine = PostgresStore(url)
        try:
            for k in range(10):
                mine.job_logs.append([JobLogLine(job_id=job(1).id, seq=0, at=k, attempt=1, level="info",
                                                 text=f"{i}:{k}")])
        finally:
            mine.close()

    assert run_workers(6, writer) == []
    lines = store.job_logs.read(job(1).id)
    assert [line.seq for line in lines] == list(range(1, 61))
    assert sorted(line.text for line in lines) == sorted(f"{i}:{k}" for i in range(6) for k in range(10))
    store.close()


def test_only_one_of_many_runners_claims_a_workflow_run(url: str) -> None:
    store = PostgresStore(url)
    run_id = "00000000-0000-7000-8000-000000000001"
    store.workflows.create(WorkflowRun(id=run_id, name="w", path="/w.yml", spec={}, inputs={}, started_by="a",
                                       created_at=1), [])
    won: list[int] = []

    def runner(i: int) -> None:
        mine = PostgresStore(url)
        try:
            if mine.workflows.claim(run_id, f"r{i}", now=10, until=100):
                won.append(i)
        finally:
            mine.close()

    assert run_workers(8, runner) == []
    assert len(won) == 1
    assert store.db.rows("SELECT runner_owner FROM workflow_runs")[0][0] == f"r{won[0]}"
    store.close()


def command(n: int) -> Command:
    return Command(id=f"00000000-0000-7000-8000-{n:012d}", pane_id=None, pane_name=None, start_ms=n,
                   duration_ms=1, exit=0, command=f"echo {n}", dedup_key=f"k{n}")


def settled(read: Callable[[], list[T]]) -> list[T]:
    """What a feed returns once it returns something: a feed waits for every transaction of the database
    older than its rows (another test's, on a shared server), so it may lag for a moment."""
    deadline = time.monotonic() + 20
    while not (found := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_the_command_feed_never_passes_over_a_command_committed_late(url: str) -> None:
    reader = PostgresStore(url)
    slow, fast = PostgresStore(url), PostgresStore(url)
    with slow.unit():  # the slow writer's row is numbered first and committed last
        slow.commands.add([command(1)])
        fast.commands.add([command(2)])
        assert reader.search_index.commands_after(0, 10) == []  # command 2 waits for the older writer
    fed = settled(lambda: reader.search_index.commands_after(0, 10))
    assert [c.command for _, c in fed] == ["echo 1", "echo 2"]
    fast.commands.add([command(3)])
    assert [c.command for _, c in settled(lambda: reader.search_index.commands_after(fed[-1][0], 10))] == ["echo 3"]
    for store in (reader, slow, fast):
        store.close()


def test_each_machine_keeps_its_own_search_state_in_a_shared_store(url: str) -> None:
    laptop, desktop = PostgresStore(url, search_owner="laptop:/h"), PostgresStore(url, search_owner="desk:/h")
    laptop.search_index.save_state(SourceState("command", "42", 42, 1))
    laptop.search_index.set_meta("model", "m")
    assert desktop.search_index.states() == []
    assert desktop.search_index.meta("model") is None
    desktop.search_index.save_state(SourceState("command", "7", 7, 2))
    desktop.search_index.reset()
    assert laptop.search_index.state("command") == SourceState("command", "42", 42, 1)
    assert laptop.search_index.meta("model") == "m"
    laptop.close()
    desktop.close()


_GLOB_CHARS = st.sampled_from(list("ab-]^[*?.\\$(|{+é"))


@pytest.fixture(scope="module")
def pg() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        yield connection


@settings(max_examples=300, deadline=None)
@given(pattern=st.text(_GLOB_CHARS, max_size=8), text=st.text(st.sampled_from(list("ab-]^[*?.\\$é")), max_size=6))
def test_glob_regex_matches_what_sqlite_glob_matches(pg: psycopg.Connection[tuple[object, ...]], pattern: str,
                                                      text: str) -> None:
    expected = bool(sqlite3.connect(":memory:").execute("SELECT ? GLOB ?", (text, pattern)).fetchone()[0])
    row = pg.execute("SELECT %s ~ %s", (text, glob_regex(pattern))).fetchone()
    assert row is not None and row[0] is expected, (pattern, glob_regex(pattern))
