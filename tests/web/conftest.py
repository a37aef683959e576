"""The dashboard's test site, served by a real ``perth serve``: real data behind every page.

A pane with 60 intent entries (markup in them) and commands, a shellperf run, two tmux snapshots
with a window added between them, an indexed repository, a workflow run waiting at an approval
gate, a failed job, a dead-lettered event, and an approver with a token.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_api import serving
from tests.workflows.conftest import sh, write_flow

CODE = '''\
def parse(text):
    """Split a line into words."""
    return text.split()


def count(text):
    return len(parse(text))


def report(lines):
    return [count(line) for line in lines]
'''


class Site(str):
    """The site's base URL, with what the pages show."""

    run: str
    approver_token: str
    job: str


def _snapshots(cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    socket = f"perth-test-{secrets.token_hex(6)}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "web", "-c", str(tmp_path),
                    f"{sys.executable} -c 'import time; time.sleep(120)'"], check=True, timeout=10)
    try:
        monkeypatch.setenv("PERTH_MUX__TMUX_SOCKET_NAME", socket)
        assert cli("snapshot", "save", "before").code == 0
        subprocess.run([*tmux, "new-window", "-t", "web", "-n", "logs", "-c", str(tmp_path)], check=True, timeout=10)
        time.sleep(0.05)
        assert cli("snapshot", "save", "after").code == 0
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, timeout=10)
    return socket


def workflow_at_gate(cli: Callable[..., Any], tmp_path: Path) -> str:
    from perth.workflows.service import local_user

    flow = write_flow(tmp_path, f"""\
name: release
steps:
  - id: build
    job: {sh("true")}
  - id: ship
    needs: [build]
    approval: {{approvers: [approver-user, {local_user()}], four_eyes: true}}
    job: {sh(f"touch {tmp_path}/shipped")}
""")
    started = cli("workflow", "run", flow, "--detach", "--format", "json")
    assert started.code == 0, started.err
    run_id = str(json.loads(started.out)["run"]["id"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run = json.loads(cli("workflow", "show", run_id, "--format", "json").out)["run"]
        if run["steps"][1]["status"] == "waiting":
            break
        time.sleep(0.1)
    return run_id


@pytest.fixture
def site(perth_home: Path, cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    assert cli("pane", "create", "web-a").code == 0
    for i in range(60):
        assert cli("log", f"<script>alert({i})</script> step {i}", "--pane", "web-a").code == 0
    from tests.search.conftest import add_commands, make_rt

    rt = make_rt()
    pane = rt.store.panes.get(name="web-a")
    assert pane is not None
    add_commands(rt, ["make build", "pytest -x"], pane_id=pane.id, tag="c" * 29, exit_status=2,
                 start_ms=int(time.time() * 1000) - 3_600_000)
    rt.close()
    assert cli("shellperf", "run", "--shell", "bash", "--norc", "-n", "1", "--warmup", "0").code == 0
    assert cli("shellperf", "run", "--shell", "bash", "--norc", "-n", "1", "--warmup", "0").code == 0
    socket = _snapshots(cli, tmp_path, monkeypatch)
    repo = tmp_path / "wordcount"
    repo.mkdir()
    (repo / "words.py").write_text(CODE)
    assert cli("code", "add", str(repo), "--name", "wordcount").code == 0
    run_id = workflow_at_gate(cli, tmp_path)
    assert cli("job", "run", "fake", "--wait", "--", "exit:3").code != 0
    job_id = json.loads(cli("job", "list", "--format", "json").out)["jobs"][0]["id"]
    rt = make_rt()
    for event in rt.store.outbox.after(0, 1):
        rt.store.outbox.bury("redis", event, 5, "refused by the broker", rt.clock())
    rt.close()
    assert cli("user", "add", "approver-user", "--role", "approver").code == 0
    token = json.loads(cli("token", "create", "approver-user", "--format", "json").out)["secret"]
    assert cli("config", "set", "mux.tmux_socket_name", socket).code == 0  # its server is gone: plans start anew
    try:
        with serving(perth_home) as url:
            found = Site(url)
            found.run, found.approver_token, found.job = run_id, token, job_id
            yield found
    finally:
        cli("workflow", "cancel", run_id)
