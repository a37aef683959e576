"""Switching ``store.url`` to PostgreSQL changes nothing a user sees: the same commands of the code
index, operations jobs, workflows and memory search, run on a SQLite store and on a PostgreSQL one,
give the same answers (ids, times, paths and scores aside); on Redis each says, in one line and with
exit 1, that the port is not supported by the redis store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.codeindex.conftest import copy_fixture
from tests.store.adapters import pg_schema, redis_prefix

pytestmark = pytest.mark.integration

Cli = Callable[..., Any]
#: Fields that differ between two runs of the same commands whatever the store (ids, clocks, places).
VOLATILE = frozenset({"id", "job_id", "run_id", "ref_id", "created_at", "started_at", "finished_at", "available_at",
                      "added_at", "indexed_at", "at", "lease_until", "lease_owner", "runner", "score", "bm25",
                      "seconds", "duration_ms", "root", "path", "output_path", "synced", "next_cursor"})


def stable(value: Any) -> Any:
    """``value`` without the volatile fields."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(item) for item in value]
    return value


def scenario(cli: Cli, work: Path) -> list[Any]:
    """What a user does with the code index, jobs, workflows and search, as the JSON they get back."""
    seen: list[Any] = []

    def run(*args: str, code: int = 0) -> dict[str, Any]:
        result = cli(*args)
        assert result.code == code, (args, result.err)
        document: dict[str, Any] = json.loads(result.out)
        seen.append(stable(document))
        return document

    root = copy_fixture("python", work)
    assert run("code", "add", str(root), "--name", "py", "--format", "json")["repo"]["symbols"] == 22
    run("code", "find", "prepare", "--repo", "py", "--format", "json")
    assert run("code", "find", "pre*", "--repo", "py", "--format", "json")["count"] >= 2
    run("code", "callers", "load", "--repo", "py", "--depth", "2", "--format", "json")
    run("code", "impact", "app/core/engine.py", "--repo", "py", "--format", "json")
    job = run("job", "run", "shell", "--wait", "--format", "json", "--", "sh", "-c", "echo built")["job"]
    assert job["status"] == "succeeded"
    run("job", "run", "shell", "--wait", "--format", "json", "--", "sh", "-c", "exit 3", code=1)
    run("job", "list", "--format", "json")
    run("job", "logs", job["id"], "--format", "json")
    flow = work / "flow.yml"
    flow.write_text("name: nightly\nsteps:\n  - id: bundle\n    job: {kind: shell, args: [sh, -c, 'echo bundle']}\n"
                    "  - id: verify\n    needs: [bundle]\n    job: {kind: shell, args: ['true']}\n")
    assert run("workflow", "run", str(flow), "--format", "json")["run"]["status"] == "succeeded"
    run("workflow", "list", "--format", "json")
    for summary in ("fixed the flaky deploy script", "deploy to staging failed: disk full", "wrote the release notes"):
        assert cli("log", summary, "--pane", "team/app").code == 0
    assert run("search", "deploy", "--format", "json")["count"] >= 2
    run("search", "deplo*", "--kind", "intent", "--format", "json")
    run("search", "release notes", "--format", "json")
    return seen


def test_the_same_commands_answer_the_same_on_sqlite_and_postgresql(
        cli: Cli, perth_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "on-sqlite").mkdir()
    on_sqlite = scenario(cli, tmp_path / "on-sqlite")
    with pg_schema() as url:
        monkeypatch.setenv("PERTH_HOME", str(tmp_path / "pg-home"))
        monkeypatch.setenv("PERTH_STORE__URL", url)
        (tmp_path / "on-pg").mkdir()
        on_postgres = scenario(cli, tmp_path / "on-pg")
    assert len(on_postgres) == len(on_sqlite)
    for sqlite_doc, pg_doc in zip(on_sqlite, on_postgres, strict=True):
        assert pg_doc == sqlite_doc, json.dumps([sqlite_doc, pg_doc], indent=1)


@pytest.mark.parametrize(("args", "port"), [
    (("code", "find", "x", "--repo", "py"), "code"),
    (("code", "list"), "code"),
    (("job", "run", "shell", "--wait", "--", "true"), "jobs"),
    (("job", "list"), "jobs"),
    (("workflow", "list"), "workflows"),
    (("search", "deploy"), "search_index"),
])
def test_on_redis_each_says_in_one_line_that_the_port_is_not_supported(
        cli: Cli, perth_home: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], port: str) -> None:
    with redis_prefix() as url:
        monkeypatch.setenv("PERTH_STORE__URL", url)
        result = cli(*args)
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"perth: error: the {port} port is not supported by the redis store — use a SQLite or PostgreSQL store"
        " for it (see docs/team.md)"]
