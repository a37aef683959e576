"""Logging, reading, editing and deleting intent entries; every field is live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.panes.entries import (
    EntryChanges,
    EntryDraft,
    HistoryFilter,
    delete_entry,
    edit_entry,
    find_entry,
    history,
    log_entry,
    restore_entry,
    short_id,
)
from perth.panes.service import set_pane_status
from perth.runtime import Runtime


def test_every_field_is_stored_and_read_back(make_rt: Callable[..., Runtime], repo: Path) -> None:
    (repo / "sub").mkdir()
    rt = make_rt(cwd=repo / "sub")
    draft = EntryDraft(summary="  wired the refresh token path  ", type="milestone", agent="claude-code",
                       artifacts=("../README.md", "notes.txt", "/etc/hosts", "https://ci.example/run/1"),
                       commands_run=("pytest -q", "  "), goal_delta="auth flow now end to end",
                       tags=("auth", "auth", "sprint:4"), at=1_700_000_000_123)
    entry, found = log_entry(rt, draft, "fix/auth")
    assert found.how == "flag"
    stored = find_entry(rt, entry.id)
    assert stored == entry
    assert stored.summary == "wired the refresh token path"
    assert (stored.type, stored.source, stored.agent) == ("milestone", "agent", "claude-code")
    assert stored.artifacts == ("README.md", "sub/notes.txt", "/etc/hosts", "https://ci.example/run/1")
    assert stored.commands_run == ("pytest -q",)
    assert stored.goal_delta == "auth flow now end to end"
    assert stored.tags == ("auth", "sprint:4")
    assert stored.ts == 1_700_000_000_123
    assert stored.schema_version == 1


@pytest.mark.parametrize(("draft", "message"), [
    (EntryDraft(summary="   "), "summary is empty"),
    (EntryDraft(summary="x", type="epiphany"), "unknown type 'epiphany'"),
    (EntryDraft(summary="x", source="robot"), "unknown source 'robot'"),
    (EntryDraft(summary="x", source="agent"), "agent entries need the agent's name"),
    (EntryDraft(summary="x", source="manual", agent="bot"), "--agent only applies"),
    (EntryDraft(summary="x", tags=("bad tag",)), "invalid tag"),
    (EntryDraft(summary="x" * 20_000), "limit 16384"),
])
def test_invalid_drafts_write_nothing(rt: Runtime, draft: EntryDraft, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        log_entry(rt, draft, "p")
    assert rt.store.panes.get(name="p") is None
    assert history(rt, HistoryFilter()).entries == []


def test_invalid_pane_name(rt: Runtime) -> None:
    with pytest.raises(InvalidInputError) as caught:
        log_entry(rt, EntryDraft(summary="x"), "has space")
    assert "A-Z a-z 0-9 . _ / -" in caught.value.fix


def test_archived_pane_refuses_entries_closed_pane_reopens(rt: Runtime) -> None:
    log_entry(rt, EntryDraft(summary="one"), "p")
    set_pane_status(rt, "p", "closed")
    log_entry(rt, EntryDraft(summary="two"), "p")
    pane = rt.store.panes.get(name="p")
    assert pane is not None and pane.status == "active"
    set_pane_status(rt, "p", "archived")
    with pytest.raises(ConflictError, match="archived"):
        log_entry(rt, EntryDraft(summary="three"), "p")


def test_auto_create_off_requires_existing_pane(make_rt: Callable[..., Runtime]) -> None:
    rt = make_rt(**{"panes.auto_create": "false"})
    with pytest.raises(NotFoundError, match="perth pane create"):
        log_entry(rt, EntryDraft(summary="x"), "missing")


def test_history_filters_and_cursor_paging(rt: Runtime) -> None:
    for i in range(12):
        kind = "next" if i % 3 == 0 else "checkpoint"
        log_entry(rt, EntryDraft(summary=f"e{i}", type=kind, tags=("odd",) if i % 2 else (), at=1000 + i),
                  "a" if i < 6 else "b")
    assert [e.summary for e in history(rt, HistoryFilter(panes=("a",), limit=50)).entries] == \
        [f"e{i}" for i in range(5, -1, -1)]
    assert [e.summary for e in history(rt, HistoryFilter(types=("next",), limit=50)).entries] == ["e9", "e6", "e3", "e0"]
    assert [e.summary for e in history(rt, HistoryFilter(tags=("odd",), since=1005, limit=50)).entries] == \
        ["e11", "e9", "e7", "e5"]
    first = history(rt, HistoryFilter(limit=5))
    second = history(rt, HistoryFilter(limit=5, cursor=first.next_cursor))
    third = history(rt, HistoryFilter(limit=5, cursor=second.next_cursor))
    summaries = [e.summary for page in (first, second, third) for e in page.entries]
    assert summaries == [f"e{i}" for i in range(11, -1, -1)]
    assert third.next_cursor is None
    with pytest.raises(InvalidInputError, match="invalid cursor"):
        history(rt, HistoryFilter(cursor="garbage"))
    with pytest.raises(InvalidInputError, match="--since is after --until"):
        history(rt, HistoryFilter(since=10, until=5))
    with pytest.raises(NotFoundError):
        history(rt, HistoryFilter(panes=("nope",)))


def test_edit_delete_restore(rt: Runtime) -> None:
    entry, _ = log_entry(rt, EntryDraft(summary="draft", tags=("a",)), "p")
    log_entry(rt, EntryDraft(summary="other pane"), "q")
    edited = edit_entry(rt, short_id(entry.id), EntryChanges(
        summary="final", type="decision", goal_delta="decided", add_tags=("b",), remove_tags=("a",),
        add_artifacts=("x.txt",), add_commands=("make",), pane="q"))
    assert (edited.summary, edited.type, edited.goal_delta, edited.tags) == ("final", "decision", "decided", ("b",))
    assert edited.commands_run == ("make",)
    assert edited.pane_name == "q"
    assert edited.artifacts == (str(Path.cwd() / "x.txt"),)
    assert edited.updated_at is not None
    with pytest.raises(InvalidInputError, match="nothing to change"):
        edit_entry(rt, entry.id, EntryChanges())
    delete_entry(rt, entry.id)
    assert entry.id not in [e.id for e in history(rt, HistoryFilter()).entries]
    assert entry.id in [e.id for e in history(rt, HistoryFilter(include_deleted=True)).entries]
    with pytest.raises(NotFoundError):
        find_entry(rt, entry.id)
    assert restore_entry(rt, entry.id).deleted_at is None
    assert find_entry(rt, entry.id).summary == "final"


def test_short_id_rules(rt: Runtime) -> None:
    entry, _ = log_entry(rt, EntryDraft(summary="x"), "p")
    assert find_entry(rt, short_id(entry.id).upper()).id == entry.id
    with pytest.raises(InvalidInputError, match="too short"):
        find_entry(rt, "abc")
    with pytest.raises(NotFoundError):
        find_entry(rt, "ffffffff")


def test_a_pane_another_process_created_meanwhile_takes_the_entry(rt: Runtime,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from perth.panes import service
    from perth.panes.resolve import Resolution
    from perth.panes.service import PaneSpec, create_pane

    theirs = create_pane(rt, PaneSpec(name="race/a"))
    monkeypatch.setattr(service, "resolve", lambda _rt, _name: Resolution("race/a", "flag", "--pane", None))
    entry, found = log_entry(rt, EntryDraft(summary="both of us started here"), "race/a")
    assert (entry.pane_id, found.pane.id if found.pane else None) == (theirs.id, theirs.id)


def test_a_unit_raced_by_another_process_is_written_again(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from perth.errors import StoreRaceError
    from perth.records import EntryQuery

    real_add = rt.store.entries.add
    raced = []

    def add_once_raced(entry: object) -> None:
        if not raced:
            raced.append(entry)
            raise StoreRaceError("the store changed while this write was prepared", "run the command again")
        real_add(entry)  # type: ignore[arg-type]

    monkeypatch.setattr(rt.store.entries, "add", add_once_raced)
    entry, _found = log_entry(rt, EntryDraft(summary="written on the second try"), "race/b")
    assert raced and [e.id for e in rt.store.entries.query(EntryQuery())] == [entry.id]
