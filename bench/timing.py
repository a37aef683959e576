"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import subprocess
import time


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one process run, in milliseconds (a failing command stops the benchmark)."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr.decode()[-500:]}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]
