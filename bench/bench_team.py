"""Team-scale store benchmarks (SPEC C14), each against a baseline measured in the same run.

1. `perth log` against a PostgreSQL store on 127.0.0.1, p50 process wall time of interleaved runs,
   as a ratio against the same command on the embedded SQLite store (reported; no goal is named).
2. `perth history --limit 50 --pane P` with 1,000,000 entries across 1,000 panes on PostgreSQL,
   p95 (goal <= 100 ms), against `python -c pass` and the same command on the SQLite store holding
   the same rows.

3. The Redis store on 127.0.0.1 (reported; no goal is named): `perth log` p50 against SQLite, the
   throughput of `perth store migrate` from SQLite into Redis, and `perth history --limit 50 --pane P`
   p95 with `--redis-entries` entries (100,000 by default) against SQLite holding the same rows.

The PostgreSQL store lives in a schema of its own in the local `test` database, dropped at the end;
the Redis store under a key prefix of its own, whose keys are deleted at the end.
Run: `make bench-team` or `.venv/bin/python bench/bench_team.py [--entries N] [--redis-entries N]
[--runs N] [--no-gate]`; exits 1 when a goal is not met.
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
from gate import Gate, start
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


def interleaved_p50(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, float]:
    """Median wall time of each command, run in a shuffled order each round (after two warm-ups)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(2):
        for argv, env in commands.values():
            wall_ms(argv, env)
    for _ in range(runs):
        order = list(commands)
        random.shuffle(order)
        for name in order:
            times[name].append(wall_ms(*commands[name]))
    return {name: statistics.median(values) for name, values in times.items()}


def redis_section(args: argparse.Namespace, gate: Gate, perth: list[str], base_env: dict[str, str],
                  workdir: Path) -> None:
    """`perth log`, `perth store migrate` and `perth history` on the Redis store, against SQLite."""
    from perth.store import open_location
    from perth.store.redis_store import RedisStore
    from perth.store.transfer import migrate

    url, big_url = (f"redis://127.0.0.1:6379/0?prefix=perth-bench-{secrets.token_hex(6)}:" for _ in range(2))
    try:
        lite_env = {**base_env, "PERTH_HOME": str(workdir / "r-sqlite-home"), "PERTH_PANE": "bench/log"}
        redis_env = {**base_env, "PERTH_HOME": str(workdir / "r-home"), "PERTH_PANE": "bench/log",
                     "PERTH_STORE__URL": url}
        log = [*perth, "log", "benchmarking the redis store"]
        p50 = interleaved_p50({"sqlite": (log, lite_env), "redis": (log, redis_env)}, args.runs)
        gate.note(f"`perth log` p50 of {args.runs} interleaved runs: Redis on 127.0.0.1 {p50['redis']:.1f} ms,"
                  f" SQLite {p50['sqlite']:.1f} ms: {p50['redis'] / p50['sqlite']:.2f}x")
        home = workdir / "r-big"
        names = populate(home / "perth.db", args.redis_entries, args.panes)
        source, target = open_location(str(home / "perth.db")), RedisStore(big_url)
        started = time.perf_counter()
        report = migrate(source, target)
        took = time.perf_counter() - started
        source.close()
        target.close()
        gate.note(f"`perth store migrate` SQLite -> Redis: {args.redis_entries:,} entries in {took:.1f} s"
                  f" ({args.redis_entries / took:,.0f} entries/s, verified: {report.ok})")
        rng = random.Random(5)
        big_lite = {**base_env, "PERTH_HOME": str(home)}
        big_redis = {**base_env, "PERTH_HOME": str(workdir / "r-home"), "PERTH_STORE__URL": big_url}
        on_lite, on_redis = [], []
        for _ in range(args.runs):
            pane = rng.choice(names)
            on_redis.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_redis))
            on_lite.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_lite))
        r95, l95 = percentile(on_redis, 95), percentile(on_lite, 95)
        gate.note(f"`perth history --limit 50 --pane P` on Redis, {args.redis_entries:,} entries / {args.panes:,}"
                  f" panes: p95 {r95:.1f} ms, SQLite with the same rows {l95:.1f} ms: {r95 / l95:.2f}x")
    finally:
        for used in (url, big_url):
            store = RedisStore(used)
            store.drop_keys()
            store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--panes", type=int, default=1_000)
    parser.add_argument("--redis-entries", type=int, default=100_000)
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
        redis_section(args, gate, perth, base_env, workdir)
        return gate.finish(args)
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
