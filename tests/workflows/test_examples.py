"""The examples of docs/workflows.md are valid, and run for real (a git repository and a SQLite database)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.gitrepo import git

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "workflows"
Cli = Callable[..., Any]


def test_every_example_is_valid(cli: Cli) -> None:
    for path in sorted(EXAMPLES.glob("*.yml")):
        result = cli("workflow", "validate", str(path), "--format", "json")
        assert result.code == 0, result.err
        assert json.loads(result.out)["valid"] is True


def test_the_nightly_backup_runs(cli: Cli, repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (1)")
    git(repo, "log", "-1")
    result = cli("workflow", "run", str(EXAMPLES / "nightly-backup.yml"), "--input", f"repo={repo}",
                 "--input", f"bundle={tmp_path}/app.bundle", "--input", f"database=sqlite:///{database}",
                 "--format", "json")
    assert result.code == 0, result.out + result.err
    run = json.loads(result.out)["run"]
    assert [(s["id"], s["status"]) for s in run["steps"]] == [
        ("bundle", "succeeded"), ("verify-bundle", "succeeded"), ("dump-db", "succeeded"), ("verify-db", "succeeded"),
        ("prune-db", "succeeded"), ("record-failure", "skipped")]
    assert (tmp_path / "app.bundle").stat().st_size > 0
    steps = {s["id"]: s for s in run["steps"]}
    dump = steps["dump-db"]["outputs"]["path"]
    assert Path(dump).stat().st_size > 0 and run["outputs"] == {"database_backup": dump}
    logs = json.loads(cli("workflow", "logs", run["id"], "--format", "json").out)
    verify = next(s for s in logs["steps"] if s["id"] == "verify-db")
    assert any(dump in line["text"] and "verify done" in line["text"] for line in verify["lines"])


def test_the_deploy_waits_for_its_release_approval(cli: Cli, tmp_path: Path) -> None:
    from perth.workflows.service import local_user

    flow = tmp_path / "deploy.yml"
    flow.write_text((EXAMPLES / "deploy.yml").read_text().replace('"alice", "bob"', f'"{local_user()}"')
                    .replace("four_eyes: true, timeout: 3600", "four_eyes: false, timeout: 1"))
    result = cli("workflow", "run", str(flow), "--input", f"dest={tmp_path}/site", "--input", "version=1.2.0",
                 "--format", "json")
    run = json.loads(result.out)["run"]
    assert result.code == 1 and [s["status"] for s in run["steps"]] == ["succeeded", "succeeded", "rejected"]
    assert (tmp_path / "site" / "VERSION.next").read_text() == "1.2.0\n"
    assert not (tmp_path / "site" / "VERSION").exists()  # nobody approved within the gate's timeout


def test_the_deploy_releases_the_built_artifact_once_approved(cli: Cli, tmp_path: Path) -> None:
    import threading
    import time

    from perth.workflows.service import local_user

    flow = tmp_path / "deploy.yml"
    flow.write_text((EXAMPLES / "deploy.yml").read_text().replace('"alice", "bob"', f'"{local_user()}"')
                    .replace("four_eyes: true", "four_eyes: false"))

    def approve() -> None:
        from perth.config import load_settings
        from perth.paths import resolve_paths
        from perth.runtime import Runtime
        from perth.workflows.service import decide

        rt = Runtime(load_settings(resolve_paths()))
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                waiting = [(r, s) for r in rt.store.workflows.recent(5, "running")
                           for s in rt.store.workflows.steps(r.id) if s.status == "waiting"]
                if waiting:
                    decide(rt, waiting[0][0], "release", approve=True, note="checked the changelog")
                    return
                time.sleep(0.05)
        finally:
            rt.close()

    approver = threading.Thread(target=approve)
    approver.start()
    result = cli("workflow", "run", str(flow), "--input", f"dest={tmp_path}/site", "--input", "version=1.3.0",
                 "--format", "json")
    approver.join()
    run = json.loads(result.out)["run"]
    assert result.code == 0, result.err
    build, release = run["steps"][1], run["steps"][2]
    assert build["outputs"] == {"artifact": f"{tmp_path}/site/VERSION.next"}
    assert release["approval"]["decision"] == "approved" and release["approval"]["note"] == "checked the changelog"
    assert (tmp_path / "site" / "VERSION").read_text() == "1.3.0\n"
