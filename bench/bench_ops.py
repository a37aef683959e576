"""Operations benchmarks (SPEC C12), each beside a baseline measured in the same run.

1. 100 concurrent SSH commands against a throw-away local sshd (goal <= 10 s): Perth's path —
   100 ``ssh`` jobs queued in a fresh store and run by the embedded pool (100 workers: lease,
   heartbeat, breaker, redacted output, settle) — against the same 100 commands sent straight
   through one asyncssh connection pool written here (10 connections x 10 channels).  The test
   server gives its sessions an empty home (``SetEnv HOME=``, ``PermitUserRC no``; see
   ``tests/ops/sshd.py``), so the operator's ``~/.bashrc`` (here a ``pyenv init``, ~0.2 s per
   command) is not part of what either side measures.
2. Embedded queue throughput: no-op jobs per second through the store's queue (4 workers), and
   the Celery figure beside it (the same no-op jobs through RabbitMQ and Redis, one worker process
   with 4 threads, a queue of its own).

Exits 1 when a goal is missed (``--no-gate`` to explore).
Run: ``.venv/bin/python bench/bench_ops.py [--commands N] [--jobs N] [--no-gate] [--results DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the throw-away sshd of the tests

from tests.ops.sshd import Sshd

from gate import start
from perth.config import load_settings
from perth.ops.executor import Pool
from perth.ops.service import JobSpec, submit, wait
from perth.paths import resolve_paths
from perth.runtime import Runtime

SSH_GOAL_S = 10.0


def runtime(home: Path, **ops: str) -> Runtime:
    environ = {**os.environ, "PERTH_HOME": str(home), **{f"PERTH_OPS__{k.upper()}": v for k, v in ops.items()}}
    return Runtime(load_settings(resolve_paths(environ), environ), environ=environ)


def perth_ssh(sshd: Sshd, home: Path, count: int) -> float:
    rt = runtime(home, poll_ms="20")
    options = {"identity": str(sshd.identity), "known_hosts": str(sshd.known_hosts)}
    ids = [submit(rt, JobSpec(kind="ssh", target=sshd.target, args=(f"echo job {n}",), options=options)).id
           for n in range(count)]
    started = time.perf_counter()
    Pool(rt.settings, concurrency=count, drain=True).run()
    elapsed = time.perf_counter() - started
    bad = [j for j in ids if (job := rt.store.jobs.get(j)) is None or job.status != "succeeded"]
    rt.close()
    if bad:
        raise SystemExit(f"{len(bad)} ssh job(s) did not succeed")
    return elapsed


async def _direct(sshd: Sshd, count: int, connections: int) -> None:
    import asyncssh

    conns = await asyncio.gather(*(asyncssh.connect(
        "127.0.0.1", sshd.port, username=sshd.user, client_keys=[str(sshd.identity)],
        known_hosts=str(sshd.known_hosts), config=None) for _ in range(connections)))
    try:
        results = await asyncio.gather(*(conns[n % connections].run(f"echo job {n}", check=True)
                                         for n in range(count)))
        assert all(r.stdout == f"job {n}\n" for n, r in enumerate(results))
    finally:
        for conn in conns:
            conn.close()


def direct_ssh(sshd: Sshd, count: int) -> float:
    started = time.perf_counter()
    asyncio.run(_direct(sshd, count, connections=max(1, count // sshd.max_sessions)))
    return time.perf_counter() - started


def embedded_throughput(home: Path, count: int) -> float:
    rt = runtime(home, poll_ms="10")
    for _ in range(count):
        submit(rt, JobSpec(kind="fake", args=()))
    started = time.perf_counter()
    stats = Pool(rt.settings, concurrency=4, drain=True).run()
    elapsed = time.perf_counter() - started
    rt.close()
    assert stats.succeeded == count, stats
    return count / elapsed


def celery_throughput(home: Path, count: int) -> float | str:
    queue = f"perth-bench-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "PERTH_HOME": str(home), "PERTH_OPS__CELERY_QUEUE": queue}
    worker = subprocess.Popen([sys.executable, "-m", "perth", "worker", "run", "--engine", "celery",
                               "--concurrency", "4"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rt = runtime(home, celery_queue=queue)
    try:
        time.sleep(3)
        started = time.perf_counter()
        jobs = [submit(rt, JobSpec(kind="fake", args=(), engine="celery")) for _ in range(count)]
        for job in jobs:
            if wait(rt, job, poll_s=0.01).status != "succeeded":
                return "a job failed"
        return count / (time.perf_counter() - started)
    finally:
        rt.close()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        from kombu import Connection

        with Connection("amqp://127.0.0.1:5672//") as conn:
            conn.default_channel.queue_delete(queue)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=500)
    args, gate = start("ops", parser)
    with tempfile.TemporaryDirectory(prefix="perth-bench-ops-") as folder:
        root = Path(folder)
        sshd = Sshd(root / "sshd").start()
        try:
            direct_ssh(sshd, 10)  # warm up sshd and the key exchange code
            baseline = direct_ssh(sshd, args.commands)
            perth = perth_ssh(sshd, root / "home-ssh", args.commands)
        finally:
            sshd.stop()
        embedded = embedded_throughput(root / "home-queue", args.jobs)
        celery = celery_throughput(root / "home-celery", min(args.jobs, 200))
    ok = perth <= SSH_GOAL_S
    print(f"{args.commands} concurrent SSH commands against a local sshd\n"
          f"  perth (queue + embedded pool): {perth:6.2f} s   goal <= {SSH_GOAL_S:g} s   "
          f"{'ok' if ok else 'MISSED'}\n"
          f"  one asyncssh pool (baseline):  {baseline:6.2f} s   ratio {perth / baseline:.2f}x")
    celery_text = f"{celery:8.1f} jobs/s" if isinstance(celery, float) else celery
    print(f"no-op job throughput\n  embedded queue (4 workers):   {embedded:8.1f} jobs/s\n"
          f"  celery (1 worker, 4 threads): {celery_text}")
    print()
    gate.check(f"{args.commands} concurrent SSH commands against a local sshd (queue + embedded pool)"
               f" <= {SSH_GOAL_S:g} s", f"{perth:.2f} s", f"one asyncssh pool {baseline:.2f} s",
               f"{perth / baseline:.2f}x", ok)
    gate.note(f"no-op job throughput: embedded queue (4 workers) {embedded:.1f} jobs/s;"
              f" celery (1 worker, 4 threads) {celery_text.strip()}")
    return gate.finish(args)


if __name__ == "__main__":
    sys.exit(main())
