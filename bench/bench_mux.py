"""Terminal workspace benchmarks (SPEC C6), each against a baseline measured in the same run.

The workspace is what people leave open: 10 windows of 5 panes with uneven splits (side panels,
a wide editor, a short log strip), editors, pagers and `tail -f` running, one window zoomed.

1. `perth snapshot save` of the 50-pane session, process wall time (goal <= 500 ms); baseline:
   the raw `tmux list-panes -a -F` + `ps` calls alone. The in-process figure is printed beside it.
2. `perth restore` of it into a fresh tmux server, process wall time (goal <= 2 s): sessions,
   windows, splits, exact layouts, names, allow-listed programs re-run; baseline: the same windows,
   splits and programs issued as raw tmux commands. The restored panes, layouts and programs are
   checked against the original before a figure counts.

Everything runs on an isolated server (`tmux -L perth-bench-<random>`) that is killed at the end.
Run: `make bench-mux` or `.venv/bin/python bench/bench_mux.py [--runs N] [--no-gate]`; exits 1
when a goal is not met.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gate import start
from perth.config import load_settings
from perth.mux.model import Snapshot
from perth.mux.service import take
from perth.mux.tmux import FORMAT, TmuxDriver
from perth.paths import resolve_paths
from perth.runtime import Runtime

WINDOWS, PANES = 10, 5
#: Per window: (split flags, size) of the four splits after the first pane: uneven on purpose.
SPLITS = (("-h", "30%"), ("-v", "25%"), ("-h", "60%"), ("-v", "40%"))
PROGRAMS = ("vim -n notes.md", "less app.log", "tail -f app.log", "", "")


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                          check=True, timeout=10).stdout


def build(socket: str, root: Path) -> int:
    """The workspace (10 windows x 5 panes, uneven, programs running, window 3 zoomed); returns the
    raw tmux command count."""
    calls = 0
    for w in range(WINDOWS):
        cwd = root / f"w{w}"
        cwd.mkdir(exist_ok=True)
        (cwd / "notes.md").write_text("# notes\n")
        (cwd / "app.log").write_text("started\n" * 50)
        first = PROGRAMS[w % len(PROGRAMS)]
        if w == 0:
            tmux(socket, "new-session", "-d", "-s", "bench", "-n", "w0", "-c", str(cwd), "-x", "200", "-y", "60",
                 *([first] if first else []))
            tmux(socket, "set-option", "-g", "default-shell", "/bin/sh")
        else:
            tmux(socket, "new-window", "-t", f"=bench:{w}", "-n", f"w{w}", "-c", str(cwd), *([first] if first else []))
        calls += 1
        for p, (direction, size) in enumerate(SPLITS):
            program = PROGRAMS[(w + p + 1) % len(PROGRAMS)]
            tmux(socket, "split-window", direction, "-l", size, "-t", f"=bench:{w}", "-c", str(cwd),
                 *([program] if program else []))
            calls += 1
    tmux(socket, "resize-pane", "-Z", "-t", "=bench:3.0")
    tmux(socket, "select-window", "-t", "=bench:1")
    return calls + 2


def kill(socket: str) -> None:
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10, check=False)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and subprocess.run(["tmux", "-L", socket, "list-sessions"],
                                                         capture_output=True, timeout=10, check=False).returncode == 0:
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}", socket))  # noqa: S108


def layouts(socket: str, session: str) -> list[tuple[str, str]]:
    """Per window: its name and its layout without pane ids (geometry only)."""
    rows = tmux(socket, "list-windows", "-t", f"={session}", "-F", "#{window_name}\t#{window_layout}").splitlines()
    return [(name, re.sub(r"(\d+x\d+,\d+,\d+),\d+", r"\1", layout.split(",", 1)[1]))
            for name, layout in (row.split("\t") for row in rows)]


def programs(socket: str, session: str) -> list[str]:
    """Per window, the sorted foreground programs of its panes."""
    names = tmux(socket, "list-windows", "-t", f"={session}", "-F", "#{window_name}").split()
    return [" ".join(sorted(tmux(socket, "list-panes", "-t", f"={session}:{name}", "-F",
                                 "#{pane_current_command}").split())) for name in names]


def expected_programs(snapshot: Snapshot) -> list[str]:
    """What a restore runs: each pane's recorded program (allow-listed here), else the shell."""
    return [" ".join(sorted(os.path.basename(p.command.split()[0]) if p.command else "sh" for p in window.panes))
            for session in snapshot.sessions for window in session.windows]


