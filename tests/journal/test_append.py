"""``perth journal append``: newest first after the title, idempotent, hand-written text kept,
and the result passes ``perth journal verify``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from perth.clock import now_ms, to_iso
from perth.journal.append import append_sessions, blocks
from perth.journal.service import JournalRequest, build_journal
from tests.journal.conftest import BASE, HOUR, MIN, commit, intent, make_repo, make_rt, pane

HAND_WRITTEN = """# Project sessions

Notes kept by hand since 2025.

## Session: 2025-11-19 10:01 AM
**Branch**: main
- Wrote the plan by hand
"""


def _world(work: Path, starts: list[int]) -> Path:
    repo = make_repo(work / "app")
    rt = make_rt(work, now=max(max(starts) + HOUR, BASE + 12 * HOUR))  # entries are never logged in the future
    pane(rt, "dev", repo)
    for index, start in enumerate(starts):
        commit(repo, f"work {index}", start, {f"f{index}.txt": "x\n"})
        intent(rt, "dev", f"milestone {index}", start + MIN, "milestone")
    return repo


def _journal(work: Path, now: int, **fields: Any) -> Any:
    rt = make_rt(work, now=now)
    return build_journal(rt, JournalRequest(**({"since_ms": BASE - HOUR, "until_ms": now} | fields)))


def _ids(text: str) -> list[str]:
    return re.findall(r"<!-- perth:session (s[0-9a-f]{15}) ", text)


def test_creates_the_file_and_a_second_run_changes_nothing(work: Path) -> None:
    _world(work, [BASE, BASE + 3 * HOUR])
    target = work / "SESSIONS.md"
    journal = _journal(work, BASE + 12 * HOUR)
    first = append_sessions(make_rt(work), str(target), journal, now=journal.generated_at)
    assert first.created and len(first.added) == 2
    text = target.read_text()
    assert text.startswith("# Sessions\n\n<!-- perth:session ")
    assert _ids(text) == [s.id for s in journal.sessions]  # newest first
    stamp = target.stat().st_mtime_ns
    second = append_sessions(make_rt(work), str(target), _journal(work, BASE + 12 * HOUR), now=journal.generated_at)
    assert second.added == () and second.already_present == 2 and not second.created
    assert target.read_text() == text and target.stat().st_mtime_ns == stamp


def test_new_sessions_go_on_top_after_the_title_and_hand_written_text_stays(work: Path) -> None:
    _world(work, [BASE, BASE + 3 * HOUR, BASE + 6 * HOUR])
    target = work / "SESSIONS.md"
    target.write_text(HAND_WRITTEN)
    older = _journal(work, BASE + 5 * HOUR, until_ms=BASE + 4 * HOUR)
    assert len(append_sessions(make_rt(work), str(target), older, now=older.generated_at).added) == 2
    newest = _journal(work, BASE + 12 * HOUR)
    report = append_sessions(make_rt(work), str(target), newest, now=newest.generated_at)
    assert len(report.added) == 1 and report.already_present == 2
    text = target.read_text()
    assert text.startswith("# Project sessions\n\n<!-- perth:session ")
    assert _ids(text) == [s.id for s in newest.sessions]
    assert text.endswith(HAND_WRITTEN.split("\n", 2)[2])  # the hand-written part, untouched, below
    starts = [b.start_ms for b in blocks(text.split("\n"))]
    assert starts == sorted(starts, reverse=True)


def test_an_older_session_found_later_is_placed_in_order(work: Path) -> None:
    _world(work, [BASE, BASE + 3 * HOUR, BASE + 6 * HOUR])
    target = work / "S.md"
    late = _journal(work, BASE + 12 * HOUR, since_ms=BASE + 2 * HOUR)
    append_sessions(make_rt(work), str(target), late, now=late.generated_at)
    everything = _journal(work, BASE + 12 * HOUR)
    append_sessions(make_rt(work), str(target), everything, now=everything.generated_at)
    assert _ids(target.read_text()) == [s.id for s in everything.sessions]


def test_a_session_still_in_progress_waits(work: Path) -> None:
    _world(work, [BASE, BASE + 3 * HOUR])
    target = work / "S.md"
    journal = _journal(work, BASE + 3 * HOUR + 10 * MIN)  # 9 minutes after the last activity
    report = append_sessions(make_rt(work), str(target), journal, now=journal.generated_at)
    assert report.still_open == 1 and len(report.added) == 1
    later = _journal(work, BASE + 12 * HOUR)
    assert len(append_sessions(make_rt(work), str(target), later, now=later.generated_at).added) == 1
    assert len(_ids(target.read_text())) == 2


def test_cli_append_then_verify(work: Path, cli: Callable[..., Any]) -> None:
    now = now_ms()
    repo = _world(work, [now - 5 * HOUR, now - 2 * HOUR])
    target = work / "SESSIONS.md"
    result = cli("journal", "--repo", str(repo), "append", str(target), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["schema"] == "perth.journal.append.v1" and report["added_count"] == 2 and report["created"]
    again = cli("journal", "append", str(target), "--repo", str(repo), "--since", to_iso(now - 24 * HOUR))
    assert again.code == 0 and "0 session(s) added, 2 already there" in again.out
    verified = cli("journal", "verify", str(target), "--repo", str(repo))
    assert verified.code == 0, verified.out
    assert "OK: checked 2 SHA(s), 2 count(s) and 2 branch claim(s) in 2 session(s)" in verified.out
