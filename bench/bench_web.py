"""Web API benchmark (SPEC C13): the pane timeline's latency against a trivial endpoint, same server, same run.

A real ``perth serve`` (uvicorn) over a store seeded with one pane holding N intent entries and 2N
commands; requests alternate between ``GET /api/panes/bench/timeline?limit=50`` (two indexed store
queries, a merge, the view, the secret filter over every string) and ``GET /healthz`` (no store).
Goals: timeline p95 <= 100 ms, and <= 25x the /healthz p95 (the cost over the HTTP stack itself).

Run: `.venv/bin/python bench/bench_web.py [--entries N] [--requests N] [--no-gate]`.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from gate import start
from perth.capture.records import Command
from perth.config import load_settings
from perth.panes.entries import EntryDraft, log_entry
from perth.panes.service import PaneSpec, create_pane
from perth.paths import resolve_paths
from perth.runtime import Runtime
from timing import percentile


def seed(home: str, entries: int) -> None:
    environ = {**os.environ, "PERTH_HOME": home}
    rt = Runtime(settings=load_settings(resolve_paths(environ), environ, {}), environ=environ)
    pane = create_pane(rt, PaneSpec(name="bench"))
    for i in range(entries):
        log_entry(rt, EntryDraft(summary=f"step {i} of the orders migration"), "bench")
    now = int(time.time() * 1000)
    rt.store.commands.add([Command(id=str(uuid.uuid4()), pane_id=pane.id, pane_name=None, start_ms=now - i * 500,
                                   duration_ms=10, exit=0, command=f"psql -c 'select {i}'", cwd="/work",
                                   host="box", dedup_key=f"b-{i}") for i in range(2 * entries)])
    rt.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(url: str) -> float:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
        answer.read()
    return (time.perf_counter() - began) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    args, gate = start("bench_web", parser)
    with tempfile.TemporaryDirectory() as home:
        seed(home, args.entries)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")} | {"PERTH_HOME": home}
        server = subprocess.Popen([sys.executable, "-m", "perth", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    timed(base + "/healthz")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            timeline, health = [], []
            for _ in range(args.requests):
                timeline.append(timed(base + "/api/panes/bench/timeline?limit=50"))
                health.append(timed(base + "/healthz"))
        finally:
            server.terminate()
            server.wait(timeout=10)
    t95, h95 = percentile(timeline, 95), percentile(health, 95)
    gate.note(f"{args.entries} entries and {2 * args.entries} commands in the pane; {args.requests} requests each")
    gate.check("timeline p95 <= 100 ms", f"{t95:.1f} ms", f"/healthz p95 {h95:.1f} ms", f"{t95 / h95:.1f}x",
               t95 <= 100)
    gate.check("timeline p95 <= 25x /healthz p95", f"{t95 / h95:.1f}x", f"{h95:.1f} ms", f"{t95 / h95:.1f}x",
               t95 <= 25 * h95)
    return gate.finish(args)


if __name__ == "__main__":
    sys.exit(main())
