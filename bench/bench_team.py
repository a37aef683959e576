"""Team-scale store benchmarks (SPEC C14), each against a baseline measured in the same run.

1. `perth log` against a PostgreSQL store on 127.0.0.1, p50 process wall time of interleaved runs,
   as a ratio against the same command on the embedded SQLite store (reported; no goal is named).
2. `perth history --limit 50 --pane P` with 1,000,000 entries across 1,000 panes on PostgreSQL,
   p95 (goal <= 100 ms), against `python -c pass` and the same command on the SQLite store holding
   the same rows.

The PostgreSQL store lives in a schema of its own in the local `test` database, dropped at the end.
Run: `make bench-team` or `.venv/bin/python bench/bench_team.py [--entries N] [--runs N] [--no-gate]`;
exits 1 when a goal is not met.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_core import perth_command, populate
from gate import start
from timing import percentile, wall_ms

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def copy_to_postgres(sqlite_path: Path, url: str) -> None:
    """The panes, entries and tags of the SQLite store, copied into the PostgreSQL schema."""
    import psycopg

    from perth.store.postgres import PostgresStore

    PostgresStore(url).close()  # migrate the schema
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(url, autocommit=True) as target:
        for table, columns in (("panes", "id, name, cwd, repo_root, branch, created_at, last_seen_at"),
                               ("entries", "id, pane_id, ts, summary, type, source, tags"),
                               ("entry_tags", "tag, entry_id")):
            with target.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {columns} FROM {table}"):
                    copy.write_row(row)
        target.execute("ANALYZE")
    source.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--panes", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=30)
    args, gate = start("team", parser)
    import psycopg

    schema = f"perth_bench_{secrets.token_hex(6)}"
    url = f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    workdir = Path(tempfile.mkdtemp(prefix="perth-bench-team-"))
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ"))}
        perth = perth_command()
        sqlite_env = {**base_env, "PERTH_HOME": str(workdir / "sqlite-home"), "PERTH_PANE": "bench/log"}
        pg_env = {**base_env, "PERTH_HOME": str(workdir / "pg-home"), "PERTH_PANE": "bench/log",
                  "PERTH_STORE__URL": url}
        log = [*perth, "log", "benchmarking the team store"]
        times = {"sqlite": [], "postgresql": []}  # type: dict[str, list[float]]
        for _ in range(2):  # warm-up, and the first run creates each store
            wall_ms(log, sqlite_env)
            wall_ms(log, pg_env)
        for _ in range(args.runs):
            order = ["sqlite", "postgresql"]
            random.shuffle(order)
            for name in order:
                times[name].append(wall_ms(log, sqlite_env if name == "sqlite" else pg_env))
        lite, pg = statistics.median(times["sqlite"]), statistics.median(times["postgresql"])
        gate.note(f"`perth log` p50 of {args.runs} interleaved runs: PostgreSQL on 127.0.0.1 {pg:.1f} ms, SQLite"
                  f" {lite:.1f} ms: {pg / lite:.2f}x")

        print(f"\npopulating {args.entries:,} entries across {args.panes:,} panes ...", flush=True)
        started = time.perf_counter()
        big = workdir / "big-home"
        names = populate(big / "perth.db", args.entries, args.panes)
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
        copy_to_postgres(big / "perth.db", url)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
        big_sqlite = {**base_env, "PERTH_HOME": str(big)}
        big_pg = {**base_env, "PERTH_HOME": str(workdir / "pg-home"), "PERTH_STORE__URL": url}
        rng = random.Random(5)
        base, on_pg, on_sqlite = [], [], []
        for _ in range(args.runs):
            pane = rng.choice(names)
            base.append(wall_ms([sys.executable, "-c", "pass"], base_env))
            on_pg.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_pg))
            on_sqlite.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_sqlite))
        p95, lite95, python = percentile(on_pg, 95), percentile(on_sqlite, 95), statistics.median(base)
        gate.check(f"`perth history --limit 50 --pane P` on PostgreSQL, {args.entries:,} entries / {args.panes:,}"
                   " panes, p95 <= 100 ms", f"p95 {p95:.1f} ms (p50 {statistics.median(on_pg):.1f} ms)",
                   f"`python -c pass` {python:.1f} ms; SQLite with the same rows p95 {lite95:.1f} ms",
                   f"{p95 / python:.2f}x; {p95 / lite95:.2f}x SQLite", p95 <= 100)
        return gate.finish(args)
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
