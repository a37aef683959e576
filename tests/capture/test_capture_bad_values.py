"""Values no shell produces — integers of 2**63 and more, far-future times — are stopped at the
boundary: a spool line is quarantined (the rest goes in), an imported time stamp is replaced by the
file's time, an import file or ``--at`` is refused; nothing stored can crash a later command."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.capture.ingest import ingest, spool_dir
from perth.capture.records import CommandQuery
from perth.capture.spool_format import parse_line
from perth.errors import InvalidInputError
from perth.runtime import Runtime
from tests.capture.test_capture_ingest import make_rt

Cli = Callable[..., Any]
NOW_US = 1_700_000_000_000_000


def spool_line(start: str, duration: str, exit_status: str, command: str) -> str:
    return "\t".join(["1", start, duration, exit_status, "bash", "s1", "", "", "", "/tmp", "", "", "h", "u",
                      command]) + "\n"


def write(rt: Runtime, text: str) -> None:
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "bash-s1.spool").open("a") as handle:
        handle.write(text)


@pytest.mark.parametrize(("start", "duration", "exit_status"), [
    (str(2**63), "1000", "0"), (str(NOW_US), str(2**63), "0"), (str(NOW_US), "1000", str(2**63)),
    (str(NOW_US), "1000", str(-(2**63) - 1)), (str(300_000_000_000 * 1_000_000), "1000", "0"),  # year 11476
    ("9" * 400, "1", "0"),
])
def test_out_of_range_spool_values_are_quarantined_and_ingest_goes_on(
        cli: Cli, start: str, duration: str, exit_status: str) -> None:
    rt = make_rt()
    write(rt, spool_line(str(NOW_US), "1000", "0", "before") + spool_line(start, duration, exit_status, "bad")
          + spool_line(str(NOW_US + 5000), "1000", "0", "after"))
    report = ingest(rt)
    assert (report.inserted, report.quarantined) == (2, 1), report
    assert sorted(c.command for c in rt.store.commands.stream(CommandQuery())) == ["after", "before"]
    for args in (("history", "--commands"), ("search", "before"), ("pane", "list")):
        done = cli(*args)
        assert done.code == 0, (args, done.err)


@settings(max_examples=200)
@given(st.integers(), st.integers(), st.integers())
def test_parse_line_accepts_only_storable_integers(start: int, duration: int, exit_status: int) -> None:
    try:
        record = parse_line(spool_line(str(start), str(duration), str(exit_status), "x")[:-1])
    except InvalidInputError:
        return
    for value in (record.start_us or 0, record.duration_us, record.exit):
        assert -(2**63) <= value < 2**63


def test_imported_history_with_huge_or_future_stamps_keeps_the_lines(cli: Cli, tmp_path: Path) -> None:
    history = tmp_path / "zsh_history"
    history.write_bytes(b": 1700000000:0;echo normal\n"
                        b": 300000000000:0;echo year-11476\n"
                        b": 99999999999999999999:99999999999999999999;echo overflow\n")
    done = cli("import-history", "--shell", "zsh", "--file", str(history))
    assert done.code == 0, done.err
    listed = cli("history", "--commands", "--format", "json")
    assert listed.code == 0, listed.err
    commands = json.loads(listed.out)["commands"]
    assert sorted(c["command"] for c in commands) == ["echo normal", "echo overflow", "echo year-11476"]
    assert all(c["start"] < "2100" for c in commands)
    assert cli("search", "overflow").code == 0


def test_times_stored_before_the_checks_still_show(cli: Cli, perth_home: Path) -> None:
    assert cli("log", "seed").code == 0
    with sqlite3.connect(perth_home / "perth.db") as db:
        db.execute("UPDATE entries SET ts = ?", (300_000_000_000_000,))
    for args in (("history",), ("status",), ("export",), ("search", "seed"), ("history", "--format", "json")):
        done = cli(*args)
        assert done.code == 0, (args, done.err)


def test_far_future_times_are_refused_by_log_and_import(cli: Cli, tmp_path: Path) -> None:
    done = cli("log", "later", "--at", "2999-01-01")
    assert done.code == 1 and "--at" in done.err and "between 1970 and tomorrow" in done.err
    assert json.loads(cli("pane", "list", "--format", "json").out)["panes"] == []  # nothing half-written
    assert cli("log", "seed").code == 0
    lines = cli("export").out.splitlines()
    entry = json.loads(lines[-1])
    entry["ts"], entry["id"] = "11476-01-01T00:00:00.000Z", entry["id"][:-4] + "beef"
    path = tmp_path / "future.jsonl"
    path.write_text("\n".join([*lines, json.dumps(entry)]) + "\n")
    done = cli("import", str(path))
    assert done.code == 1 and "import line" in done.err, done.err


_FIELD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=300)
@given(st.one_of(st.none(), st.integers(0, 2**53)), st.integers(0, 2**53), st.integers(-(2**31), 2**31 - 1),
       st.lists(_FIELD, min_size=11, max_size=11))
def test_a_spool_line_reads_back_as_written(start: int | None, duration: int, exit_status: int,
                                            texts: list[str]) -> None:
    """Escaped or not (the reader skips unescaping a line without a backslash), every field comes back."""
    from perth.capture.spool_format import SpoolRecord, format_line

    record = SpoolRecord(start, duration, exit_status, *texts)
    assert parse_line(format_line(record)) == record
