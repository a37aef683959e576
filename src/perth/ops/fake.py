"""A scripted worker for tests and demonstrations: each argument is one step.

``echo:TEXT`` writes a line of output, ``log:TEXT`` a log line, ``sleep:S`` waits (stopping
when asked), ``exit:N`` ends with that status, ``transient`` / ``reject`` / ``error`` raise the
matching failure; ``fail-first:N`` raises a transient failure in the first N attempts;
``log-env:NAME`` / ``fail-env:NAME`` log, or fail with, an environment variable's value (to show
that logs and errors are redacted).
"""

from __future__ import annotations

import os
import time

from perth.errors import InvalidInputError, PerthError, ProviderRejectedError, TransientError
from perth.ops.port import JobCancelledError, JobTimeoutError, WorkResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job
    from perth.ops.port import JobIO

STEPS = ("echo", "log", "sleep", "exit", "transient", "reject", "error", "fail-first", "log-env", "fail-env")


class FakeWorker:
    """Follows the script in ``job.args`` (see the module docstring)."""

    def __init__(self, kind: str = "fake", remote: bool = True) -> None:
        self.kind = kind
        self.remote = remote

    def check(self, job: Job) -> None:
        """Every step must be known."""
        for step in job.args:
            if step.split(":", 1)[0] not in STEPS:
                raise InvalidInputError(f"unknown fake step {step!r}", "use one of " + ", ".join(STEPS))

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Play the script."""
        for step in job.args:
            name, _, value = step.partition(":")
            if name == "echo":
                io.output.text(value + "\n")
            elif name == "log":
                io.log(value)
            elif name == "log-env":
                io.log(f"{value}={os.environ.get(value, '')}")
            elif name == "fail-env":
                raise PerthError(f"failed with {value}={os.environ.get(value, '')}", "it is dead-lettered")
            elif name == "sleep":
                _sleep(float(value), io)
            elif name == "exit":
                return WorkResult(ok=int(value) == 0, exit_code=int(value))
            elif name == "fail-first" and job.attempt <= int(value):
                raise TransientError(f"scripted transient failure in attempt {job.attempt}", "it is retried")
            elif name in ("transient", "reject", "error"):
                raise _failure(name)
        return WorkResult(ok=True, exit_code=0)


def _failure(name: str) -> PerthError:
    if name == "transient":
        return TransientError("scripted transient failure", "it is retried")
    if name == "reject":
        return ProviderRejectedError("scripted rejection (authentication failed)", "it is never retried")
    return PerthError("scripted error", "it is dead-lettered")


def _sleep(seconds: float, io: JobIO) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if io.stop.is_set():
            raise JobCancelledError("the job was stopped", "see `perth job show` for why")
        if time.monotonic() >= io.deadline:
            raise JobTimeoutError("the job ran past its timeout", "raise --timeout")
        time.sleep(min(0.05, end - time.monotonic()) if end > time.monotonic() else 0)
