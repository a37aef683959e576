"""The Redis adapter beyond the contract suites: its keyspace, its unit of work under concurrent
writers, its key prefix, its errors, and queries that agree with SQLite's on random histories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.errors import ConflictError, StoreUnreachableError, UnsupportedByStoreError
from perth.ids import uuid7
from perth.record import replace
from perth.records import EntryQuery
from perth.store.redis_store import RedisStore
from perth.store.sqlite import SQLiteStore
from tests.store.adapters import REDIS_URL, redis_prefix
from tests.store.contract.builders import make_entry, make_pane


@pytest.fixture
def url() -> Iterator[str]:
    with redis_prefix() as prefixed:
        yield prefixed


@pytest.fixture
def store(url: str) -> Iterator[RedisStore]:
    opened = RedisStore(url)
    yield opened
    opened.close()


def test_the_original_keyspace_holds_panes_and_uncapped_history(store: RedisStore) -> None:
    raw, prefix = store.db.client, store.db.prefix
    pane = make_pane("fix/auth", branch="fix/auth", tags=("a",))
    store.panes.add(pane)
    for ts in range(1, 151):  # the original Perth kept 100
        store.entries.add(make_entry(pane, ts, summary=f"step {ts}"))
    assert raw.hget(f"{prefix}pane:fix/auth", "branch") == "fix/auth"
    assert raw.smembers(f"{prefix}panes") == {"fix/auth"}
    assert raw.xlen(f"{prefix}history:{pane.id}") == 150
    assert store.entries.count(pane.id) == 150
    newest = store.entries.query(EntryQuery(limit=1))[0]
    assert (newest.summary, newest.pane_name) == ("step 150", "fix/auth")


def test_an_edit_replaces_the_message_and_a_rename_moves_the_hash(store: RedisStore) -> None:
    raw, prefix = store.db.client, store.db.prefix
    pane = make_pane("old")
    store.panes.add(pane)
    entry = make_entry(pane, 5, tags=("x",))
    store.entries.add(entry)
    store.entries.update(replace(entry, summary="edited", deleted_at=9))
    assert raw.xlen(f"{prefix}history:{pane.id}") == 1
    assert store.entries.count(pane.id) == 0
    store.panes.update(replace(pane, name="new"))
    assert not raw.exists(f"{prefix}pane:old")
    assert raw.smembers(f"{prefix}panes") == {"new"}
    assert store.entries.get(entry.id, include_deleted=True) == replace(entry, summary="edited", deleted_at=9,
                                                                       pane_name="new")


def test_a_write_racing_another_process_commits_nothing(store: RedisStore, url: str) -> None:
    other = RedisStore(url)
    pane = make_pane("p")
    with pytest.raises(ConflictError, match="changed while"), store.unit():
        store.panes.add(pane)  # watches the name it found free
        other.panes.add(make_pane("p"))  # another process takes it before the EXEC
        store.entries.add(make_entry(pane, 1))
    other.close()
    assert store.panes.get(pane_id=pane.id) is None
    assert store.entries.count() == 0


def test_prefixes_keep_stores_apart_and_dropping_one_leaves_the_other(store: RedisStore) -> None:
    with redis_prefix() as other_url:
        other = RedisStore(other_url)
        other.panes.add(make_pane("mine"))
        assert store.panes.count() == 0
        store.panes.add(make_pane("mine"))
        assert store.drop_keys() > 0
        assert (store.panes.count(), other.panes.count()) == (0, 1)
        other.close()


def test_unsupported_ports_are_a_clear_error(store: RedisStore) -> None:
    for port in ("commands", "shellperf", "snapshots", "llm_calls", "code", "outbox", "search_index", "jobs"):
        with pytest.raises(UnsupportedByStoreError, match=f"the {port} port is not supported by the redis store") as caught:
            getattr(store, port)
        assert caught.value.exit_code == 1


def test_an_unreachable_server_is_exit_4_without_the_password() -> None:
    with pytest.raises(StoreUnreachableError, match=r"127\.0\.0\.1:1/0") as caught:
        RedisStore("redis://:s3cret@127.0.0.1:1/0", timeout_ms=500)
    assert "s3cret" not in str(caught.value)
    assert caught.value.exit_code == 4


def test_the_shared_local_server_is_not_flushed(store: RedisStore) -> None:
    sentinel = f"perth-test-sentinel-{uuid7()}"
    raw = redis.Redis.from_url(REDIS_URL)
    raw.set(sentinel, "1", ex=60)
    store.panes.add(make_pane("p"))
    store.drop_keys()
    assert raw.get(sentinel) == b"1"
    raw.delete(sentinel)
    raw.close()


_histories = st.lists(st.tuples(st.integers(0, 2), st.integers(1, 40), st.sampled_from(["next", "decision"]),
                                st.booleans()), min_size=1, max_size=30)
_queries = st.builds(EntryQuery, pane_ids=st.sampled_from([(), (0,), (1, 2)]), types=st.sampled_from([(), ("next",)]),
                     since=st.none() | st.integers(0, 40), until=st.none() | st.integers(0, 40),
                     include_deleted=st.booleans(), limit=st.integers(1, 12), offset=st.integers(0, 5),
                     oldest_first=st.booleans())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=_histories, query=_queries)
def test_queries_agree_with_sqlite(tmp_path: Path, history: list[tuple[int, int, str, bool]],
                                   query: EntryQuery) -> None:
    panes = [make_pane(f"p{i}") for i in range(3)]
    with redis_prefix() as url:
        stores = [RedisStore(url), SQLiteStore(tmp_path / f"{uuid7()}.db")]
        for store in stores:
            for pane in panes:
                store.panes.add(pane)
        for pane_index, ts, kind, deleted in history:
            entry = make_entry(panes[pane_index], ts, type=kind, deleted_at=ts + 1 if deleted else None)
            for store in stores:
                store.entries.add(entry)
        asked = replace(query, pane_ids=tuple(panes[int(i)].id for i in query.pane_ids))
        first = [store.entries.query(asked) for store in stores]
        streamed = [list(store.entries.stream()) for store in stores]
        counts = [store.entries.count() for store in stores]
        for store in stores:
            store.close()
    assert first[0] == first[1]
    assert streamed[0] == streamed[1]
    assert counts[0] == counts[1]


def _perth(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    env.update(PERTH_HOME=str(home), PERTH_STORE__URL=url)
    return subprocess.run([sys.executable, "-m", "perth", *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False, cwd=home)


def test_a_user_works_against_the_redis_store(tmp_path: Path, url: str) -> None:
    spool = tmp_path / "state" / "spool"
    spool.mkdir(parents=True)
    (spool / "1234.spool").write_text("waiting shell line\n")
    logged = _perth(tmp_path, url, "log", "wired the cache", "--pane", "cache", "--type", "decision")
    assert logged.returncode == 0, logged.stderr
    assert logged.stderr.count("keeps no captured commands") == 1
    assert (spool / "1234.spool").exists()  # left alone for a store that can ingest it
    again = _perth(tmp_path, url, "log", "measured it", "--pane", "cache")
    assert again.returncode == 0 and "keeps no captured commands" not in again.stderr  # said once
    history = json.loads(_perth(tmp_path, url, "history", "--pane", "cache", "--format", "json").stdout)
    assert [e["summary"] for e in history["entries"]] == ["measured it", "wired the cache"]
    assert all(e["commands_run"] == [] for e in history["entries"])
    panes = json.loads(_perth(tmp_path, url, "pane", "list", "--format", "json").stdout)
    assert [p["name"] for p in panes["panes"]] == ["cache"]
    status = _perth(tmp_path, url, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert "measured it" in status.stdout
    store = RedisStore(url)
    assert store.entries.count() == 2
    store.close()


def test_a_command_the_redis_store_cannot_serve_is_one_line_exit_1(tmp_path: Path, url: str) -> None:
    searched = _perth(tmp_path, url, "search", "cache")
    assert searched.returncode == 1
    assert searched.stderr.strip().splitlines() == [
        "perth: error: the search_index port is not supported by the redis store — use a SQLite or PostgreSQL store"
        " for it (see docs/team.md)"]

