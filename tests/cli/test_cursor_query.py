"""``More: perth history --cursor C``: the next page of the same query, filters and page size included."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from perth.capture.ingest import ingest
from tests.capture.test_capture_ingest import line, make_rt, write_spool

Cli = Callable[..., Any]


def _summaries(out: str) -> list[str]:
    return [e["summary"] for e in json.loads(out)["entries"]]


def test_the_printed_cursor_continues_the_same_filtered_query(cli: Cli) -> None:
    for index in range(7):
        assert cli("log", f"next {index}", "--type", "next", "--pane", "a").code == 0
        assert cli("log", f"other {index}", "--pane", "b").code == 0
    first = cli("history", "--type", "next", "--pane", "a", "--limit", "3", "--format", "json")
    cursor = json.loads(first.out)["next_cursor"]
    assert _summaries(first.out) == ["next 6", "next 5", "next 4"]
    text = cli("history", "--type", "next", "--pane", "a", "--limit", "3").out
    hint = next(row for row in text.splitlines() if row.startswith("More: "))
    second = cli(*hint.removeprefix("More: perth ").split(), "--format", "json")
    assert second.code == 0, second.err
    assert _summaries(second.out) == ["next 3", "next 2", "next 1"]
    assert json.loads(second.out)["filters"]["types"] == ["next"]
    third = cli("history", "--cursor", json.loads(second.out)["next_cursor"], "--format", "json")
    assert _summaries(third.out) == ["next 0"]
    same = cli("history", "--cursor", cursor, "--type", "next", "--format", "json")
    assert _summaries(same.out) == ["next 3", "next 2", "next 1"]
    clash = cli("history", "--cursor", cursor, "--pane", "b")
    assert clash.code == 1 and "differs from the listing this cursor continues" in clash.err
    assert cli("history", "--cursor", "garbage~!!!").code == 1


def test_command_cursor_keeps_the_failed_filter(cli: Cli) -> None:
    rt = make_rt()
    data = "".join(line(f"cmd {i}", start_us=1_700_000_000_000_000 + i * 1000, exit_status=i % 2) for i in range(8))
    write_spool(rt, "bash-s9.spool", data.encode())
    ingest(rt)
    first = json.loads(cli("history", "--commands", "--failed", "--limit", "2", "--format", "json").out)
    assert [c["command"] for c in first["commands"]] == ["cmd 7", "cmd 5"]
    second = json.loads(cli("history", "--commands", "--cursor", first["next_cursor"], "--format", "json").out)
    assert [c["command"] for c in second["commands"]] == ["cmd 3", "cmd 1"]
