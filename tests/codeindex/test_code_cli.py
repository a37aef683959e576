"""``perth code``: every action end to end, the pinned JSON contracts, and the error paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.codeindex.conftest import copy_fixture

CONTRACTS: dict[str, set[str]] = {
    "perth.code.repo.v1": {"schema", "action", "repo"},
    "perth.code.repos.v1": {"schema", "count", "repos"},
    "perth.code.reindex.v1": {"schema", "reports"},
    "perth.code.find.v1": {"schema", "repo", "query", "count", "symbols"},
    "perth.code.context.v1": {"schema", "repo", "symbol", "callers", "callees", "members", "bases", "related"},
    "perth.code.callers.v1": {"schema", "repo", "symbols", "depth", "count", "calls"},
    "perth.code.callees.v1": {"schema", "repo", "symbols", "depth", "count", "calls"},
    "perth.code.impact.v1": {"schema", "repo", "target", "seeds", "callers", "files", "tests"},
    "perth.code.map.v1": {"schema", "repo", "budget", "tokens", "focus", "files", "text"},
    "perth.code.status.v1": {"schema", "repos"},
}
REPO_KEYS = {"name", "id", "root", "added_at", "indexed_at", "head", "branch", "state", "files", "symbols", "edges",
             "last_error"}
SYMBOL_KEYS = {"name", "qualname", "kind", "path", "line", "end_line", "parent", "signature", "doc", "decorators"}
SITE_KEYS = {"caller", "callee", "path", "line", "confidence", "depth"}


def _json(cli: Callable[..., Any], *args: str) -> dict[str, Any]:
    result = cli("code", *args, "--format", "json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    assert set(document) == CONTRACTS[document["schema"]], document["schema"]
    return document


@pytest.fixture
def indexed(cli: Callable[..., Any], tmp_path: Path) -> Path:
    root = copy_fixture("python", tmp_path)
    added = _json(cli, "add", str(root), "--name", "py")
    assert set(added["repo"]) == REPO_KEYS and added["repo"]["symbols"] == 22
    return root


def test_contracts_of_every_read_command(cli: Callable[..., Any], indexed: Path) -> None:
    assert _json(cli, "list")["repos"][0]["name"] == "py"
    reports = _json(cli, "reindex", "py")["reports"]
    assert reports[0]["parsed"] == 0 and reports[0]["files"] == 6
    found = _json(cli, "find", "prepare", "--repo", "py")
    assert found["count"] == 2 and set(found["symbols"][0]) == SYMBOL_KEYS
    context = _json(cli, "context", "app.core.engine.start", "--repo", "py")
    assert context["symbol"]["doc"] == "Start an engine." and set(context["callers"][0]) == SITE_KEYS
    callers = _json(cli, "callers", "load", "--repo", "py", "--depth", "2")
    assert {c["depth"] for c in callers["calls"]} == {1, 2}
    callees = _json(cli, "callees", "app.core.engine.start", "--repo", "py")
    assert {c["callee"] for c in callees["calls"]} == {"app.core.engine.Engine.create", "run"}
    impact = _json(cli, "impact", "app/core/engine.py", "--repo", "py")
    assert impact["tests"] == ["tests/test_engine.py"]
    repo_map = _json(cli, "map", "--repo", "py", "--tokens", "64", "--focus", "app/util.py")
    assert repo_map["tokens"] <= 64 and repo_map["files"]
    status = _json(cli, "status")
    assert status["repos"][0]["state"] == "fresh"


@pytest.mark.parametrize("fmt", ["text", "markdown", "llm"])
def test_human_formats(cli: Callable[..., Any], indexed: Path, fmt: str) -> None:
    for args in (["find", "start"], ["context", "start"], ["callers", "prepare"], ["map"], ["status"], ["list"]):
        result = cli("code", *args, "--repo", "py", "--format", fmt) if args[0] not in ("status", "list") \
            else cli("code", *args, "--format", fmt)
        assert result.code == 0 and result.out.strip(), (args, result.err)


def test_errors_are_one_line(cli: Callable[..., Any], tmp_path: Path, indexed: Path) -> None:
    missing = cli("code", "add", str(tmp_path / "nowhere"))
    assert missing.code == 3 and missing.err.startswith("perth: error: no folder at")
    again = cli("code", "add", str(indexed), "--name", "py")
    assert again.code == 1 and "already registered" in again.err
    unknown = cli("code", "context", "no_such_symbol", "--repo", "py")
    assert unknown.code == 3 and "perth code find" in unknown.err
    assert cli("code", "find", "zzz*", "--repo", "py").code == 3
    assert cli("code", "remove", "py").code == 0
    assert cli("code", "list", "--format", "json").out.count('"name"') == 0


def test_missing_grammars_give_a_clean_error(cli: Callable[..., Any], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from perth.codeindex import tsparse

    original = sys.modules.get("tree_sitter_go")
    monkeypatch.setitem(sys.modules, "tree_sitter_go", None)
    monkeypatch.setattr(tsparse, "_cache", {})
    root = copy_fixture("go", tmp_path)
    (root / "tool.py").write_text("def tool():\n    pass\n")
    result = cli("code", "add", str(root))
    assert result.code == 4
    assert result.err.strip().splitlines() == ["perth: error: files in go were not parsed: the tree-sitter grammars"
                                               " are not installed (everything else was indexed) — pip install"
                                               " 'perth[code]', then `perth code reindex`"]
    found = json.loads(cli("code", "find", "tool", "--format", "json").out)["symbols"]
    assert {s["qualname"] for s in found} == {"tool", "tool.tool"}
    assert json.loads(cli("code", "status", "--format", "json").out)["repos"][0]["state"] == "partial"
    assert cli("code", "reindex").code == 4  # still missing: said again
    if original is not None:
        monkeypatch.setitem(sys.modules, "tree_sitter_go", original)
    else:
        monkeypatch.delitem(sys.modules, "tree_sitter_go")
    monkeypatch.setattr(tsparse, "_cache", {})
    assert cli("code", "reindex").code == 0  # the extra is there now: the skipped files are parsed
    found = json.loads(cli("code", "find", "main.go:*", "--format", "json").out)["symbols"]
    assert "main.go:Server.Serve" in {s["qualname"] for s in found}
    assert json.loads(cli("code", "status", "--format", "json").out)["repos"][0]["state"] == "fresh"
