"""The local shell worker: run an argv in a working directory with an allow-listed environment.

The command runs directly (no shell unless the argv asks for one: ``-- sh -c '...'``), in its own
process group, with only the variables named by ``ops.env_allow`` and the job's ``--env`` names
(values come from the worker's environment at run time, never from the job record).
"""

from __future__ import annotations

import os

from perth.errors import InvalidInputError
from perth.ops.port import WorkResult
from perth.ops.process import run_group

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job
    from perth.ops.port import JobIO


class ShellWorker:
    """Runs ``job.args`` as a local command; the job fails (``ok`` False) on a non-zero exit."""

    kind = "shell"
    remote = False

    def check(self, job: Job) -> None:
        """A shell job needs a command."""
        if not job.args:
            raise InvalidInputError("a shell job needs a command", "e.g. perth job run shell -- make test")
        cwd = job.options.get("cwd")
        if cwd is not None and not os.path.isdir(str(cwd)):
            raise InvalidInputError(f"--cwd {cwd} is not a directory", "give an existing directory")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Run the command once."""
        names = tuple(str(n) for n in job.options.get("env", ()))  # type: ignore[attr-defined]
        cwd = job.options.get("cwd")
        code = run_group(list(job.args), io, cwd=str(cwd) if cwd else None, env=io.environment(names),
                         token=job.lease_token or "")
        io.log(f"exited {code}")
        return WorkResult(ok=code == 0, exit_code=code)
