"""Process groups of job attempts: run one with a deadline, stop one, and find a dead worker's.

Every attempt's processes run in a new session (their own process group) whose environment
carries ``PERTH_JOB_LEASE=<lease token>``.  Stopping the attempt signals the whole group
(SIGTERM, then SIGKILL after a grace period), so grandchildren do not outlive it; after a
worker is killed, the group of its attempt is found again by that marker and killed before
the job is leased again (never two attempts of one job at once).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time

from perth.ops.port import JobCancelledError, JobTimeoutError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.ops.port import JobIO

LEASE_VARIABLE = "PERTH_JOB_LEASE"
GRACE_S = 2.0


def stop_group(pgid: int, grace_s: float = GRACE_S) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after ``grace_s``."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return
        time.sleep(0.02)
    kill_group(pgid)


def kill_group(pgid: int) -> None:
    """SIGKILL the whole process group (no-op when it is gone)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    """True while some process of the group exists (zombies excepted, on Linux)."""
    members = group_members(pgid)
    if members is not None:
        return bool(members)
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def group_members(pgid: int) -> list[int] | None:
    """Live (non-zombie) processes of a group from /proc; None where /proc is missing."""
    if not os.path.isdir("/proc/self"):
        return None
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":
            members.append(int(name))
    return members


def kill_orphaned_attempt(pgid: int, token: str, *, wait_s: float = 10.0) -> bool:
    """Kill a dead worker's attempt: the group ``pgid`` if one of its processes carries the lease token,
    and wait (up to ``wait_s``) until none of its processes is left, so the next attempt never runs
    beside it (a killed process holds its locks and files until the kernel has torn it down)."""
    marker = f"{LEASE_VARIABLE}={token}".encode()
    for pid in group_members(pgid) or []:
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read().split(b"\0")
        except OSError:
            continue
        if marker in environ:
            kill_group(pgid)
            deadline = time.monotonic() + wait_s
            while group_alive(pgid) and time.monotonic() < deadline:
                kill_group(pgid)  # a member forked while the first signal was on its way
                time.sleep(0.01)
            return True
    return False


def run_group(argv: list[str], io: JobIO, *, cwd: str | None, env: dict[str, str], token: str,
              stdin: int | None = subprocess.DEVNULL,
              started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> int:
    """Run ``argv`` in its own process group, streaming output to ``io.output``; returns the exit status.

    Raises :class:`JobTimeoutError` at the deadline and :class:`JobCancelledError` when ``io.stop``
    is set, after stopping the whole group.  Leftover processes of the group are killed at the end.
    """
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env={**env, LEASE_VARIABLE: token}, stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    except FileNotFoundError as exc:
        from perth.errors import NotFoundError

        raise NotFoundError(f"cannot run {argv[0]!r}: no such program or directory",
                            "check the command and --cwd") from exc
    io.started_processes(proc.pid, proc.pid)
    if started is not None:
        started(proc)
    try:
        _pump(proc, io)
        return proc.wait()
    finally:
        kill_group(proc.pid)
        if proc.stdout is not None:
            proc.stdout.close()


def _pump(proc: subprocess.Popen[bytes], io: JobIO) -> None:
    assert proc.stdout is not None  # noqa: S101 - opened with PIPE
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if io.stop.is_set():
                stop_group(proc.pid)
                raise JobCancelledError("the job was stopped", "see `perth job show` for why")
            remaining = io.deadline - time.monotonic()
            if remaining <= 0:
                stop_group(proc.pid)
                raise JobTimeoutError("the job ran past its timeout; its process group was killed",
                                      "raise --timeout, or make the command faster")
            if selector.select(min(0.2, remaining)):
                data = os.read(fd, 256 * 1024)
                if not data:
                    return
                io.output.write(data)
