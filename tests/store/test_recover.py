"""A damaged data file: ``perth doctor`` reports it (never aborts) and ``--recover`` salvages it
with SQLite's recovery into a new file, keeping the damaged one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

Cli = Callable[..., Any]


def _damage_an_entries_page(db_path: Path) -> None:
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [row[0] for row in db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf' ORDER BY pageno")]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    assert len(pages) > 3
    with db_path.open("r+b") as handle:
        handle.seek((pages[len(pages) // 2] - 1) * size)
        handle.write(b"\xde\xad\xbe\xef" * 8)  # the page header: the b-tree page can no longer be read


def test_doctor_reports_damage_and_recover_salvages_it(cli: Cli, perth_home: Path, tmp_path: Path) -> None:
    lines = cli("log", "seed", "--format", "json")
    assert lines.code == 0
    export = cli("export").out.splitlines()
    entry = json.loads(export[-1])
    many = [json.dumps({**entry, "id": entry["id"][:-6] + f"{i:06x}", "summary": f"entry {i} " + "x" * 200})
            for i in range(400)]
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join([*export[:-1], *many]) + "\n")
    assert cli("import", str(source)).code == 0
    db_path = perth_home / "perth.db"
    _damage_an_entries_page(db_path)

    doctor = cli("doctor", "--format", "json")
    assert doctor.code == 1, doctor.err
    failed = [c for c in json.loads(doctor.out)["checks"] if c["status"] == "fail"]
    assert [c["name"] for c in failed] == ["integrity"] and "perth doctor --recover" in failed[0]["fix"]

    recovered = cli("doctor", "--recover", "--format", "json")
    assert recovered.code == 0, recovered.err
    report = json.loads(recovered.out)
    assert report["schema"] == "perth.recovery.v1"
    assert report["unreadable"] == ["entries"]
    assert Path(report["kept_as"]).exists() and Path(report["kept_as"]).read_bytes()[:16] == b"SQLite format 3\x00"
    assert cli("doctor").code == 0
    listed = cli("history", "--limit", "1000", "--format", "json")
    assert listed.code == 0, listed.err
    assert 300 <= len(json.loads(listed.out)["entries"]) < 401
    assert cli("log", "after the recovery").code == 0
