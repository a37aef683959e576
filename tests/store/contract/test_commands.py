"""The commands port: captured commands, deduplication, spool cursors, quarantine."""

from __future__ import annotations

import pytest

from perth.capture.records import Command, CommandQuery, SpoolCursor
from perth.store.port import Store
from tests.store.contract.builders import make_pane

PORT = "commands"


def command(n: int, text: str, pane_id: str | None = None, **fields: object) -> Command:
    values: dict[str, object] = {"duration_ms": 5, "exit": 0, **fields}
    return Command(id=f"00000000-0000-7000-8000-{n:012d}", pane_id=pane_id, pane_name=None, start_ms=n * 1000,
                   command=text, dedup_key=f"k{n}", **values)  # type: ignore[arg-type]


def test_commands_are_deduplicated_and_advance_the_cursor_atomically(store: Store) -> None:
    batch = [command(1, "make test"), command(2, "git status")]
    assert store.commands.add(batch, SpoolCursor(path="/spool/a", offset=120)) == 2
    assert store.commands.add(batch, SpoolCursor(path="/spool/a", offset=240)) == 0
    assert store.commands.offset("/spool/a") == 240
    assert store.commands.offset("/spool/new") == 0
    store.commands.forget_spool("/spool/a")
    assert store.commands.offset("/spool/a") == 0


def test_a_failed_unit_keeps_neither_commands_nor_cursor(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit():
        store.commands.add([command(1, "ls")], SpoolCursor(path="/spool/b", offset=10))
        raise RuntimeError
    assert store.commands.offset("/spool/b") == 0
    assert list(store.commands.stream(CommandQuery())) == []


def test_query_filters_and_pages_and_between_window(store: Store) -> None:
    pane = make_pane("p")
    store.panes.add(pane)
    rows = [command(1, "make", pane.id, cwd="/src/app"), command(2, "make test", pane.id, exit=2),
            command(3, "ls", None, cwd="/src/app/sub", host="h2"), command(4, "git push", pane.id, repo_root="/r")]
    store.commands.add(rows)
    assert [c.command for c in store.commands.query(CommandQuery(limit=2))] == ["git push", "ls"]
    assert [c.command for c in store.commands.query(CommandQuery(failed=True))] == ["make test"]
    assert [c.command for c in store.commands.query(CommandQuery(cwd="/src/app"))] == ["ls", "make"]
    assert [c.command for c in store.commands.query(CommandQuery(host="h2"))] == ["ls"]
    assert [c.command for c in store.commands.query(CommandQuery(repo_root="/r"))] == ["git push"]
    assert [c.pane_name for c in store.commands.query(CommandQuery(pane_ids=(pane.id,), limit=1))] == ["p"]
    assert [c.command for c in store.commands.stream(CommandQuery(since=2000, until=3000))] == ["make test", "ls"]
    assert store.commands.between(pane.id, 1000, 4000) == ["make test", "git push"]


def test_several_panes_page_newest_first_with_pane_names(store: Store) -> None:
    """Commands of several panes interleave by start time; a page comes back newest first with each
    command's pane name, and the cursor (start, id) of its last row gives the next page, either way."""
    a, b, other = make_pane("a"), make_pane("b"), make_pane("other")
    for pane in (a, b, other):
        store.panes.add(pane)
    owners = [a, b, other, b, a, a, b, other, a, b]
    store.commands.add([command(n, f"cmd {n}", owners[n - 1].id) for n in range(1, 11)])
    chosen = (a.id, b.id)
    first = store.commands.query(CommandQuery(pane_ids=chosen, limit=3))
    assert [(c.command, c.pane_name) for c in first] == [("cmd 10", "b"), ("cmd 9", "a"), ("cmd 7", "b")]
    after = store.commands.query(CommandQuery(pane_ids=chosen, limit=3, cursor=(first[-1].start_ms, first[-1].id)))
    assert [c.command for c in after] == ["cmd 6", "cmd 5", "cmd 4"]
    assert [c.command for c in store.commands.query(CommandQuery(pane_ids=chosen, limit=3, offset=3))] == [
        "cmd 6", "cmd 5", "cmd 4"]
    oldest = store.commands.query(CommandQuery(pane_ids=chosen, limit=4, oldest_first=True,
                                               cursor=(1000, command(1, "").id)))
    assert [(c.command, c.pane_name) for c in oldest] == [("cmd 2", "b"), ("cmd 4", "b"), ("cmd 5", "a"),
                                                          ("cmd 6", "a")]


def test_quarantine_keeps_fragments_in_order(store: Store) -> None:
    store.commands.quarantine("/spool/a", 10, "garbage", "not a spool line", 5)
    store.commands.quarantine("/spool/a", 20, "more", "integer out of range", 6)
    assert store.commands.quarantined() == [("/spool/a", 10, "garbage", "not a spool line", 5),
                                            ("/spool/a", 20, "more", "integer out of range", 6)]



def test_count_is_every_stored_command(store: Store) -> None:
    assert store.commands.count() == 0
    store.commands.add([command(n, f"make t{n}") for n in range(1, 4)])
    store.commands.add([command(1, "make t1")])  # the same dedup key: not stored twice
    assert store.commands.count() == 3


def test_a_user_reads_their_commands_and_those_of_panes_they_may_read(store: Store) -> None:
    from perth.records import Visibility

    mine = make_pane("mine", owner="alice")
    shared = make_pane("shared", owner="bob", team="web")
    private = make_pane("private", owner="bob")
    for pane in (mine, shared, private):
        store.panes.add(pane)
    store.commands.add([command(1, "alice in her pane", mine.id, owner="alice"),
                        command(2, "alice without a pane", None, owner="alice"),
                        command(3, "bob in the shared pane", shared.id, owner="bob"),
                        command(4, "bob in his private pane", private.id, owner="bob"),
                        command(5, "bob without a pane", None, owner="bob")])
    seen = store.commands.query(CommandQuery(visible=Visibility(user="alice", teams=("web",)), limit=10))
    assert sorted(c.command for c in seen) == ["alice in her pane", "alice without a pane", "bob in the shared pane"]
    assert {c.owner for c in seen} == {"alice", "bob"}
    alone = store.commands.stream(CommandQuery(visible=Visibility(user="alice")))
    assert [c.command for c in alone] == ["alice in her pane", "alice without a pane"]
    assert len(store.commands.query(CommandQuery(limit=10))) == 5
