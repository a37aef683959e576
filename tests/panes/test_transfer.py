"""Export and import: lossless, idempotent, all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.errors import InvalidInputError
from perth.panes.entries import EntryDraft, delete_entry, log_entry
from perth.panes.service import PaneSpec, create_pane
from perth.panes.transfer import export_lines, import_records, parse_import
from perth.runtime import Runtime


def _populate(rt: Runtime) -> None:
    create_pane(rt, PaneSpec(name="fix/auth", session="s", tab="t", mux_kind="tmux", mux_pane_id="%1",
                             tags=("x",), meta={"ticket": "OPS-1"}))
    log_entry(rt, EntryDraft(summary="one ünïcode ✓", type="decision", agent="bot", artifacts=("a.txt",),
                             commands_run=("make",), goal_delta="gd", tags=("t1",), at=1_700_000_000_001), "fix/auth")
    second, _ = log_entry(rt, EntryDraft(summary="two\nlines", at=1_700_000_000_002), "other")
    delete_entry(rt, second.id)


def _body(lines: list[str]) -> list[str]:
    return [line for line in lines if '"kind":"header"' not in line]


def test_round_trip_is_lossless_and_idempotent(make_rt: Callable[..., Runtime], tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source = make_rt()
    _populate(source)
    exported = list(export_lines(source, include_deleted=True))
    header = json.loads(exported[0])
    assert header["schema"] == "perth.export.v1"
    monkeypatch.setenv("PERTH_HOME", str(tmp_path / "second-home"))
    target = make_rt()
    counts = import_records(target, parse_import(target, exported))
    assert (counts.panes_added, counts.entries_added) == (2, 2)
    again = import_records(target, parse_import(target, exported))
    assert (again.panes_added, again.entries_added, again.entries_skipped) == (0, 0, 2)
    assert _body(list(export_lines(target, include_deleted=True))) == _body(exported)


def test_invalid_line_rejects_whole_file(rt: Runtime) -> None:
    _populate(rt)
    lines = list(export_lines(rt))
    before = len(lines)
    broken = [*lines[:2], '{"kind": "entry", "summary": 5}', *lines[2:]]
    with pytest.raises(InvalidInputError) as caught:
        parse_import(rt, broken)
    assert caught.value.what.startswith("import line 3:")
    assert "nothing was imported" in caught.value.fix
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        parse_import(rt, ["{nope"])
    with pytest.raises(InvalidInputError, match="unknown kind"):
        parse_import(rt, ['{"kind": "snapshot"}'])
    with pytest.raises(InvalidInputError, match="unsupported export schema"):
        parse_import(rt, ['{"kind": "header", "schema": "perth.export.v9"}'])
    assert len(list(export_lines(rt))) == before


def test_same_pane_name_merges_into_existing_pane(make_rt: Callable[..., Runtime], tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source = make_rt()
    log_entry(source, EntryDraft(summary="from laptop"), "shared")
    exported = list(export_lines(source))
    monkeypatch.setenv("PERTH_HOME", str(tmp_path / "other"))
    target = make_rt()
    log_entry(target, EntryDraft(summary="from desktop"), "shared")
    counts = import_records(target, parse_import(target, exported))
    assert (counts.panes_added, counts.panes_skipped, counts.entries_added) == (0, 1, 1)
    pane = target.store.panes.get(name="shared")
    assert pane is not None
    assert target.store.entries.count(pane.id) == 2


summaries = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda s: s.strip() != "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(summaries, st.sampled_from(["checkpoint", "next", "decision"]),
                          st.integers(min_value=0, max_value=1_700_000_000_000)), min_size=1, max_size=8))
def test_round_trip_property(make_rt: Callable[..., Runtime], tmp_path_factory, monkeypatch,  # type: ignore[no-untyped-def]
                             items: list[tuple[str, str, int]]) -> None:
    monkeypatch.setenv("PERTH_HOME", str(tmp_path_factory.mktemp("src")))
    source = make_rt()
    for summary, kind, at in items:
        log_entry(source, EntryDraft(summary=summary, type=kind, at=at), "p")
    exported = list(export_lines(source))
    monkeypatch.setenv("PERTH_HOME", str(tmp_path_factory.mktemp("dst")))
    target = make_rt()
    import_records(target, parse_import(target, exported))
    assert _body(list(export_lines(target))) == _body(exported)


def test_imported_repository_and_branch_pass_the_secret_filter(rt: Runtime) -> None:
    token = "ghp_" + "Ab1" * 12
    lines = ['{"kind": "header", "schema": "perth.export.v1"}', json.dumps(
        {"kind": "pane", "id": "01900000-0000-7000-8000-0000000000aa", "name": "imported", "status": "active",
         "mux_kind": "none", "session": None, "tab": None, "mux_pane_id": None, "cwd": None,
         "repo_root": f"/src/{token}", "branch": f"fix-{token}", "tags": [], "meta": {},
         "created_at": "2026-01-01T00:00:00.000Z", "last_seen_at": "2026-01-01T00:00:00.000Z", "deleted_at": None})]
    import_records(rt, parse_import(rt, lines))
    pane = rt.store.panes.get(name="imported")
    assert pane is not None
    assert (pane.repo_root, pane.branch) == ("/src/[REDACTED:github-pat]", "fix-[REDACTED:github-pat]")
