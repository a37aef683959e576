"""``perth daemon``'s command server (:mod:`perth.cli.server`): started beside the daemon, restarted
when it ends (its code changed, it crashed), stopped with the daemon."""

from __future__ import annotations

import subprocess
import sys
import time

from perth.daemon_task import DaemonTask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.runtime import Runtime

#: How often the daemon checks that the command server runs.
CHECK_INTERVAL_S = 5.0
#: How long a stopping server may take before it is killed.
STOP_TIMEOUT_S = 5.0


class CommandServer:
    """The command server's process, listening on ``path``."""

    def __init__(self, path: str, report: Callable[[str], None]) -> None:
        self.path = path
        self.report = report
        self.process: subprocess.Popen[bytes] | None = None

    def task(self) -> DaemonTask:
        """The daemon task that starts the server, and starts it again when it has ended."""
        return DaemonTask(name="command-server", interval_s=CHECK_INTERVAL_S, run=self.check)

    def check(self, _rt: Runtime | None = None) -> str:
        """Start the server unless it runs; a one-line summary when something changed."""
        if self.process is not None and self.process.poll() is None:
            return ""
        ended = self.process.returncode if self.process is not None else None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "perth.cli.server", self.path], stdin=subprocess.DEVNULL)
        again = "" if ended is None else f" again (the last one ended with {ended})"
        return f"command server started{again} (pid {self.process.pid}) on {self.path}"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT_S`)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if process.poll() is None:
            process.kill()
            process.wait()


__all__ = ["CommandServer"]
