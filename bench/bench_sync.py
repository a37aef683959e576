"""Encrypted sync between two homes (SPEC C14, issue 24): 100,000 records through a PostgreSQL table.

Home A holds 100,000 records (panes and intent entries, made as `bench_core.populate` makes them);
home B is empty.  Measured, each as a `perth` process:

* `perth sync push` on A (read, seal, append every record) and `perth sync pull` on B (fetch,
  authenticate, apply every record), wall time; against the baseline of the same run: `perth store
  migrate` of A into a fresh SQLite file (a plain, local, verified copy of the same records);
* bytes on the wire per record: the payload sent and received (sequence number, home id, keyed
  identity and sealed record per row; PostgreSQL's protocol framing aside) as a ratio against the
  record's plaintext canonical JSON;
* `perth sync now` on B once nothing changed (the cost of a sync that finds nothing to do).

The goal gated: every record reaches B and both homes hold the same records.  Times are reported.
The table lives in the local `test` database under a name of its own, dropped at the end.
Run: `make bench-sync` or `.venv/bin/python bench/bench_sync.py [--records N] [--no-gate]`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench_core import perth_command, populate
from gate import start

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    """Seconds a command takes, and its JSON output (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[-3:])} failed: {done.stderr.strip()}")
    return took, json.loads(done.stdout) if done.stdout.startswith("{") else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--panes", type=int, default=100)
    args, gate = start("sync", parser)
    import psycopg

    from perth.store.sqlite import SQLiteStore
    from perth.store.transfer_parts import checksum
    from perth.sync.kinds import KINDS

    table = f"perth_bench_sync_{secrets.token_hex(5)}"
    server = f"{ADMIN_URL}?table={table}"
    workdir = Path(tempfile.mkdtemp(prefix="perth-bench-sync-"))
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ"))}
        base_env["PERTH_SYNC_PASSPHRASE"] = "benchmark vault passphrase"  # noqa: S105 - a throwaway vault
        perth = perth_command()
        home_a, home_b = workdir / "a", workdir / "b"
        env_a, env_b = {**base_env, "PERTH_HOME": str(home_a)}, {**base_env, "PERTH_HOME": str(home_b)}
        print(f"populating {args.records:,} records ...", flush=True)
        populate(home_a / "perth.db", args.records - args.panes, args.panes)

        copy_s, _ = timed([*perth, "store", "migrate", "--to", str(workdir / "copy.db"), "--format", "json"], env_a)
        for env in (env_a, env_b):
            timed([*perth, "sync", "init", "--server", server, "--key-store", "none", "--format", "json"], env)
        push_s, pushed = timed([*perth, "sync", "push", "--format", "json"], env_a)
        pull_s, pulled = timed([*perth, "sync", "pull", "--format", "json"], env_b)
        idle_s, idle = timed([*perth, "sync", "now", "--format", "json"], env_b)

        stores = [SQLiteStore(home / "perth.db") for home in (home_a, home_b)]
        sums = [{kind.name: checksum([kind.data(r) for r in kind.read(s)]) for kind in KINDS} for s in stores]
        counts = [s.entries.count() + s.panes.count() for s in stores]
        for store in stores:
            store.close()
        records = int(pushed["pushed"])  # type: ignore[call-overload]
        plain = int(pushed["plaintext_bytes"])  # type: ignore[call-overload]
        sent, received = int(pushed["sent_bytes"]), int(pulled["received_bytes"])  # type: ignore[call-overload]
        with psycopg.connect(ADMIN_URL) as conn:
            size = conn.execute(f"SELECT pg_total_relation_size('{table}')").fetchone()[0]

        gate.check(f"every one of {args.records:,} records reaches the second home, identical",
                   f"{pulled['applied']:,} applied, checksums {'equal' if sums[0] == sums[1] else 'DIFFER'}",
                   f"{records:,} pushed", f"{counts[1] / counts[0]:.2f} of the records",
                   sums[0] == sums[1] and counts[0] == counts[1] == args.records and records == args.records)
        gate.note(f"push of {records:,} records: {push_s:.1f} s ({records / push_s:,.0f} records/s); pull:"
                  f" {pull_s:.1f} s ({records / pull_s:,.0f} records/s); together {(push_s + pull_s) / copy_s:.2f}x"
                  f" `perth store migrate` into a local SQLite file ({copy_s:.1f} s, the baseline)")
        gate.note(f"bytes on the wire per record: sent {sent / records:.0f} B, received {received / records:.0f} B,"
                  f" plaintext {plain / records:.0f} B: {sent / plain:.2f}x the plaintext (nonce 24 B, tag 16 B,"
                  f" keyed identity 32 B, home 16 B, sequence 8 B, version and parent in the sealed payload)")
        gate.note(f"a sync that finds nothing to do (`perth sync now` on the second home, {records:,} records"
                  f" scanned): {idle_s:.2f} s (pushed {idle['pushed']}, applied {idle['applied']})")
        gate.note(f"the server's table: {size / 1024 / 1024:.1f} MiB for {records:,} rows"
                  f" ({size / records:.0f} B per row with PostgreSQL's overhead and index)")
        return gate.finish(args)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}, {table}_vaults")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
