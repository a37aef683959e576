"""Events benchmarks (SPEC C7), each a ratio against a baseline measured in the same run.

1. Delivery to RabbitMQ with publisher confirms (batch confirms): the dispatcher draining the
   outbox (read a batch, publish, await every confirm, move the cursor) against a bare aio-pika
   publisher with confirms sending the same bodies in the same batches. Goals: >= 5,000 events/s,
   and >= 0.8 of the bare publisher's rate. Alternating rounds, best of each (load elsewhere on the
   machine only slows a round down).
2. The outbox write inside `perth log`: `log_entry` with its event (build the envelope, redact the
   payload, insert the row, in the entry's transaction) against `log_entry` with the event call
   removed, in one process, interleaved; reported in ms and as a share of a whole `perth log`
   process (whose <= 3x `python -c pass` goal bench_core.py gates; its ratio is printed here too).

Run: `make bench-events` or `.venv/bin/python bench/bench_events.py [--events N] [--no-gate]`
(RabbitMQ on 127.0.0.1:5672, guest/guest; an exchange of its own, deleted afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from gate import Gate, start
from perth.config import load_settings
from perth.events.dispatch import drain
from perth.events.records import StoredEvent
from perth.events.transports.rabbitmq import CONTENT_TYPE, RabbitMQTransport
from perth.paths import resolve_paths
from perth.runtime import Runtime
from timing import wall_ms

URL = "amqp://guest:guest@127.0.0.1:5672/"


def runtime(home: Path, **env: str) -> Runtime:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    environ.update({"PERTH_HOME": str(home), "PERTH_PANE": "bench/events", **env})
    return Runtime(load_settings(resolve_paths(environ), environ), environ=environ, cwd=str(home))


def fill_outbox(rt: Runtime, count: int) -> list[StoredEvent]:
    """``count`` real intent events (the envelope `perth log` writes), in the outbox."""
    from perth.panes.entries import EntryDraft, log_entry

    for i in range(count):
        log_entry(rt, EntryDraft(summary=f"benchmark step {i}: measured the publisher against the bare client",
                                 tags=("bench",)), "bench/events")
    return [e for e in rt.store.outbox.after(0, count * 2) if e.type == "perth.intent.logged"]


async def bare_publish(bodies: list[tuple[str, bytes]], exchange_name: str, batch: int) -> float:
    """events/s of aio-pika alone: persistent messages, publisher confirms awaited per batch."""
    import aio_pika

    connection = await aio_pika.connect(URL)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
    started = time.perf_counter()
    for first in range(0, len(bodies), batch):
        await asyncio.gather(*[exchange.publish(
            aio_pika.Message(body, content_type=CONTENT_TYPE, message_id=key,
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key="perth.intent.logged", mandatory=False) for key, body in bodies[first:first + batch]])
    rate = len(bodies) / (time.perf_counter() - started)
    await connection.close()
    return rate


def perth_drain(rt: Runtime, exchange_name: str, batch: int, count: int) -> float:
    """events/s of the dispatcher draining ``count`` events from the outbox to RabbitMQ."""
    from perth.events.records import DeliveryCursor

    transport = RabbitMQTransport(URL, exchange_name)
    transport.publish(rt.store.outbox.after(0, 1))  # connect and declare outside the timing, like the bare one
    rt.store.outbox.put_cursor(DeliveryCursor(transport="rabbitmq"))
    started = time.perf_counter()
    [report] = drain(rt, [transport], batch_size=batch)
    rate = report.delivered / (time.perf_counter() - started)
    transport.close()
    assert report.delivered >= count, report
    assert report.stopped is None, report
    return rate


def delete_exchange(name: str) -> None:
    async def run() -> None:
        import aio_pika

        connection = await aio_pika.connect(URL)
        channel = await connection.channel()
        await channel.exchange_delete(name)
        await connection.close()

    asyncio.run(run())


def bench_rabbitmq(gate: Gate, workdir: Path, count: int, rounds: int, batch: int) -> None:
    rt = runtime(workdir / "rabbit-home")
    events = fill_outbox(rt, count)
    bodies = [(e.id, e.body.encode()) for e in events]
    exchange = f"perth.bench.{uuid.uuid4().hex[:10]}"
    perth_rates, bare_rates = [], []
    try:
        for _ in range(rounds):
            bare_rates.append(asyncio.run(bare_publish(bodies, exchange, batch)))
            perth_rates.append(perth_drain(rt, exchange, batch, count))
    finally:
        delete_exchange(exchange)
        rt.close()
    perth_best, bare_best = max(perth_rates), max(bare_rates)
    gate.note(f"{count:,} events of {statistics.mean(len(b) for _, b in bodies):.0f} bytes, batches of {batch},"
              f" best of {rounds} alternating rounds; every round: perth "
              + ", ".join(f"{r:,.0f}" for r in perth_rates) + "; bare " + ", ".join(f"{r:,.0f}" for r in bare_rates))
    gate.check("Events to RabbitMQ with publisher confirms >= 5,000 events/s", f"{perth_best:,.0f} events/s",
               f"bare aio-pika {bare_best:,.0f} events/s", f"{perth_best / 5000:.2f}x the goal", perth_best >= 5000)
    gate.check("Dispatcher >= 0.8 of a bare aio-pika publisher with confirms", f"{perth_best:,.0f} events/s",
               f"bare aio-pika {bare_best:,.0f} events/s", f"{perth_best / bare_best:.2f}x",
               perth_best / bare_best >= 0.8)


def _log_cost(rt: Runtime, runs: int) -> tuple[float, float]:
    """Median ms of log_entry with and without its event, interleaved in one process."""
    from perth.panes import entries
    from perth.panes.entries import EntryDraft, log_entry

    real = entries.emit
    with_event: list[float] = []
    without: list[float] = []
    draft = EntryDraft(summary="fixed the token refresh in auth.py")
    for i in range(runs):
        for skip in ((False, True) if i % 2 else (True, False)):
            entries.emit = (lambda *_a: None) if skip else real  # type: ignore[assignment]
            started = time.perf_counter()
            log_entry(rt, draft, "bench/events")
            (without if skip else with_event).append((time.perf_counter() - started) * 1000)
    entries.emit = real
    return statistics.median(with_event), statistics.median(without)


def import_ms(env: dict[str, str], samples: int = 7) -> float:
    """Median ms `perth log` spends importing the events modules and the outbox adapter (-X importtime)."""
    import subprocess

    totals = []
    for _ in range(samples):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "perth", "log", "import cost"], env=env,
                              capture_output=True, text=True, check=True)
        total = 0
        for line in done.stderr.splitlines():
            name = line.rsplit("|", 1)[-1].strip()
            if name in ("perth.events.emit", "perth.store.sql_outbox"):
                total += int(line.split("|")[1])
        totals.append(total / 1000)
    return statistics.median(totals)


def bench_log(gate: Gate, workdir: Path, runs: int) -> None:
    rt = runtime(workdir / "log-home")
    log_entry_warm = _log_cost(rt, 20)
    del log_entry_warm
    with_ms, without_ms = _log_cost(rt, runs)
    rt.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    env.update({"PERTH_HOME": str(workdir / "proc-home"), "PERTH_PANE": "bench/log"})
    script = Path(sys.executable).with_name("perth")
    perth = [str(script)] if script.exists() else [sys.executable, "-m", "perth"]
    log_ms, base_ms = [], []
    wall_ms([*perth, "log", "warm up"], env)
    for _ in range(max(10, runs // 10)):
        log_ms.append(wall_ms([*perth, "log", "benchmarking the outbox write"], env))
        base_ms.append(wall_ms([sys.executable, "-c", "pass"], env))
    log_p50, base_p50 = statistics.median(log_ms), statistics.median(base_ms)
    imports = import_ms(env)
    cost = with_ms - without_ms + imports
    gate.note(f"log_entry in process, median of {runs}: {with_ms:.3f} ms with its event, {without_ms:.3f} ms"
              f" without; importing the events modules and the outbox adapter {imports:.2f} ms; a whole"
              f" `perth log` process {log_p50:.1f} ms (p50), `python -c pass` {base_p50:.1f} ms"
              f" ({log_p50 / base_p50:.2f}x; bench_core.py gates <= 3x)")
    gate.check("Outbox write inside `perth log` (imports + envelope + row) under 10% of the command",
               f"{cost:.2f} ms",
               f"`perth log` {log_p50:.1f} ms", f"{cost / log_p50:.1%} of `perth log`", cost / log_p50 < 0.10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500, help="Events per confirm round (events.batch_size).")
    parser.add_argument("--runs", type=int, default=300, help="log_entry samples each way.")
    args, gate = start("events", parser)
    with tempfile.TemporaryDirectory(prefix="perth-bench-events-") as tmp:
        workdir = Path(tmp)
        print("RabbitMQ delivery ...", flush=True)
        bench_rabbitmq(gate, workdir, args.events, args.rounds, args.batch)
        print("outbox write in perth log ...", flush=True)
        bench_log(gate, workdir, args.runs)
    return gate.finish(args)


if __name__ == "__main__":
    sys.exit(main())
