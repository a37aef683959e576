"""Containers: with no docker engine on this machine the kind is cleanly unavailable (exit 4); the
worker's logic on the shipped fake engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.errors import UnavailableError
from perth.ops.containers import DockerCli, DockerWorker, FakeContainers
from perth.ops.model import Job
from tests.cli.test_commands import one_line_error
from tests.ops.test_pty import _IO


def test_without_an_engine_a_docker_job_is_unavailable(cli: Callable[..., Any], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    assert "no docker engine is running" in (DockerCli().available() or "")
    one_line_error(cli("job", "run", "docker", "--", "run", "alpine", "true"), 4, "containers are unavailable")
    assert cli("job", "list", "--format", "json").out.count('"kind": "docker"') == 0  # nothing half-written


def test_without_the_docker_program_it_is_unavailable(cli: Callable[..., Any], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    one_line_error(cli("job", "run", "docker", "--", "ps"), 4, "docker program is not installed")


def test_the_worker_on_the_fake_engine() -> None:
    engine = FakeContainers()
    io = _IO()
    job = Job(id="j", kind="docker", target="local", args=("run", "alpine", "echo", "hi"))
    DockerWorker(engine).check(job)
    assert DockerWorker(engine).run(job, io).exit_code == 0  # type: ignore[arg-type]
    assert engine.commands == [["run", "--rm", "alpine", "echo", "hi"]]
    with pytest.raises(UnavailableError, match="engine stopped"):
        DockerWorker(FakeContainers(down="engine stopped")).check(job)
