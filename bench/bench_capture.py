"""Capture benchmarks (SPEC C2), each against a baseline measured in the same run.

1. Ingest rate: spool lines -> parsed, redacted, pane-linked, stored and full-text indexed
   (goal >= 20,000 commands/s); baseline: reading and parsing the same lines only.
2. `perth import-history` of a 100,000-line zsh extended history, process wall time
   (goal <= 5 s); baseline: reading and parsing the file only, in-process.
3. `perth search` p95 over 1,000,000 stored commands (goal <= 50 ms); baseline: `python -c pass`.
4. Added latency per command of the shell hook (goal <= 1 ms): command lag of an interactive
   bash and zsh in a pseudo-terminal with and without the hook, interleaved.

Run: `make bench-capture` or `.venv/bin/python bench/bench_capture.py [--commands N] [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perth.capture.spool_format import SpoolRecord, format_line, parse_line
from perth.config import load_settings
from perth.ids import uuid7
from perth.paths import resolve_paths
from perth.runtime import Runtime
from perth.store.sqlite import SQLiteStore
from timing import percentile, wall_ms

WORDS = ("git", "status", "commit", "-m", "docker", "compose", "up", "-d", "kubectl", "get", "pods", "make", "test",
         "pytest", "-q", "ls", "-la", "cd", "src", "vim", "README.md", "cargo", "build", "npm", "run", "dev", "grep",
         "-rn", "TODO", "ssh", "deploy@web-1", "tail", "-f", "/var/log/syslog", "python", "manage.py", "migrate")


def fake_command(rng: random.Random, index: int) -> str:
    words = rng.sample(WORDS, rng.randint(2, 6))
    if index % 100 == 0:
        words.append("GITHUB_TOKEN=ghp_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789")
                                                   for _ in range(36)))
    return " ".join(words) + f" {index}"


def runtime(home: Path) -> Runtime:
    environ = {**os.environ, "PERTH_HOME": str(home)}
    return Runtime(settings=load_settings(resolve_paths(environ), environ), environ=environ)


def bench_ingest(workdir: Path, count: int) -> dict[str, float]:
    rng = random.Random(1)
    home = workdir / "ingest-home"
    spool = home / "state" / "spool"
    spool.mkdir(parents=True)
    lines = []
    for i in range(count):
        record = SpoolRecord(1_700_000_000_000_000 + i * 1000, 1200, 0 if i % 7 else 1, "zsh", f"s{i % 20}",
                             "", "", "", f"/home/dev/src/app{i % 5}", f"/home/dev/src/app{i % 5}", "main",
                             "laptop", "dev", fake_command(rng, i))
        lines.append(format_line(record) + "\n")
    data = "".join(lines).encode()
    for shell in range(20):
        (spool / f"zsh-s{shell}.spool").write_text("".join(lines[shell::20]), encoding="utf-8")
    started = time.perf_counter()
    for raw in data.split(b"\n")[:-1]:
        parse_line(raw.decode("utf-8", "replace"))
    parse_s = time.perf_counter() - started
    from perth.capture.ingest import ingest

    rt = runtime(home)
    started = time.perf_counter()
    report = ingest(rt)
    ingest_s = time.perf_counter() - started
    rt.close()
    assert report.inserted == count, report
    return {"ingest_commands": count, "ingest_s": ingest_s, "ingest_per_s": count / ingest_s,
            "parse_only_per_s": count / parse_s, "ingest_ratio_parse": ingest_s / parse_s}


def bench_import(workdir: Path, lines: int) -> dict[str, float]:
    rng = random.Random(2)
    history = workdir / "zsh_history"
    with history.open("w", encoding="utf-8") as handle:
        for i in range(lines):
            handle.write(f": {1_600_000_000 + i}:{i % 4};{fake_command(rng, i)}\n")
    from perth.capture.history_import import parse_history

    started = time.perf_counter()
    parsed = sum(1 for _ in parse_history(history.read_bytes(), "zsh"))
    parse_s = time.perf_counter() - started
    env = {**os.environ, "PERTH_HOME": str(workdir / "import-home")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "perth", "import-history", "--shell", "zsh", "--file", str(history)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    wall_s = time.perf_counter() - started
    assert parsed == lines
    return {"import_lines": lines, "import_s": wall_s, "import_parse_only_s": parse_s,
            "import_ratio_parse": wall_s / parse_s}


def populate_commands(path: Path, count: int) -> None:
    SQLiteStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    rng = random.Random(3)
    db.execute("BEGIN")
    batch = []
    for i in range(count):
        start = 1_600_000_000_000 + i * 100
        batch.append((uuid7(start), start, 5, 0, fake_command(rng, i), "/home/dev/src/app", "zsh", f"b{i}"))
        if len(batch) == 50_000:
            _insert(db, batch)
            batch = []
    _insert(db, batch)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _insert(db: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    db.executemany("INSERT INTO commands(id, start_ms, duration_ms, exit, command, cwd, shell, dedup_key)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)


def bench_search(workdir: Path, count: int, runs: int) -> dict[str, float]:
    home = workdir / "search-home"
    started = time.perf_counter()
    populate_commands(home / "perth.db", count)
    print(f"  populated {count:,} commands in {time.perf_counter() - started:.1f} s", flush=True)
    env = {**os.environ, "PERTH_HOME": str(home)}
    started = time.perf_counter()
    wall_ms([sys.executable, "-m", "perth", "search", "reindex"], env)  # the first search builds the index
    print(f"  built the search index in {time.perf_counter() - started:.1f} s", flush=True)
    queries = ["docker compose", "kubectl pods", "pytest", "deploy@web-1 ssh", "grep TODO", "cargo build 12345"]
    base, search = [], []
    for i in range(runs):
        base.append(wall_ms([sys.executable, "-c", "pass"], env))
        search.append(wall_ms([sys.executable, "-m", "perth", "search", queries[i % len(queries)],
                               "--kind", "command"], env))
    p95 = percentile(search, 95)
    return {"search_commands": count, "search_p50_ms": statistics.median(search), "search_p95_ms": p95,
            "search_python_pass_ms": statistics.median(base), "search_ratio_python": p95 / statistics.median(base)}


def bench_hook_latency(workdir: Path, shell: str, samples: int) -> dict[str, float]:
    """Command lag with and without the hook, interleaved, through `perth shellperf ab`."""
    import json

    home = workdir / f"latency-{shell}"
    home.mkdir()
    plain, hooked = workdir / f"rc-plain.{shell}", workdir / f"rc-hook.{shell}"
    plain.write_text("\n")
    hooked.write_text(f'eval "$({sys.executable} -m perth init {shell})"\n')
    env = {**os.environ, "PERTH_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "perth", "shellperf", "ab", "--shell", shell, "--rc", str(plain),
                           "--rc", str(hooked), "-n", str(samples), "--env", f"PERTH_HOME={home}",
                           "--format", "json"], env=env, capture_output=True, text=True, check=False, timeout=900)
    if not done.stdout:
        raise SystemExit(f"shellperf ab failed: {done.stderr[-500:]}")
    lag = next(d for d in json.loads(done.stdout)["deltas"] if d["name"] == "command_lag_ms")
    return {f"{shell}_lag_without_ms": lag["baseline_ms"], f"{shell}_lag_with_ms": lag["current_ms"],
            f"{shell}_added_ms": lag["delta_ms"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=1_000_000, help="Stored commands for the search benchmark.")
    parser.add_argument("--ingest", type=int, default=100_000, help="Spool lines for the ingest benchmark.")
    parser.add_argument("--import-lines", type=int, default=100_000, help="Lines of the imported zsh history.")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--latency-samples", type=int, default=20, help="Samples per config for hook latency.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="perth-bench-capture-"))
    try:
        ingest = bench_ingest(workdir, args.ingest)
        print(f"\ningest {args.ingest:,} spool lines (parse, redact, link, store, index)\n"
              f"  {ingest['ingest_per_s']:,.0f} commands/s   (goal >= 20,000)\n"
              f"  parse-only baseline {ingest['parse_only_per_s']:,.0f} lines/s; ingest takes "
              f"{ingest['ingest_ratio_parse']:.1f}x the parse-only time")
        imported = bench_import(workdir, args.import_lines)
        print(f"\nperth import-history, {args.import_lines:,}-line zsh extended history\n"
              f"  {imported['import_s']:.2f} s   (goal <= 5 s)\n"
              f"  parse-only baseline {imported['import_parse_only_s']:.2f} s; ratio "
              f"{imported['import_ratio_parse']:.1f}x")
        print(f"\nperth search over {args.commands:,} commands, {args.runs} runs")
        search = bench_search(workdir, args.commands, args.runs)
        print(f"  p50 {search['search_p50_ms']:.1f} ms, p95 {search['search_p95_ms']:.1f} ms   (goal p95 <= 50 ms)\n"
              f"  python -c pass {search['search_python_pass_ms']:.1f} ms; ratio {search['search_ratio_python']:.2f}x")
        print(f"\nadded latency per command (command lag with vs without the hook, {args.latency_samples} "
              "interleaved samples each)")
        added = []
        for shell in ("bash", "zsh"):
            lag = bench_hook_latency(workdir, shell, args.latency_samples)
            without, with_hook = lag[f"{shell}_lag_without_ms"], lag[f"{shell}_lag_with_ms"]
            added.append(lag[f"{shell}_added_ms"])
            print(f"  {shell}: {without:.3f} ms -> {with_hook:.3f} ms, added {added[-1]:+.3f} ms "
                  f"(ratio {with_hook / without:.2f}x)   (goal: added <= 1 ms)")
        ok = (ingest["ingest_per_s"] >= 20_000 and imported["import_s"] <= 5 and search["search_p95_ms"] <= 50
              and max(added) <= 1.0)
        print(f"\n{'all goals met' if ok else 'GOAL MISSED'}")
        return 0 if ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
