"""Web benchmark (SPEC C13): the pane timeline API and the dashboard's first pages against a trivial
endpoint, on the same server in the same run.

A real ``perth serve`` (uvicorn) over a store seeded with one pane holding N intent entries and N
commands (N = 1,000,000 by default, written through the store's ports); requests go round-robin to
``GET /api/panes/bench/timeline?limit=50`` (two indexed store queries, a merge, the view, the secret
filter over every string), the dashboard's first page ``GET /`` and the pane's timeline page
``GET /panes/bench`` (server-rendered HTML), and ``GET /healthz`` (no store). The client measures
each request's wall time; the server reports its own time in ``Server-Timing``.

Goals: timeline API p95 <= 100 ms and <= 25x the /healthz p95; each dashboard page's server time
p95 <= 200 ms, and its wall p95 <= 50x the /healthz p95.

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

from gate import start
from perth.capture.records import Command
from perth.config import load_settings
from perth.ids import uuid7
from perth.panes.service import PaneSpec, create_pane
from perth.paths import resolve_paths
from perth.records import Entry
from perth.runtime import Runtime
from timing import percentile

BATCH = 50_000


def seed(home: str, entries: int) -> float:
    """One pane with ``entries`` intents and as many commands, a minute apart, ending now; seconds taken."""
    began = time.perf_counter()
    environ = {**os.environ, "PERTH_HOME": home}
    rt = Runtime(settings=load_settings(resolve_paths(environ), environ, {}), environ=environ)
    pane = create_pane(rt, PaneSpec(name="bench"))
    now = int(time.time() * 1000) - 1000
    for first in range(0, entries, BATCH):
        with rt.store.unit():
            for i in range(first, min(first + BATCH, entries)):
                ts = now - i * 60_000
                rt.store.entries.add(Entry(id=uuid7(ts), pane_id=pane.id, pane_name=pane.name, ts=ts,
                                           summary=f"step {i} of the orders migration"))
        rt.store.commands.add([Command(id=uuid7(now - i * 60_000 - 30_000), pane_id=pane.id, pane_name=None,
                                       start_ms=now - i * 60_000 - 30_000, duration_ms=10, exit=1 if i % 7 == 0 else 0,
                                       command=f"psql -c 'select {i}'", cwd="/work", host="box", dedup_key=f"b-{i}")
                               for i in range(first, min(first + BATCH, entries))])
    rt.close()
    return time.perf_counter() - began


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(url: str) -> tuple[float, float]:
    """Wall milliseconds of one request, and the server's own (``Server-Timing: app;dur=``)."""
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
        answer.read()
        header = answer.headers.get("server-timing", "app;dur=0")
    return (time.perf_counter() - began) * 1000, float(header.split("dur=")[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    args, gate = start("bench_web", parser)
    targets = {"timeline API": "/api/panes/bench/timeline?limit=50", "dashboard /": "/",
               "timeline page": "/panes/bench", "healthz": "/healthz"}
    with tempfile.TemporaryDirectory() as home:
        seconds = seed(home, args.entries)
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
            for path in targets.values():  # warm: first imports, page cache
                timed(base + path)
            wall: dict[str, list[float]] = {name: [] for name in targets}
            own: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(args.requests):
                for name, path in targets.items():
                    spent, server_ms = timed(base + path)
                    wall[name].append(spent)
                    own[name].append(server_ms)
        finally:
            server.terminate()
            server.wait(timeout=10)
    p95 = {name: percentile(values, 95) for name, values in wall.items()}
    s95 = {name: percentile(values, 95) for name, values in own.items()}
    h95 = p95["healthz"]
    gate.note(f"{args.entries:,} intent entries and {args.entries:,} commands in the pane (seeded in {seconds:.0f} s);"
              f" {args.requests} requests to each endpoint, round-robin")
    t95 = p95["timeline API"]
    gate.note(f"server time p95: timeline API {s95['timeline API']:.1f} ms, /healthz {s95['healthz']:.2f} ms")
    gate.check("timeline API p95 <= 100 ms", f"{t95:.1f} ms", f"/healthz p95 {h95:.1f} ms", f"{t95 / h95:.1f}x",
               t95 <= 100)
    gate.check("timeline API p95 <= 25x /healthz p95", f"{t95 / h95:.1f}x", f"{h95:.1f} ms", f"{t95 / h95:.1f}x",
               t95 <= 25 * h95)
    for page in ("dashboard /", "timeline page"):
        gate.check(f"{page} server p95 <= 200 ms", f"{s95[page]:.1f} ms (wall {p95[page]:.1f} ms)",
                   f"/healthz p95 {h95:.1f} ms", f"{p95[page] / h95:.1f}x", s95[page] <= 200)
        gate.check(f"{page} wall p95 <= 50x /healthz p95", f"{p95[page] / h95:.1f}x", f"{h95:.1f} ms",
                   f"{p95[page] / h95:.1f}x", p95[page] <= 50 * h95)
    return gate.finish(args)


if __name__ == "__main__":
    sys.exit(main())
