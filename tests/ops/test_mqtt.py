"""MQTT jobs against the local Mosquitto (unique topics per run): publish QoS 0/1 and retained,
subscribe for N messages or a time, the last will of a killed job; a broker that is down and one
refusing the credentials (a throw-away Mosquitto with a password file); the fake broker."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.ops.executor import Pool
from perth.ops.model import Job, JobQuery
from perth.ops.mqtt import FakeBroker, MqttWorker
from perth.ops.service import JobSpec, find, submit, wait
from perth.runtime import Runtime
from tests.ops.sshd import free_port
from tests.ops.test_pty import _IO

BROKER = "mqtt://127.0.0.1:1883"


@pytest.fixture
def topic() -> str:
    return f"perth-test/{uuid.uuid4().hex}"


def mqtt(rt: Runtime, *args: str, target: str = BROKER, **options: object) -> str:
    attempts = int(options.pop("max_attempts", 3))  # type: ignore[call-overload]
    return submit(rt, JobSpec(kind="mqtt", target=target, args=args, options=options, max_attempts=attempts)).id


def _listen(topic: str) -> tuple[object, queue.Queue[str]]:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    got: queue.Queue[str] = queue.Queue()
    client = paho.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: got.put(m.payload.decode())
    ready: queue.Queue[int] = queue.Queue()
    client.on_subscribe = lambda *_a: ready.put(1)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    client.subscribe(topic, qos=1)
    ready.get(timeout=5)
    return client, got


def test_a_retained_qos1_message_reaches_a_later_subscriber(rt: Runtime, topic: str) -> None:
    published = wait(rt, find(rt, mqtt(rt, "publish", topic, "build 42 green", qos=1, retain=True)))
    assert (published.status, published.result) == ("succeeded", {"published": 1})
    got = wait(rt, find(rt, mqtt(rt, "subscribe", topic, count=1, seconds=10)))
    assert (got.status, got.output, got.result) == ("succeeded", f"{topic}\tbuild 42 green\n", {"received": 1})
    wait(rt, find(rt, mqtt(rt, "publish", topic, "", retain=True)))  # clear the retained message


def test_a_subscriber_collects_n_messages(rt: Runtime, topic: str) -> None:
    job_id = mqtt(rt, "subscribe", f"{topic}/#", count=3, seconds=20)
    pool = Pool(rt.settings, concurrency=1, drain=True).start()
    while find(rt, job_id).status != "running":
        time.sleep(0.02)
    time.sleep(0.5)
    for n in range(4):
        wait(rt, find(rt, mqtt(rt, "publish", f"{topic}/{n}", f"m{n}", qos=n % 2)))
    pool.join()
    job = find(rt, job_id)
    assert job.status == "succeeded" and job.result == {"received": 3}
    assert job.output.splitlines() == [f"{topic}/{n}\tm{n}" for n in range(3)]


def test_a_subscriber_for_a_time_ends_empty_handed(rt: Runtime, topic: str) -> None:
    started = time.monotonic()
    job = wait(rt, find(rt, mqtt(rt, "subscribe", topic, seconds=0.5)))
    assert (job.status, job.result, job.output) == ("succeeded", {"received": 0}, "")
    assert time.monotonic() - started < 5


def test_the_last_will_is_published_when_the_job_dies(rt: Runtime, topic: str) -> None:
    listener, got = _listen(f"{topic}/will")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "perth", "job", "run", "mqtt", "--target", BROKER,
                                 "--will-topic", f"{topic}/will", "--will-message", "worker lost", "--seconds", "60",
                                 "--wait", "--", "subscribe", f"{topic}/in"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not any(log.text.startswith("attempt 1/") for job in rt.store.jobs.query(JobQuery())
                      for log in rt.store.job_logs.read(job.id)) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # connected and subscribed
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert got.get(timeout=10) == "worker lost"
    finally:
        listener.disconnect()  # type: ignore[attr-defined]
        listener.loop_stop()  # type: ignore[attr-defined]


def test_a_broker_that_is_down_is_retried_then_dead_lettered(rt: Runtime, topic: str) -> None:
    job = wait(rt, find(rt, mqtt(rt, "publish", topic, "x", target=f"mqtt://127.0.0.1:{free_port()}",
                                 max_attempts=2)))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 2, "transient")


@pytest.fixture
def locked_broker(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    passwords = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), "perth", "right-one"], check=True,
                   capture_output=True)
    config = tmp_path / "mosquitto.conf"
    run_as = "user root\n" if os.geteuid() == 0 else ""  # as root, mosquitto would switch to a user who cannot read tmp
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\n"
                      f"persistence false\n{run_as}")
    proc = subprocess.Popen(["mosquitto", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_refused_credentials_are_never_retried(rt: Runtime, locked_broker: int, topic: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MQTT_PASSWORD", "wrong-one")
    target = f"mqtt://perth@127.0.0.1:{locked_broker}"
    job = wait(rt, find(rt, mqtt(rt, "publish", topic, "x", target=target, password_env="MQTT_PASSWORD")))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 1, "rejected")
    monkeypatch.setenv("MQTT_PASSWORD", "right-one")
    ok = wait(rt, find(rt, mqtt(rt, "publish", topic, "x", target=target, password_env="MQTT_PASSWORD")))
    assert ok.status == "succeeded"


def test_the_worker_on_the_fake_broker() -> None:
    broker = FakeBroker()
    worker = MqttWorker(broker)
    worker.run(Job(id="j", kind="mqtt", target="h", args=("publish", "t", "v"), options={"retain": True, "qos": 1}),
               _IO())  # type: ignore[arg-type]
    io = _IO()
    result = worker.run(Job(id="j", kind="mqtt", target="h", args=("subscribe", "t"), options={"count": 1}),
                        io)  # type: ignore[arg-type]
    assert (broker.published, result.result, io.output.close()) == ([("t", "v", 1, True)], {"received": 1}, "t\tv\n")
    from perth.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="--count"):
        worker.check(Job(id="j", kind="mqtt", target="h", args=("subscribe", "t")))
    assert os.environ.get("MQTT_PASSWORD") is None