def settle(socket: str, session: str, expected: list[str]) -> list[str]:
    """The restored programs once they have started (they start asynchronously)."""
    deadline = time.monotonic() + 10
    found = programs(socket, session)
    while found != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        found = programs(socket, session)
    return found


def perth(env: dict[str, str], *args: str) -> float:
    """Wall time of one `perth` process, in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "perth", *args], env=env, check=True, stdout=subprocess.DEVNULL,
                   timeout=60)
    return time.perf_counter() - started


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="Repetitions of each measurement.")
    args, gate = start("mux", parser)
    socket = f"perth-bench-{secrets.token_hex(6)}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX"))},
               "PERTH_HOME": str(root / "home"), "PERTH_MUX__TMUX_SOCKET_NAME": socket}
        try:
            measure(gate, env, socket, root, args.runs)
        finally:
            kill(socket)
    return gate.finish(args)


def measure(gate: object, env: dict[str, str], socket: str, root: Path, runs: int) -> None:
    from gate import Gate

    assert isinstance(gate, Gate)
    build_calls = build(socket, root)
    time.sleep(0.5)  # let the programs start, as they would have long since in a real workspace
    original = layouts(socket, "bench")
    rt = Runtime(load_settings(resolve_paths(env), env), environ=env)
    snap_cli, snap_lib, base = [], [], []
    try:
        for i in range(runs):
            started = time.perf_counter()
            tmux(socket, "list-panes", "-a", "-F", FORMAT)
            subprocess.run(["ps", "-ww", "-e", "-o", "pid=,ppid=,args="], capture_output=True, check=True, timeout=10)
            base.append(time.perf_counter() - started)
            started = time.perf_counter()
            snapshot = take(rt, TmuxDriver(socket_name=socket), name=f"lib-{i}")
            snap_lib.append(time.perf_counter() - started)
            snap_cli.append(perth(env, "snapshot", "save", f"bench-{i}", "--session", "bench"))
    finally:
        rt.close()
    assert snapshot.pane_count == WINDOWS * PANES, snapshot.pane_count
    snap_ms = median_ms(snap_cli)
    gate.check(f"`perth snapshot save` of a {WINDOWS * PANES}-pane tmux session with programs running and"
               f" uneven layouts <= 500 ms (median of {runs})", f"{snap_ms:.1f} ms (in process: "
               f"{median_ms(snap_lib):.1f} ms)", f"raw `tmux list-panes` + `ps`: {median_ms(base):.1f} ms",
               f"{snap_ms / median_ms(base):.2f}x", snap_ms <= 500)
    restore_cli, raw = [], []
    for _ in range(runs):
        kill(socket)
        started = time.perf_counter()
        build(socket, root)
        raw.append(time.perf_counter() - started)
        kill(socket)
        tmux(socket, "new-session", "-d", "-s", "boot")
        tmux(socket, "set-option", "-g", "default-shell", "/bin/sh")  # as in the raw build
        restore_cli.append(perth(env, "restore", "bench-0", "--session", "restored"))  # later saves were identical
        assert layouts(socket, "restored") == original, "the restored layouts differ from the workspace"
        wanted = expected_programs(snapshot)
        assert any(p != "sh" for w in wanted for p in w.split()), "the snapshot recorded no running program"
        restored = settle(socket, "restored", wanted)
        assert restored == wanted, f"the restored programs differ:\n{restored}\n{wanted}"
    restore_ms = median_ms(restore_cli)
    gate.check(f"`perth restore` of those {WINDOWS * PANES} panes into a fresh tmux server <= 2 s (median of"
               f" {runs}; layouts, names and programs checked)", f"{restore_ms:.1f} ms",
               f"the same windows, splits and programs as {build_calls} raw tmux commands: {median_ms(raw):.1f} ms",
               f"{restore_ms / median_ms(raw):.2f}x", restore_ms <= 2000)


if __name__ == "__main__":
    raise SystemExit(main())
