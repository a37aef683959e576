"""An isolated tmux server for tests (``tmux -L perth-test-<random>``); never the default socket."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class TmuxServer:
    """Drives one private tmux server."""

    def __init__(self) -> None:
        self.name = f"perth-test-{secrets.token_hex(6)}"

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.name, "-f", "/dev/null", *args], capture_output=True, text=True,
                              timeout=10, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, session: str, window: str, cwd: str, command: str = "") -> None:
        self.tmux("new-session", "-d", "-s", session, "-n", window, "-c", cwd, "-x", "120", "-y", "40",
                  *([command] if command else []))
        self.tmux("set-option", "-g", "default-shell", "/bin/sh")
        self.tmux("set-option", "-g", "remain-on-exit", "off")

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True, timeout=10, check=False)
        self.wait_for(lambda: subprocess.run(["tmux", "-L", self.name, "list-sessions"], capture_output=True,
                                             timeout=10, check=False).returncode != 0)
        socket = os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}", self.name)
        with contextlib.suppress(OSError):
            os.unlink(socket)  # tmux leaves the socket file behind

    def wait_for(self, check: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return True
            time.sleep(0.05)
        return check()


@contextmanager
def tmux_server() -> Iterator[TmuxServer]:
    """A fresh server, always killed at the end."""
    server = TmuxServer()
    try:
        yield server
    finally:
        server.kill()
