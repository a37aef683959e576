"""Every capability emits its event in the unit of work of its change; every event matches its schema."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.events.emit import emit
from perth.events.types import EVENT_TYPES
from perth.runtime import Runtime
from tests.events.conftest import check_event


def events(rt: Runtime, event_type: str | None = None) -> list[dict[str, Any]]:
    stored = rt.store.outbox.recent(1000, types=(event_type,) if event_type else ())
    return [check_event(e.body) for e in stored]


def test_pane_created_and_closed(rt: Runtime) -> None:
    from perth.panes.service import PaneSpec, create_pane, set_pane_status

    pane = create_pane(rt, PaneSpec(name="fix/auth", tags=("api",)))
    set_pane_status(rt, "fix/auth", "closed")
    set_pane_status(rt, "fix/auth", "closed")  # no change: no second event
    created, closed = events(rt, "perth.pane.created"), events(rt, "perth.pane.closed")
    assert [e["data"]["pane_id"] for e in created] == [pane.id]
    assert created[0]["data"]["tags"] == ["api"]
    assert [e["data"]["status"] for e in closed] == ["closed"]


def test_perth_log_emits_intent_logged_with_the_redacted_summary(cli: Callable[..., Any], rt: Runtime) -> None:
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    result = cli("log", f"rotated the token {secret}", "--pane", "work")
    assert result.code == 0, result.err
    [event] = events(rt, "perth.intent.logged")
    assert event["type"] == "perth.intent.logged"
    assert secret not in json.dumps(event) and "[REDACTED:" in event["data"]["summary"]
    assert event["data"]["pane_name"] == "work"
    assert [e["type"] for e in events(rt)] == ["perth.pane.created", "perth.intent.logged"]


def test_ingest_emits_one_batched_command_event(rt: Runtime) -> None:
    from perth.capture.ingest import ingest
    from tests.capture.test_capture_ingest import line, write_spool

    lines = "".join(line(f"make step{i}", start_us=1_700_000_000_000_000 + i * 1000) for i in range(150))
    write_spool(rt, "bash-s1.spool", lines.encode())
    assert ingest(rt).inserted == 150
    [event] = events(rt, "perth.command.captured")
    assert event["data"]["count"] == 150 and len(event["data"]["commands"]) == 100
    assert event["data"]["commands"][0]["command"] == "make step0"
    ingest(rt)  # nothing new: no event
    assert len(events(rt, "perth.command.captured")) == 1


def test_snapshot_saved_and_restored(rt: Runtime) -> None:
    from perth.mux.execute import restore
    from perth.mux.fake import FakeMux
    from perth.mux.model import PaneSnap, SessionSnap, WindowSnap
    from perth.mux.service import save

    session = SessionSnap(name="dev", windows=(WindowSnap(index=0, name="w", layout="l", active=True, panes=(
        PaneSnap(index=0, cwd="/tmp", command="", focused=True),)),))
    result = save(rt, FakeMux((session,)), name="before")
    assert result.saved
    restore(rt, FakeMux(), result.snapshot)
    [saved] = events(rt, "perth.snapshot.created")
    assert (saved["data"]["name"], saved["data"]["panes"]) == ("before", 1)
    [restored] = events(rt, "perth.session.restored")
    assert restored["data"]["snapshot"] == "before" and restored["data"]["created"] >= 1


def test_summary_created_commits_with_its_checkpoint(cli: Callable[..., Any], rt: Runtime) -> None:
    from perth.summarize.service import summarize

    assert cli("log", "wire the parser", "--pane", "work").code == 0
    summary = summarize(rt, pane_name="work", provider="none")
    [event] = events(rt, "perth.summary.created")
    assert event["data"]["entry_id"] == summary.entry.id and event["data"]["provider"] == "none"
    logged = [e["data"]["entry_id"] for e in events(rt, "perth.intent.logged")]
    assert summary.entry.id in logged


def test_journal_and_shellperf_payloads_from_their_real_records(rt: Runtime) -> None:
    from perth.journal.append import AppendReport
    from perth.shellperf.records import LedgerEntry, Run, RunSpec

    emit(rt, "perth.journal.appended", AppendReport(file="/w/SESSIONS.md", created=True, added=("s1", "s2"),
                                                     already_present=0, still_open=1))
    spec = RunSpec(shell="bash")  # noqa: S604 - a record field, not a subprocess
    run = Run(id="r1", created_at=1, spec=spec, profile="p", shell_version="5.2", samples=())
    emit(rt, "perth.shellperf.classified", LedgerEntry(run=run, verdict="pass"))
    [journal] = events(rt, "perth.journal.appended")
    assert journal["data"]["sessions"] == ["s1", "s2"]
    [shellperf] = events(rt, "perth.shellperf.classified")
    assert (shellperf["data"]["verdict"], shellperf["data"]["samples"]) == ("pass", 0)


def test_code_indexed_after_each_index_run(cli: Callable[..., Any], rt: Runtime, tmp_path: Path) -> None:
    repo = tmp_path / "lib"
    repo.mkdir()
    (repo / "core.py").write_text('def load(path):\n    """Read it."""\n    return path\n')
    assert cli("code", "add", str(repo), "--name", "lib").code == 0
    (repo / "util.py").write_text("from core import load\n\n\ndef run():\n    return load('x')\n")
    assert cli("code", "reindex", "lib").code == 0
    first, second = events(rt, "perth.code.indexed")
    assert (first["data"]["name"], first["data"]["files"], second["data"]["files"]) == ("lib", 1, 2)
    assert second["data"]["parsed"] == 1 and second["data"]["state"] == "fresh"


def test_job_finished_with_its_final_status(cli: Callable[..., Any], rt: Runtime) -> None:
    assert cli("job", "run", "shell", "--wait", "--", "true").code == 0
    assert cli("job", "run", "shell", "--wait", "--", "false").code != 0
    finished = events(rt, "perth.job.finished")
    assert [(e["data"]["status"], e["data"]["exit_code"]) for e in finished] == [("succeeded", 0), ("failed", 1)]
    assert all(e["data"]["kind"] == "shell" and e["data"]["attempts"] == 1 for e in finished)


def test_unknown_type_is_refused(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        emit(rt, "perth.nothing", object())
    assert len(EVENT_TYPES) == 11


def test_a_rolled_back_log_leaves_no_event_and_no_entry(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from perth.panes import entries
    from perth.panes.entries import EntryDraft, log_entry
    from perth.panes.service import PaneSpec, create_pane

    create_pane(rt, PaneSpec(name="work"))
    before = rt.store.outbox.stats().events

    def emit_then_fail(*args: Any) -> None:
        emit(*args)
        assert rt.store.outbox.stats().events == before + 1  # written, inside the open transaction
        raise RuntimeError("the change fails after its event was appended")

    monkeypatch.setattr(entries, "emit", emit_then_fail)
    with pytest.raises(RuntimeError):
        log_entry(rt, EntryDraft(summary="never lands"), "work")
    assert rt.store.outbox.stats().events == before
    assert rt.store.entries.count() == 0


def test_perth_log_fails_whole_when_its_event_cannot_be_written(perth_home: Path) -> None:
    env = {"PERTH_HOME": str(perth_home), "PATH": "/usr/bin:/bin", "PERTH_PANE": "work"}
    run = [sys.executable, "-m", "perth", "log"]
    assert subprocess.run([*run, "first"], env=env, capture_output=True, check=False).returncode == 0
    path = next(perth_home.rglob("perth.db"))
    db = sqlite3.connect(path)
    db.execute("CREATE TRIGGER refuse AFTER INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END")
    db.commit()
    failed = subprocess.run([*run, "second"], env=env, capture_output=True, text=True, check=False)
    assert failed.returncode != 0 and failed.stderr.startswith("perth: error:")
    summaries = [r[0] for r in db.execute("SELECT summary FROM entries ORDER BY ts")]
    assert summaries == ["first"]
    assert [r[0] for r in db.execute("SELECT type FROM outbox ORDER BY seq")] == ["perth.pane.created",
                                                                                  "perth.intent.logged"]
    db.close()
