"""``perth daemon``: periodic work in the background, one process per user.

Capabilities contribute :class:`~perth.daemon_task.DaemonTask` values (a name, an interval and a
function of the runtime returning a one-line summary) through
:func:`builtin_tasks`; the loop runs each when due, isolates failures (a failing
task is logged and retried on its next turn, the daemon keeps going) and stops
cleanly on SIGTERM or Ctrl-C.  A lock file under the state directory holds the
pid and guarantees that only one daemon runs.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from perth.daemon_task import DaemonTask
from perth.errors import ConflictError, NotFoundError, PerthError
from perth.files import private_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from perth.runtime import Runtime


def builtin_tasks(rt: Runtime) -> list[DaemonTask]:
    """Every capability's periodic work (the task registry)."""
    from perth.capture.tasks import ingest_task
    from perth.codeindex.tasks import code_poll_task
    from perth.events.tasks import dispatch_task
    from perth.mux.tasks import autosave_task
    from perth.ops.tasks import jobs_task
    from perth.search.tasks import search_sync_task
    from perth.workflows.tasks import triggers_task

    optional = [autosave_task(rt), code_poll_task(rt), dispatch_task(rt), jobs_task(rt), search_sync_task(rt)]
    return [ingest_task(rt), *(task for task in optional if task is not None), triggers_task(rt)]


def lock_path(rt: Runtime) -> str:
    """The daemon's lock and pid file."""
    return os.path.join(rt.settings.paths.state_dir, "daemon.lock")


class DaemonLock:
    """Holds ``daemon.lock`` (with the pid in it) for the life of the daemon."""

    def __init__(self, path: str) -> None:
        import fcntl

        private_dirs(os.path.dirname(path))
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self.fd)
            raise ConflictError(f"perth daemon is already running (pid {pid})",
                                f"stop it first (kill {pid}), or leave it running: only one is needed") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)

    def release(self) -> None:
        os.ftruncate(self.fd, 0)
        os.close(self.fd)


def running_pid(rt: Runtime) -> int | None:
    """The pid of the running daemon, or ``None``."""
    import fcntl

    path = lock_path(rt)
    if not os.path.exists(path):
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
        return int(text) if text.isdigit() else -1
    finally:
        os.close(fd)
    return None


def run_tasks_once(rt: Runtime, tasks: Sequence[DaemonTask], report: Callable[[str], None]) -> int:
    """Run every task once; returns how many failed."""
    failures = 0
    for task in tasks:
        failures += not _run_one(rt, task, report)
    return failures


def _run_one(rt: Runtime, task: DaemonTask, report: Callable[[str], None]) -> bool:
    try:
        summary = task.run(rt)
    except PerthError as exc:
        report(f"{task.name}: error: {rt.redact(exc.message, 'daemon')}")
        return False
    except Exception as exc:
        report(f"{task.name}: unexpected {type(exc).__name__}: {rt.redact(str(exc), 'daemon')}")
        return False
    if summary:
        report(f"{task.name}: {summary}")
    return True


def run_daemon(rt: Runtime, tasks: Sequence[DaemonTask], report: Callable[[str], None],
               stop: threading.Event | None = None) -> int:
    """Run tasks when due until ``stop`` is set (or SIGTERM/SIGINT); returns 0."""
    from perth.store import keep_connections

    stop = stop or threading.Event()
    keep_connections(rt.settings)
    lock = DaemonLock(lock_path(rt))
    previous = _install_signal_handlers(stop)
    try:
        report(f"daemon started (pid {os.getpid()}); tasks: "
               + ", ".join(f"{t.name} every {t.interval_s:g}s" for t in tasks))
        due = dict.fromkeys((t.name for t in tasks), 0.0)
        while not stop.is_set():
            now = time.monotonic()
            for task in tasks:
                if due[task.name] <= now:
                    _run_one(rt, task, report)
                    due[task.name] = time.monotonic() + task.interval_s
            stop.wait(max(0.05, min(due.values()) - time.monotonic()))
        report("daemon stopped")
        return 0
    finally:
        _restore_signal_handlers(previous)
        lock.release()
        keep_connections(rt.settings, 0)


def _install_signal_handlers(stop: threading.Event) -> dict[int, object]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, object] = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, lambda *_: stop.set())
    return previous


def _restore_signal_handlers(previous: dict[int, object]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)  # type: ignore[arg-type]


def install_service(rt: Runtime, kind: str) -> tuple[str, str]:
    """Write the service file for ``kind``; returns its path and how to enable it."""
    from perth.files import write_atomic

    path, text, enable = service_unit(rt, kind)
    try:
        write_atomic(path, [text])
    except OSError as exc:
        raise ConflictError(f"cannot write {path}: {exc.strerror}",
                            "check the directory's permissions, or use --print and install it yourself") from exc
    return path, enable


def uninstall_service(rt: Runtime, kind: str) -> tuple[str, str]:
    """Remove the service file ``install`` wrote; its path and how to stop the running service first."""
    path, _text, _enable = service_unit(rt, kind)
    stop = (f"launchctl unload -w {path}" if kind == "launchd"
            else "systemctl --user disable --now perth-daemon.service && systemctl --user daemon-reload")
    try:
        os.unlink(path)
    except FileNotFoundError:
        raise NotFoundError(f"no {kind} service file at {path}", "nothing to uninstall") from None
    except OSError as exc:
        raise ConflictError(f"cannot remove {path}: {exc.strerror}", "check the directory's permissions") from exc
    return path, stop


def service_unit(rt: Runtime, kind: str) -> tuple[str, str, str]:
    """``(path, contents, how to enable)`` of a systemd user unit or a launchd agent."""
    home = os.path.expanduser("~")
    command = [sys.executable, "-m", "perth", "daemon"]
    env = {k: v for k, v in rt.environ.items() if k == "PERTH_HOME"}
    if kind == "launchd":
        path = os.path.join(home, "Library", "LaunchAgents", "dev.perth.daemon.plist")
        args = "".join(f"\n    <string>{part}</string>" for part in command)
        env_xml = "".join(f"\n    <key>{k}</key><string>{v}</string>" for k, v in env.items())
        text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
                f"  <key>Label</key><string>dev.perth.daemon</string>\n"
                f"  <key>ProgramArguments</key>\n  <array>{args}\n  </array>\n"
                f"  <key>EnvironmentVariables</key>\n  <dict>{env_xml}\n  </dict>\n"
                f"  <key>RunAtLoad</key><true/>\n  <key>KeepAlive</key><true/>\n</dict>\n</plist>\n")
        return path, text, f"launchctl load -w {path}"
    path = os.path.join(home, ".config", "systemd", "user", "perth-daemon.service")
    env_lines = "".join(f"Environment={k}={v}\n" for k, v in env.items())
    text = ("[Unit]\nDescription=Perth daemon: shell capture ingestion and periodic tasks\n\n"
            f"[Service]\nExecStart={' '.join(command)}\n{env_lines}Restart=on-failure\nRestartSec=5\n\n"
            "[Install]\nWantedBy=default.target\n")
    return path, text, "systemctl --user daemon-reload && systemctl --user enable --now perth-daemon.service"
