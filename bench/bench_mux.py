"""Terminal workspace benchmarks (SPEC C6), each against a baseline measured in the same run.

1. Snapshot of a 50-pane tmux session (goal <= 500 ms): ``perth.mux.service.take`` (list-panes,
   process tree, redaction); baseline: the raw ``tmux list-panes -a -F`` + ``ps`` calls alone.
2. Restore of it into a fresh server (goal <= 2 s): plan + execute (sessions, windows, splits,
   exact layouts, names, allow-listed commands); baseline: the same windows and splits issued as
   raw tmux commands.  The raw tmux command count is reported as context.

Everything runs on an isolated server (``tmux -L perth-bench-<random>``) that is killed at the end.
Run: `.venv/bin/python bench/bench_mux.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from perth.config import load_settings
from perth.mux.execute import restore
from perth.mux.service import take
from perth.mux.tmux import FORMAT, TmuxDriver
from perth.paths import resolve_paths
from perth.runtime import Runtime

WINDOWS, PANES = 10, 5


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                          check=True, timeout=10).stdout


def build(socket: str, root: Path) -> int:
    """A 50-pane session (10 windows x 5 panes); returns the raw tmux command count."""
    calls = 0
    for w in range(WINDOWS):
        cwd = root / f"w{w}"
        cwd.mkdir(exist_ok=True)
        if w == 0:
            tmux(socket, "new-session", "-d", "-s", "bench", "-n", "w0", "-c", str(cwd), "-x", "200", "-y", "60")
            tmux(socket, "set-option", "-g", "default-shell", "/bin/sh")
        else:
            tmux(socket, "new-window", "-t", f"=bench:{w}", "-n", f"w{w}", "-c", str(cwd))
        calls += 1
        for _p in range(PANES - 1):
            tmux(socket, "split-window", "-t", f"=bench:{w}", "-c", str(cwd))
            tmux(socket, "select-layout", "-t", f"=bench:{w}", "tiled")
            calls += 2
    return calls


def kill(socket: str) -> None:
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10, check=False)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and subprocess.run(["tmux", "-L", socket, "list-sessions"],
                                                         capture_output=True, timeout=10, check=False).returncode == 0:
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}", socket))  # noqa: S108


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="Repetitions of each measurement.")
    args = parser.parse_args()
    socket = f"perth-bench-{secrets.token_hex(6)}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        environ = {**os.environ, "PERTH_HOME": str(root / "home"), "PERTH_MUX__TMUX_SOCKET_NAME": socket}
        rt = Runtime(load_settings(resolve_paths(environ), environ), environ=environ)
        try:
            return run(rt, socket, root, args.runs)
        finally:
            rt.close()
            kill(socket)


def run(rt: Runtime, socket: str, root: Path, runs: int) -> int:
    build_calls = build(socket, root)
    mux = TmuxDriver(socket_name=socket)
    snap_times, base_times = [], []
    snap = take(rt, mux, name="bench")
    for _ in range(runs):
        started = time.perf_counter()
        tmux(socket, "list-panes", "-a", "-F", FORMAT)
        subprocess.run(["ps", "-ww", "-e", "-o", "pid=,ppid=,args="], capture_output=True, check=True, timeout=10)
        base_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        snap = take(rt, TmuxDriver(socket_name=socket), name="bench")
        snap_times.append(time.perf_counter() - started)
    assert snap.pane_count == WINDOWS * PANES, snap.pane_count
    restore_times, raw_times, calls = [], [], 0
    for _ in range(runs):
        kill(socket)
        started = time.perf_counter()
        build(socket, root)
        raw_times.append(time.perf_counter() - started)
        kill(socket)
        tmux(socket, "new-session", "-d", "-s", "boot")
        tmux(socket, "set-option", "-g", "default-shell", "/bin/sh")  # as in the raw build
        driver = TmuxDriver(socket_name=socket)
        started = time.perf_counter()
        report = restore(rt, driver, snap)
        restore_times.append(time.perf_counter() - started)
        calls = report.mux_calls
        assert report.created == WINDOWS * PANES, report.created
    snapshot_ms, restore_ms = median_ms(snap_times), median_ms(restore_times)
    print(f"\nsnapshot of a {WINDOWS * PANES}-pane tmux session ({runs} runs, median)\n"
          f"  perth {snapshot_ms:.1f} ms vs raw list-panes + ps {median_ms(base_times):.1f} ms"
          f" (x{snapshot_ms / median_ms(base_times):.2f})   (goal <= 500 ms)")
    print(f"\nrestore of it into a fresh server ({runs} runs, median)\n"
          f"  perth {restore_ms:.1f} ms with {calls} tmux commands vs raw build {median_ms(raw_times):.1f} ms"
          f" with {build_calls} tmux commands (x{restore_ms / median_ms(raw_times):.2f})   (goal <= 2000 ms)")
    ok = snapshot_ms <= 500 and restore_ms <= 2000
    print(f"\n{'all goals met' if ok else 'GOAL MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
