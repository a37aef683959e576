"""Automatic panes: one per place (repository and branch, or directory), readable distinct names,
and the same pane whether a command was captured or an intent logged."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from perth.capture.ingest import ingest, spool_dir
from perth.capture.records import CommandQuery
from perth.capture.spool_format import SpoolRecord, format_line
from perth.runtime import Runtime
from tests.gitrepo import git

Cli = Callable[..., Any]
AWS_LIKE = "AKIA" + "QYLPMN5HHHFPZAM2"  # the shape of an AWS access key id (a fake)


def clone(root: Path, branch: str = "main") -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", branch)
    (root / "f.txt").write_text("x\n")
    git(root, "add", "f.txt")
    git(root, "commit", "-q", "-m", "first")
    return root


def log_in(cli: Cli, where: Path, monkeypatch: Any, summary: str) -> dict[str, Any]:
    monkeypatch.chdir(where)
    done = cli("log", summary)
    assert done.code == 0, done.err
    status = json.loads(cli("status", "--format", "json").out)
    return dict(status["current"])


def test_two_clones_with_the_same_folder_and_branch_are_two_panes(cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    first, second = clone(tmp_path / "A" / "myapp"), clone(tmp_path / "B" / "myapp")
    (second / "only-in-b.txt").write_text("dirty\n")
    a = log_in(cli, first, monkeypatch, "in A")
    b = log_in(cli, second, monkeypatch, "in B")
    assert (a["name"], b["name"]) == ("myapp/main", "B/myapp/main")
    panes = {p["name"]: p for p in json.loads(cli("pane", "list", "--format", "json").out)["panes"]}
    assert panes["myapp/main"]["repo_root"] == str(first)
    assert panes["B/myapp/main"]["repo_root"] == str(second)
    history = json.loads(cli("history", "--pane", "B/myapp/main", "--format", "json").out)["entries"]
    assert [e["summary"] for e in history] == ["in B"]
    assert log_in(cli, first, monkeypatch, "again in A")["name"] == "myapp/main"
    monkeypatch.chdir(second)
    handoff = cli("handoff").out
    assert str(second) in handoff and f"cd {first}\n" not in handoff


def test_a_pane_from_before_places_is_adopted_only_for_its_own_place(cli: Cli, tmp_path: Path,
                                                                      monkeypatch: Any) -> None:
    first, second = clone(tmp_path / "A" / "myapp"), clone(tmp_path / "B" / "myapp")
    monkeypatch.chdir(first)
    assert cli("pane", "create", "myapp/main").code == 0  # a keyless pane, as an earlier Perth made it
    assert log_in(cli, first, monkeypatch, "in A")["name"] == "myapp/main"
    assert log_in(cli, second, monkeypatch, "in B")["name"] == "B/myapp/main"


def test_renamed_automatic_pane_keeps_its_place(cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    repo = clone(tmp_path / "proj")
    log_in(cli, repo, monkeypatch, "one")
    assert cli("pane", "rename", "proj/main", "the-project").code == 0
    assert log_in(cli, repo, monkeypatch, "two")["name"] == "the-project"


def test_detached_head_is_one_pane_and_names_keep_letters(cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    repo = clone(tmp_path / "café")
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    assert log_in(cli, repo, monkeypatch, "old")["name"] == "cafe/detached"
    git(repo, "checkout", "-q", "--detach", "main")
    assert log_in(cli, repo, monkeypatch, "new")["name"] == "cafe/detached"
    for branch, expected in (("fix#12", "cafe/fix-12"), ("fix@12", "cafe/fix-12-2")):
        git(repo, "checkout", "-q", "-b", branch)
        assert log_in(cli, repo, monkeypatch, branch)["name"] == expected


def _spool(rt: Runtime, record: SpoolRecord) -> None:
    directory = Path(spool_dir(rt))
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"bash-{record.session}.spool").open("a") as handle:
        handle.write(format_line(record) + "\n")


def _captured(cwd: Path, branch: str, command: str, session: str) -> SpoolRecord:
    return SpoolRecord(1_700_000_000_000_000, 1000, 0, "bash", session, "", "", "", str(cwd), str(cwd), branch,
                       "host", "me", command)


def test_capture_and_log_name_the_same_pane(cli: Cli, tmp_path: Path, monkeypatch: Any,
                                            make_rt: Callable[..., Runtime]) -> None:
    first, second = clone(tmp_path / "A" / "myapp"), clone(tmp_path / "B" / "myapp")
    branch = f"fix-{AWS_LIKE}"
    for repo in (first, second):
        git(repo, "checkout", "-q", "-b", branch)
    rt = make_rt()
    _spool(rt, _captured(first, branch, "make a", "s1"))
    _spool(rt, _captured(second, branch, "make b", "s2"))
    report = ingest(rt)
    assert (report.inserted, report.quarantined) == (2, 0)
    by_command = {c.command: c.pane_name for c in rt.store.commands.stream(CommandQuery())}
    assert by_command["make a"] != by_command["make b"]
    assert AWS_LIKE not in "".join(str(v) for v in by_command.values())
    assert log_in(cli, first, monkeypatch, "log A")["name"] == by_command["make a"]
    assert log_in(cli, second, monkeypatch, "log B")["name"] == by_command["make b"]
    listed = cli("pane", "list", "--format", "json")
    assert listed.code == 0 and AWS_LIKE not in listed.out
    assert len(json.loads(listed.out)["panes"]) == 2
    assert os.path.isdir(spool_dir(rt))
