"""The local shell worker on real processes: argv, cwd, environment allow-list, timeouts that kill
the whole process group, and 100 MB of output kept bounded in memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perth.ops.service import JobSpec, find, submit, wait
from perth.runtime import Runtime
from tests.ops.conftest import MakeRuntime


def shell(rt: Runtime, *argv: str, **spec: object) -> str:
    return submit(rt, JobSpec(kind="shell", args=argv, **spec)).id  # type: ignore[arg-type]


def test_argv_runs_without_a_shell_in_the_given_directory(rt: Runtime, tmp_path: Path) -> None:
    job = wait(rt, find(rt, shell(rt, "sh", "-c", 'pwd; printf "%s|" "$@"', "x", "a b", "$HOME;",
                                  options={"cwd": str(tmp_path)})))
    assert (job.status, job.exit_code) == ("succeeded", 0)
    assert job.output == f"{tmp_path}\na b|$HOME;|"


def test_only_allow_listed_variables_reach_the_job(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOY_REGION", "eu-west")
    monkeypatch.setenv("UNLISTED", "hidden")
    job = wait(rt, find(rt, shell(rt, "env", options={"env": ["DEPLOY_REGION"]})))
    names = {line.split("=", 1)[0] for line in job.output.splitlines()}
    assert "DEPLOY_REGION=eu-west" in job.output.splitlines()
    assert "UNLISTED" not in names and "PATH" in names
    assert names <= {*rt.settings.get("ops.env_allow"), "DEPLOY_REGION", "PERTH_JOB_LEASE"}  # type: ignore[misc]


def test_a_secret_in_the_output_is_redacted_in_record_and_file(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eE4"
    monkeypatch.setenv("GH_TOKEN", token)
    job = wait(rt, find(rt, shell(rt, "sh", "-c", 'echo "token=$GH_TOKEN"', options={"env": ["GH_TOKEN"]})))
    assert job.output == "token=[REDACTED:github-pat]\n"
    assert job.output_path is not None and token not in Path(job.output_path).read_text()
    assert oct(os.stat(job.output_path).st_mode & 0o777) == "0o600"


def test_a_timeout_kills_the_whole_process_group(rt: Runtime, tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = f"sleep 60 & echo $! > {pid_file}; wait"
    job = wait(rt, find(rt, shell(rt, "sh", "-c", script, timeout_s=1, max_attempts=1)))
    assert (job.status, job.error_kind) == ("dead", "timeout")
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_missing_program_is_dead_lettered_at_once(rt: Runtime) -> None:
    job = wait(rt, find(rt, shell(rt, "no-such-program-xyz")))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 1, "error")
    assert "no such program" in (job.error or "")


def test_100_mb_of_output_stays_bounded_in_memory(make_rt: MakeRuntime, tmp_path: Path) -> None:
    """The Python heap's peak (tracemalloc) stays far below the output's size: nothing holds it."""
    command = "yes 'compiling module 42 of 1000: ok' | head -c 100000000"
    result = subprocess.run([sys.executable, "-c", (
        "import sys, tracemalloc; tracemalloc.start(); from perth.cli.main import main; code = main(sys.argv[1:]);"
        " print(tracemalloc.get_traced_memory()[1], file=sys.stderr); sys.exit(code)"),
        "job", "run", "shell", "--wait", "--format", "json", "--", "sh", "-c", command],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)["job"]
    assert job["output_bytes"] == 100_000_000
    assert os.path.getsize(job["output_path"]) == 100_000_000
    limit = make_rt().settings.get_int("ops.output_limit_kb") * 1024
    assert limit < len(job["output"]) < limit + 200 and "output truncated" in job["output"]
    peak = int(result.stderr.strip().splitlines()[-1])
    assert peak < 16_000_000, f"peak Python heap {peak} bytes"
