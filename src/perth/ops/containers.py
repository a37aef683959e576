"""Containers through the ``docker`` CLI: ``perth job run docker -- run IMAGE [CMD...] | ps |
logs NAME | stop NAME``.

Without a running engine (no ``docker`` program, or its daemon does not answer) the job kind is
cleanly unavailable: submitting a job fails with a one-line error, exit 4.  :class:`FakeContainers`
stands in for an engine in tests of the worker's logic.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Protocol

from perth.errors import InvalidInputError, UnavailableError
from perth.ops.port import WorkResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job
    from perth.ops.port import JobIO

ACTIONS = ("run", "ps", "logs", "stop")


class Containers(Protocol):
    """A container engine."""

    def available(self) -> str | None:
        """None when the engine answers, else why not."""

    def run(self, argv: list[str], io: JobIO, token: str) -> int:
        """Run ``docker ARGV`` with output to the job; returns its exit status."""


class DockerCli:
    """The real adapter: the ``docker`` program."""

    def available(self) -> str | None:
        """Ask the engine for its version."""
        if shutil.which("docker") is None:
            return "the docker program is not installed"
        try:
            done = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True,
                                  text=True, timeout=10, check=False)
        except subprocess.TimeoutExpired:
            return "the docker engine did not answer within 10 s"
        if done.returncode != 0:
            return "no docker engine is running (" + (done.stderr.strip().splitlines() or ["no answer"])[-1] + ")"
        return None

    def run(self, argv: list[str], io: JobIO, token: str) -> int:
        """``docker ARGV`` in its own process group."""
        from perth.ops.process import run_group

        return run_group(["docker", *argv], io, cwd=None, env=io.environment(("DOCKER_HOST", "DOCKER_CONTEXT")),
                         token=token)


class FakeContainers:
    """Records the commands; ``down`` makes it unavailable."""

    def __init__(self, down: str | None = None) -> None:
        self.down = down
        self.commands: list[list[str]] = []

    def available(self) -> str | None:
        """Why it is down, or None."""
        return self.down

    def run(self, argv: list[str], io: JobIO, token: str) -> int:
        """Echo the command."""
        self.commands.append(argv)
        io.output.text(" ".join(argv) + "\n")
        return 0


class DockerWorker:
    """The ``docker`` job kind."""

    kind = "docker"
    remote = True

    def __init__(self, engine: Containers | None = None) -> None:
        self.engine = engine or DockerCli()

    def check(self, job: Job) -> None:
        """A known action, and an engine that answers."""
        if not job.args or job.args[0] not in ACTIONS:
            raise InvalidInputError("a docker job is run IMAGE [CMD...], ps, logs NAME or stop NAME",
                                    "e.g. perth job run docker -- run alpine echo hi")
        self._require()

    def _require(self) -> None:
        why = self.engine.available()
        if why is not None:
            raise UnavailableError(f"containers are unavailable: {why}", "start a docker engine, then run the job")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """The docker command (``run`` removes its container afterwards)."""
        self._require()
        action, *rest = job.args
        argv = ["run", "--rm", *rest] if action == "run" else [action, *rest]
        code = self.engine.run(argv, io, job.lease_token or "")
        io.log(f"docker {action} exited {code}")
        return WorkResult(ok=code == 0, exit_code=code)
