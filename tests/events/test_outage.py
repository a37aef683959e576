"""Outages and crashes lose nothing: a proxy of our own between Perth and each broker is cut
mid-stream and restored (the shared broker keeps running), and a dispatcher is killed with
SIGKILL mid-batch.  Every event arrives at least once; de-duplicated by id, exactly the sent set."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from perth.events.dispatch import drain
from perth.events.transports import open_transport
from perth.runtime import Runtime
from tests.events.brokers import BROKERS, PORTS, Consumer, require
from tests.events.outage import CuttableProxy
from tests.events.test_dispatch import log

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FAST_RECOVERY = {"PERTH_EVENTS__RETRIES": "1", "PERTH_EVENTS__BACKOFF_MS": "50", "PERTH_EVENTS__BACKOFF_MAX_MS": "300",
                 "PERTH_EVENTS__BREAKER_THRESHOLD": "3", "PERTH_EVENTS__BREAKER_COOLDOWN_S": "1",
                 "PERTH_EVENTS__TIMEOUT_S": "3", "PERTH_EVENTS__BATCH_SIZE": "50"}


def collect(consumer: Consumer, wanted: set[str], wait_s: float = 30.0) -> list[str]:
    """Every id received (duplicates kept) until all of ``wanted`` arrived or time is up."""
    got: list[str] = []
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and not wanted <= set(got):
        got.extend(json.loads(body)["id"] for body in consumer.receive(0.5))
    return got


def drain_until_done(rt: Runtime, name: str, transport: object, wait_s: float = 60.0) -> None:
    deadline = time.monotonic() + wait_s
    while rt.store.outbox.cursor(name).delivered_seq < rt.store.outbox.stats().last_seq:
        assert time.monotonic() < deadline, rt.store.outbox.cursor(name)
        drain(rt, [transport])  # type: ignore[list-item]
        time.sleep(0.05)


@pytest.mark.parametrize("name", sorted(BROKERS))
def test_a_cut_mid_stream_loses_nothing(name: str, make_rt: Callable[..., Runtime]) -> None:
    require(name)
    direct = BROKERS[name]()
    proxy = CuttableProxy(direct.upstream or PORTS[name])
    broker = BROKERS[name](port=proxy.port) if name != "webhook" else direct
    env = {**broker.env, **FAST_RECOVERY, "PERTH_EVENTS__TRANSPORTS": name}
    if name == "webhook":
        env["PERTH_EVENTS__WEBHOOK_URL"] = f"http://127.0.0.1:{proxy.port}/hooks/perth"
    else:
        env.update({k: v for k, v in direct.env.items() if not k.endswith("_URL")})  # same names, both sides
    rt = make_rt(env=env)
    consumer = direct.consumer()
    transport = open_transport(name, rt.settings)
    failures: list[str] = []
    streaming = threading.Event()

    def outage() -> None:
        """Cut once events flow (at a random instant, often mid-publish); restore once Perth noticed."""
        streaming.wait(30)
        time.sleep(random.uniform(0.0, 0.05))
        proxy.cut()
        cut_at = time.monotonic()
        while time.monotonic() - cut_at < 1.5 or (not failures and time.monotonic() - cut_at < 20):
            time.sleep(0.05)
        proxy.restore()

    cutter = threading.Thread(target=outage)
    try:
        cutter.start()
        sent: list[str] = []
        while cutter.is_alive():
            sent += log(rt, 20)
            [report] = drain(rt, [transport])
            if report.delivered:
                streaming.set()
            if report.stopped:
                failures.append(report.stopped)
            time.sleep(0.02)
        sent += log(rt, 20)  # and some after the restore
        drain_until_done(rt, name, transport)
        got = collect(consumer, set(sent))
    finally:
        streaming.set()
        cutter.join()
        transport.close()
        consumer.close()
        proxy.close()
    assert failures, "the cut was never noticed: the test proved nothing"
    assert set(got) == set(sent) and len(got) >= len(sent)
    assert rt.store.outbox.dead() == []
    assert proxy.connections >= 2  # it reconnected after the restore


@pytest.mark.parametrize("name", ["rabbitmq", "redis"])
def test_kill_9_of_the_dispatcher_mid_batch_loses_nothing(name: str, make_rt: Callable[..., Runtime],
                                                          perth_home: Path) -> None:
    require(name)
    broker = BROKERS[name]()
    env = {**broker.env, "PERTH_EVENTS__TRANSPORTS": name, "PERTH_EVENTS__BATCH_SIZE": "100"}
    rt = make_rt(env=env)
    sent = log(rt, 10_000)
    consumer = broker.consumer()
    proc_env = {**os.environ, **env, "PERTH_HOME": str(perth_home)}
    try:
        flusher = subprocess.Popen([sys.executable, "-m", "perth", "events", "flush"], env=proc_env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while rt.store.outbox.cursor(name).delivered_seq < 1000 and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(flusher.pid, signal.SIGKILL)
        flusher.wait(10)
        assert flusher.returncode == -signal.SIGKILL
        delivered = rt.store.outbox.cursor(name).delivered_seq
        assert 0 < delivered < rt.store.outbox.stats().last_seq, "killed too late to prove anything"
        first = collect(consumer, set(sent[:delivered]))
        again = subprocess.run([sys.executable, "-m", "perth", "events", "flush"], env=proc_env, capture_output=True,
                               text=True, check=False)
        assert again.returncode == 0, again.stderr
        got = first + collect(consumer, set(sent) - set(first))
    finally:
        consumer.close()
    assert set(got) == set(sent)
    assert rt.store.outbox.cursor(name).delivered_seq == rt.store.outbox.stats().last_seq
