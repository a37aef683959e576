"""Team-scale store benchmarks (SPEC C14), each against a baseline measured in the same run.

1. `perth log` against a PostgreSQL store on 127.0.0.1, p50 process wall time of interleaved runs,
   as a ratio against the same command on the embedded SQLite store (reported; no goal is named).
2. `perth history --limit 50 --pane P` with 1,000,000 entries across 1,000 panes on PostgreSQL,
   p95 (goal <= 100 ms), against `python -c pass` and the same command on the SQLite store holding
   the same rows; the same command through psycopg (`store.pg_driver = psycopg`) is reported beside it.

3. `perth search` on PostgreSQL (reported; the choice documented in docs/team.md): `--search-commands`
   commands (200,000 by default) in the PostgreSQL store; the local tantivy index Perth keeps beside a
   shared store (first sync from the store, then full-text p95 for a common and a rare term), against
   the alternative of server-side full text (a generated `tsvector` column, a GIN index and
   `ts_rank_cd`, built here on a scratch column): its build time, p95 for the same terms, and how well
   its top 10 agrees with BM25 on two-word queries (the share of its top 10 that BM25 ranks in its own
   top 10, ties included).
4. The Redis store on 127.0.0.1 (reported; no goal is named): `perth log` p50 against SQLite, the
   throughput of `perth store migrate` from SQLite into Redis, and `perth history --limit 50 --pane P`
   p95 with `--redis-entries` entries (100,000 by default) against SQLite holding the same rows.

The PostgreSQL store lives in a schema of its own in the local `test` database, dropped at the end;
the Redis store under a key prefix of its own, whose keys are deleted at the end.
Run: `make bench-team` or `.venv/bin/python bench/bench_team.py [--entries N] [--redis-entries N]
[--search-commands N (0: skip)] [--skip-history] [--skip-redis] [--runs N] [--no-gate]`; exits 1 when a goal is not met.
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


def query_only(args: argparse.Namespace, gate: Gate, url: str, names: list[str]) -> None:
    """The history query of `perth history --limit 50 --pane P` alone, in process (no start-up, no import)."""
    from perth.records import EntryQuery
    from perth.store.postgres import PostgresStore

    store = PostgresStore(url)
    rng = random.Random(5)
    took = []
    try:
        for _ in range(args.runs):
            pane = store.panes.get(name=rng.choice(names))
            assert pane is not None
            started = time.perf_counter()
            store.entries.query(EntryQuery(pane_ids=(pane.id,), limit=50))
            took.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
    gate.note(f"the history query alone on PostgreSQL ({args.entries:,} entries), in process: p95"
              f" {percentile(took, 95):.1f} ms (p50 {statistics.median(took):.1f} ms)")


def log_section(args: argparse.Namespace, gate: Gate, perth: list[str], base_env: dict[str, str], *, workdir: Path,
                url: str) -> None:
    """`perth log` p50 on PostgreSQL against SQLite, interleaved."""
    sqlite_env = {**base_env, "PERTH_HOME": str(workdir / "sqlite-home"), "PERTH_PANE": "bench/log"}
    pg_env = {**base_env, "PERTH_HOME": str(workdir / "pg-home"), "PERTH_PANE": "bench/log", "PERTH_STORE__URL": url}
    log = [*perth, "log", "benchmarking the team store"]
    times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
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


def search_section(args: argparse.Namespace, gate: Gate, admin: object, workdir: Path) -> None:
    """`perth search` on a PostgreSQL store: the local tantivy index against server-side full text."""
    import psycopg

    from bench_search import COMMON, RARE, commands, timed
    from perth.config import load_settings
    from perth.paths import resolve_paths
    from perth.runtime import Runtime
    from perth.search.service import SearchRequest, search_memory
    from perth.search.sync import sync
    from perth.store.postgres import PostgresStore

    schema = f"perth_bench_search_{secrets.token_hex(6)}"
    url = f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    admin.execute(f"CREATE SCHEMA {schema}")  # type: ignore[attr-defined]
    try:
        texts = commands(args.search_commands)
        PostgresStore(url).close()
        start_ms = int(time.time() * 1000) - len(texts) * 60_000
        with psycopg.connect(url, autocommit=True) as db:
            with db.cursor().copy("COPY commands (id, start_ms, duration_ms, exit, command, cwd, host, dedup_key)"
                                  " FROM STDIN") as copy:
                for i, text in enumerate(texts):
                    copy.write_row((f"b{i:09d}", start_ms + i * 60_000, 5, 0 if i % 17 else 1, text, "/work/app",
                                    "box", f"b{i}"))
            db.execute("ANALYZE commands")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
        env.update(PERTH_HOME=str(workdir / "search-home"), PERTH_STORE__URL=url)
        rt = Runtime(settings=load_settings(resolve_paths(env), env), environ=env)
        began = time.perf_counter()
        sync(rt)
        built = time.perf_counter() - began
        local = {t: timed(lambda t=t: search_memory(rt, SearchRequest(text=t, limit=20)), args.runs)
                 for t in (COMMON, RARE)}
        # the same searches without the freshness check (the feeds' queries to the server before each search)
        synced = {t: timed(lambda t=t: search_memory(rt, SearchRequest(text=t, limit=20), sync_first=False),
                           args.runs) for t in (COMMON, RARE)}
        with psycopg.connect(url, autocommit=True) as db:
            began = time.perf_counter()
            db.execute("ALTER TABLE commands ADD COLUMN bench_tsv tsvector"
                       " GENERATED ALWAYS AS (to_tsvector('simple', command)) STORED")
            db.execute("CREATE INDEX commands_bench_tsv ON commands USING gin(bench_tsv)")
            db.execute("ANALYZE commands")
            tsv_built = time.perf_counter() - began
            sql = ("SELECT id, ts_rank_cd(bench_tsv, q, 1) AS r FROM commands, plainto_tsquery('simple', %s) q"
                   " WHERE bench_tsv @@ q ORDER BY r DESC LIMIT %s")
            server = {t: timed(lambda t=t: db.execute(sql, (t, 20)).fetchall(), args.runs) for t in (COMMON, RARE)}
            for term in (COMMON, RARE):
                matches = db.execute("SELECT count(*) FROM commands WHERE bench_tsv @@ plainto_tsquery('simple', %s)",
                                     (term,)).fetchone()[0]
                gate.note(f"`perth search {term}` on PostgreSQL ({matches:,} matches in {len(texts):,} commands):"
                          f" local tantivy index p95 {percentile(local[term], 95):.1f} ms (without the freshness"
                          f" check {percentile(synced[term], 95):.1f} ms); server-side tsvector +"
                          f" ts_rank_cd p95 {percentile(server[term], 95):.1f} ms:"
                          f" {percentile(server[term], 95) / percentile(local[term], 95):.2f}x the local index")
            agreement = ranking_agreement(rt, db, texts)
        gate.note(f"search index build from the PostgreSQL store: local tantivy {built:.1f} s (first sync, then"
                  f" incremental); server-side tsvector column + GIN index {tsv_built:.1f} s")
        gate.note(f"ts_rank_cd top 10 that BM25 also ranks in its top 10 (ties included), mean of"
                  f" {agreement[1]} two-word queries: {agreement[0]:.0%}")
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # type: ignore[attr-defined]


def ranking_agreement(rt: object, db: object, texts: list[str]) -> tuple[float, int]:
    """Mean share of ts_rank_cd's top 10 within BM25's top 10 (ties at the 10th score count as in),
    over two-word queries (a frequent program and a word of 20 to 150 matches)."""
    from collections import Counter

    from perth.search.service import SearchRequest, search_memory

    counts = Counter(word for text in texts for word in set(text.split()[1:]) if word.isalpha())
    words = sorted(w for w, n in counts.items() if 20 <= n <= 150)[:: max(1, len(counts) // 4000)][:20]
    shares = []
    for word in words:
        text = f"git {word}"
        hits = search_memory(rt, SearchRequest(text=text, kinds=("command",), limit=500))  # type: ignore[arg-type]
        if len(hits.hits) < 10:
            continue
        scores = sorted((h.bm25 for h in hits.hits), reverse=True)
        tenth = scores[9]
        bm25 = {h.ref_id: h.bm25 for h in hits.hits}
        rows = db.execute("SELECT id FROM commands, plainto_tsquery('simple', %s) q WHERE bench_tsv @@ q"  # type: ignore[attr-defined]
                          " ORDER BY ts_rank_cd(bench_tsv, q, 1) DESC LIMIT 10", (text,)).fetchall()
        shares.append(sum(1 for (ref,) in rows if bm25.get(ref, 0) >= tenth - 1e-9) / 10)
    return (statistics.mean(shares) if shares else 0.0), len(shares)


def history_section(args: argparse.Namespace, gate: Gate, perth: list[str], base_env: dict[str, str], *, big: Path,
                    url: str, names: list[str], workdir: Path) -> None:
    """`perth history --limit 50 --pane P` on the big PostgreSQL store, against SQLite and psycopg."""
    big_sqlite = {**base_env, "PERTH_HOME": str(big)}
    big_pg = {**base_env, "PERTH_HOME": str(workdir / "pg-home"), "PERTH_STORE__URL": url}
    rng = random.Random(5)
    on_psycopg_env = {**big_pg, "PERTH_STORE__PG_DRIVER": "psycopg"}
    base, on_pg, on_sqlite, on_psycopg = [], [], [], []
    for _ in range(args.runs):
        pane = rng.choice(names)
        base.append(wall_ms([sys.executable, "-c", "pass"], base_env))
        on_pg.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_pg))
        on_sqlite.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], big_sqlite))
        on_psycopg.append(wall_ms([*perth, "history", "--limit", "50", "--pane", pane], on_psycopg_env))
    p95, lite95, python = percentile(on_pg, 95), percentile(on_sqlite, 95), statistics.median(base)
    gate.check(f"`perth history --limit 50 --pane P` on PostgreSQL, {args.entries:,} entries / {args.panes:,}"
               " panes, p95 <= 100 ms (store.pg_driver auto: Perth's protocol client)",
               f"p95 {p95:.1f} ms (p50 {statistics.median(on_pg):.1f} ms)",
               f"`python -c pass` {python:.1f} ms; SQLite with the same rows p95 {lite95:.1f} ms",
               f"{p95 / python:.2f}x; {p95 / lite95:.2f}x SQLite", p95 <= 100)
    gate.note(f"the same history through psycopg (store.pg_driver = psycopg): p95 {percentile(on_psycopg, 95):.1f}"
              f" ms (p50 {statistics.median(on_psycopg):.1f} ms), {percentile(on_psycopg, 95) / p95:.2f}x the"
              " default driver")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--panes", type=int, default=1_000)
    parser.add_argument("--redis-entries", type=int, default=100_000)
    parser.add_argument("--search-commands", type=int, default=200_000)
    parser.add_argument("--skip-history", action="store_true", help="only `perth log` and search (quick)")
    parser.add_argument("--skip-redis", action="store_true", help="leave the Redis section out")
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
        log_section(args, gate, perth, base_env, workdir=workdir, url=url)
        if args.search_commands:
            search_section(args, gate, admin, workdir)
        if args.skip_history:
            return gate.finish(args)
        print(f"\npopulating {args.entries:,} entries across {args.panes:,} panes ...", flush=True)
        started = time.perf_counter()
        big = workdir / "big-home"
        names = populate(big / "perth.db", args.entries, args.panes)
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
        copy_to_postgres(big / "perth.db", url)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
        history_section(args, gate, perth, base_env, big=big, url=url, names=names, workdir=workdir)
        query_only(args, gate, url, names)
        if not args.skip_redis:
            redis_section(args, gate, perth, base_env, workdir)
        return gate.finish(args)
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
