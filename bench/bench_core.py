"""Core benchmarks (SPEC C0/C1), each a ratio against a baseline measured in the same run.

1. `perth log` process wall time, p50 over interleaved runs, against `python -c pass`
   (goal: <= 3x).
2. `perth history --limit 50 --pane P` with 1,000,000 entries across 1,000 panes, process wall
   time p95 (goal: <= 100 ms), against `python -c pass` and against the same command on an
   empty store.
3. `perth pane list` with 1,000 panes, process wall time p95 (goal: <= 150 ms).

Run: `make bench-core` or `.venv/bin/python bench/bench_core.py [--entries N] [--runs N] [--no-gate]`;
exits 1 when a goal is not met. Entry summaries are drawn from the Zipf-like vocabulary of `corpus.py`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import HistoryCorpus
from gate import start
from perth.ids import uuid7
from perth.store.sqlite import SQLiteStore
from timing import percentile, wall_ms

VERBS = ("fixed", "reproduced", "decided to keep", "next: move", "blocked on", "tried", "reviewed", "refactored",
         "measured", "deployed", "found that", "renamed")
TYPES = ("checkpoint", "checkpoint", "checkpoint", "milestone", "decision", "blocker", "next", "exploration")


def perth_command() -> list[str]:
    script = Path(sys.executable).with_name("perth")
    return [str(script)] if script.exists() else [sys.executable, "-m", "perth"]


def interleaved(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, list[float]]:
    """Run each command once per round, in a shuffled order, ``runs`` rounds (after one warm-up)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        wall_ms(command, env)
    for _ in range(runs):
        order = list(commands)
        random.shuffle(order)
        for name in order:
            times[name].append(wall_ms(commands[name], env))
    return times


def populate(path: Path, entries: int, panes: int) -> list[str]:
    """Fill a store quickly with realistic rows; returns pane names."""
    SQLiteStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    now = int(time.time() * 1000)
    names = [f"team/feature-{i:04d}" for i in range(panes)]
    pane_ids = [uuid7(now - 10**9 + i) for i in range(panes)]
    db.execute("BEGIN")
    db.executemany("INSERT INTO panes(id, name, cwd, repo_root, branch, created_at, last_seen_at)"
                   " VALUES (?, ?, '/src/app', '/src/app', ?, ?, ?)",
                   [(pid, name, name.split("/")[1], now - 10**9, now)
                    for pid, name in zip(pane_ids, names, strict=True)])
    rng = random.Random(7)
    corpus = HistoryCorpus(seed=7)
    batch: list[tuple[object, ...]] = []
    tags: list[tuple[str, str]] = []
    for i in range(entries):
        ts = now - (entries - i) * 500
        entry_id = uuid7(ts)
        tagged = i % 10 == 0
        summary = " ".join([rng.choice(VERBS), *(corpus.word() for _ in range(rng.randint(2, 12)))])
        batch.append((entry_id, pane_ids[rng.randrange(panes)], ts, summary,
                      TYPES[i % len(TYPES)], "manual", '["sprint"]' if tagged else "[]"))
        if tagged:
            tags.append(("sprint", entry_id))
        if len(batch) >= 50_000:
            db.executemany("INSERT INTO entries(id, pane_id, ts, summary, type, source, tags)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            db.executemany("INSERT INTO entry_tags(tag, entry_id) VALUES (?, ?)", tags)
            batch.clear()
            tags.clear()
    db.executemany("INSERT INTO entries(id, pane_id, ts, summary, type, source, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   batch)
    db.executemany("INSERT INTO entry_tags(tag, entry_id) VALUES (?, ?)", tags)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    return names


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--panes", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=30)
    args, gate = start("core", parser)
    workdir = Path(tempfile.mkdtemp(prefix="perth-bench-"))
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ"))}
        perth = perth_command()
        baseline = [sys.executable, "-c", "pass"]

        env = {**base_env, "PERTH_HOME": str(workdir / "log-home"), "PERTH_PANE": "bench/log"}
        times = interleaved({"baseline": baseline, "log": [*perth, "log", "benchmarking the hot path"]},
                            env, args.runs)
        base_p50, log_p50 = statistics.median(times["baseline"]), statistics.median(times["log"])
        report(f"perth log, p50 of {args.runs} interleaved runs", [
            ("python -c pass", f"{base_p50:7.1f} ms"), ("perth log", f"{log_p50:7.1f} ms"),
            ("ratio", f"{log_p50 / base_p50:7.2f}x   (goal <= 3x)")])
        gate.check(f"`perth log` p50 of {args.runs} interleaved runs <= 3x `python -c pass`", f"{log_p50:.1f} ms",
                   f"`python -c pass` {base_p50:.1f} ms", f"{log_p50 / base_p50:.2f}x", log_p50 / base_p50 <= 3)

        print(f"\npopulating {args.entries:,} entries across {args.panes:,} panes ...", flush=True)
        started = time.perf_counter()
        big_home = workdir / "big-home"
        names = populate(big_home / "perth.db", args.entries, args.panes)
        print(f"  done in {time.perf_counter() - started:.1f} s")
        big_env = {**base_env, "PERTH_HOME": str(big_home)}
        empty_env = {**base_env, "PERTH_HOME": str(workdir / "empty-home")}
        SQLiteStore(workdir / "empty-home" / "perth.db").close()
        rng = random.Random(11)
        history_big: list[float] = []
        history_empty: list[float] = []
        base_runs: list[float] = []
        list_big: list[float] = []
        for _ in range(args.runs):
            pane = rng.choice(names)
            base_runs.append(wall_ms(baseline, base_env))
            history_big.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_env))
            history_empty.append(wall_ms([*perth, "history", "--limit", "50"], empty_env))
            list_big.append(wall_ms([*perth, "pane", "list"], big_env))
        base = statistics.median(base_runs)
        h95, e95, l95 = (percentile(x, 95) for x in (history_big, history_empty, list_big))
        report(f"perth history --limit 50 --pane P, {args.entries:,} entries / {args.panes:,} panes, "
               f"{args.runs} runs", [
                   ("python -c pass p50", f"{base:7.1f} ms"),
                   ("history p50", f"{statistics.median(history_big):7.1f} ms"),
                   ("history p95", f"{h95:7.1f} ms   (goal <= 100 ms)"),
                   ("ratio vs python -c pass", f"{h95 / base:7.2f}x"),
                   ("ratio vs empty store p95", f"{h95 / e95:7.2f}x"),
               ])
        report(f"perth pane list, {args.panes:,} panes", [
            ("pane list p50", f"{statistics.median(list_big):7.1f} ms"),
            ("pane list p95", f"{l95:7.1f} ms   (goal <= 150 ms)"),
            ("ratio vs python -c pass", f"{l95 / base:7.2f}x"),
        ])
        gate.check(f"`perth history --limit 50 --pane P`, {args.entries:,} entries / {args.panes:,} panes,"
                   " p95 <= 100 ms", f"p95 {h95:.1f} ms (p50 {statistics.median(history_big):.1f} ms)",
                   f"`python -c pass` {base:.1f} ms; empty store p95 {e95:.1f} ms",
                   f"{h95 / base:.2f}x; {h95 / e95:.2f}x the empty store", h95 <= 100)
        gate.check(f"`perth pane list`, {args.panes:,} panes, p95 <= 150 ms",
                   f"p95 {l95:.1f} ms (p50 {statistics.median(list_big):.1f} ms)", f"`python -c pass` {base:.1f} ms",
                   f"{l95 / base:.2f}x", l95 <= 150)
        return gate.finish(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
