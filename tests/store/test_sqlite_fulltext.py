"""The SQLite full-text index of commands stays exactly in step with the table."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.capture.records import Command
from perth.store.sqlite import SQLiteStore

WORDS = st.sampled_from(["git", "push", "make", "test", "docker", "ps", "ls", "kubectl", "apply", "ünïcode"])


def command(key: int, text: str) -> Command:
    return Command(id=f"00000000-0000-7000-8000-{key:012d}", pane_id=None, pane_name=None, start_ms=key,
                   duration_ms=1, exit=0, command=text, dedup_key=f"k{key}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(st.tuples(st.integers(0, 30), st.lists(WORDS, min_size=1, max_size=4)),
                                 max_size=8), max_size=5),
       deletes=st.lists(st.integers(0, 30), max_size=5))
def test_index_matches_the_table_after_batches_duplicates_and_deletes(
        tmp_path_factory: object, batches: list[list[tuple[int, list[str]]]], deletes: list[int]) -> None:
    path = Path(tmp_path_factory.mktemp("fts")) / "perth.db"  # type: ignore[attr-defined]
    store = SQLiteStore(path)
    try:
        for batch in batches:
            store.commands.add([command(key, " ".join(words)) for key, words in batch])
        for key in deletes:
            store.db.run("DELETE FROM commands WHERE dedup_key = ?", (f"k{key}",))
        db = store.db.connection
        db.execute("INSERT INTO commands_fts(commands_fts, rank) VALUES ('integrity-check', 1)")
        for word in ("git", "ünïcode", "apply"):
            expected = {r[0] for r in db.execute("SELECT rowid FROM commands WHERE ' ' || command || ' ' LIKE ?",
                                                 (f"% {word} %",))}
            found = {r[0] for r in db.execute("SELECT rowid FROM commands_fts WHERE commands_fts MATCH ?",
                                              (f'"{word}"',))}
            assert found == expected
    finally:
        store.close()


def test_integrity_check_catches_a_missing_row(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "perth.db")
    store.commands.add([command(1, "git push")])
    store.db.run("INSERT INTO commands(id, start_ms, command, dedup_key) VALUES ('x', 1, 'unindexed', 'x')")
    try:
        store.db.connection.execute("INSERT INTO commands_fts(commands_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        pass
    else:
        raise AssertionError("the integrity check did not notice an unindexed row")
    finally:
        store.close()
