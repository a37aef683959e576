"""``perth events``: pinned JSON contracts, flush/replay/dead letters/consume through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.events.brokers import BROKERS, drain_consumer, require
from tests.events.conftest import check_event

CONTRACTS: dict[str, set[str]] = {
    "perth.events.status.v1": {"schema", "outbox", "dead", "transports"},
    "perth.events.tail.v1": {"schema", "count", "events"},
    "perth.events.flush.v1": {"schema", "action", "transports"},
    "perth.events.replay.v1": {"schema", "action", "transports"},
    "perth.events.dlq.v1": {"schema", "count", "dead_letters"},
    "perth.events.dlq_change.v1": {"schema", "action", "count", "changed", "failed"},
}
TRANSPORT_KEYS = {"name", "breaker", "backlog", "delivered_seq", "attempts", "next_attempt", "last_error",
                  "oldest_pending", "dead"}
LETTER_KEYS = {"transport", "id", "type", "time", "attempts", "error", "dead_at"}


def doc(cli: Callable[..., Any], *args: str, code: int = 0) -> dict[str, Any]:
    result = cli("events", *args, "--format", "json")
    assert result.code == code, result.err
    document: dict[str, Any] = json.loads(result.out)
    assert set(document) == CONTRACTS[document["schema"]], document["schema"]
    return document


def test_contracts_and_a_dead_letter_round_trip(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from perth.events.consume import WebhookReceiver

    receiver = WebhookReceiver("k", status=422).open()
    monkeypatch.setenv("PERTH_EVENTS__TRANSPORTS", "webhook")
    monkeypatch.setenv("PERTH_EVENTS__WEBHOOK_URL", f"http://127.0.0.1:{receiver.port}/in")
    monkeypatch.setenv("PERTH_EVENTS__WEBHOOK_SECRET", "k")
    monkeypatch.setenv("PERTH_EVENTS__MAX_ATTEMPTS", "1")
    try:
        assert cli("log", "first", "--pane", "p").code == 0
        tail = doc(cli, "tail", "--type", "perth.intent.logged")
        assert tail["count"] == 1 and set(tail["events"][0]) == {"seq", "event"}
        check_event(json.dumps(tail["events"][0]["event"]))
        flushed = doc(cli, "flush")  # the receiver refuses (422): both events dead-lettered
        assert flushed["transports"] == [{"name": "webhook", "delivered": 0, "dead": 2, "stopped": None}]
        status = doc(cli, "status")
        assert set(status["transports"][0]) == TRANSPORT_KEYS and status["transports"][0]["backlog"] == 0
        dlq = doc(cli, "dlq", "list")
        assert dlq["count"] == 2 and set(dlq["dead_letters"][0]) == LETTER_KEYS
        failed = doc(cli, "dlq", "retry", code=4)
        assert failed["count"] == 0 and len(failed["failed"]) == 2
        receiver.status = 204
        retried = doc(cli, "dlq", "retry", dlq["dead_letters"][0]["id"][-8:])
        assert retried["count"] == 1 and len(receiver.receive(2.0)) == 1
        dropped = doc(cli, "dlq", "drop")
        assert dropped["count"] == 1 and doc(cli, "dlq", "list")["count"] == 0
        replayed = doc(cli, "replay", "--since", "1h", "--type", "perth.intent.logged")
        assert replayed["transports"] == [{"name": "webhook", "delivered": 1, "dead": 0, "stopped": None}]
        assert [json.loads(b)["type"] for b in receiver.receive(2.0)] == ["perth.intent.logged"]
    finally:
        receiver.close()


def test_bad_input_is_one_line_with_a_fix(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli("events", "tail", "--type", "perth.nope")
    assert result.code == 1 and result.err.startswith("perth: error: unknown event type")
    assert cli("events", "flush").err.startswith("perth: error: no events transport is configured")
    monkeypatch.setenv("PERTH_EVENTS__TRANSPORTS", "kafka")
    assert "unknown transport(s): kafka" in cli("events", "status").err
    assert cli("events", "dlq", "drop", "nope").code == 3


def test_config_show_masks_broker_passwords_and_the_webhook_secret(cli: Callable[..., Any],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERTH_EVENTS__RABBITMQ_URL", "amqp://perth:Hunter2Hunter2Pw@mq.example:5672/")
    monkeypatch.setenv("PERTH_EVENTS__WEBHOOK_SECRET", "whsec-0123456789abcdef")
    shown = cli("config", "show").out
    assert "Hunter2Hunter2Pw" not in shown and "whsec-0123456789abcdef" not in shown
    assert "mq.example" in shown


@pytest.mark.integration
@pytest.mark.parametrize("transport", sorted(BROKERS))
def test_consume_prints_what_the_broker_delivers(transport: str, perth_home: Path) -> None:
    require(transport)
    broker = BROKERS[transport]()
    env = {"PERTH_HOME": str(perth_home), "PATH": "/usr/bin:/bin", "PERTH_PANE": "cli",
           "PERTH_EVENTS__TRANSPORTS": transport, **broker.env}
    perth = [sys.executable, "-m", "perth"]
    listen = []
    if transport == "webhook":
        from tests.events.outage import free_port

        port = free_port()
        env["PERTH_EVENTS__WEBHOOK_URL"] = f"http://127.0.0.1:{port}/in"
        listen = ["--listen", f"127.0.0.1:{port}"]
    consumer = subprocess.Popen([*perth, "events", "consume", "--transport", transport, "--count", "2", *listen],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # let it bind its queue / subscription / listener
        assert subprocess.run([*perth, "log", "consumed"], env=env, check=False).returncode == 0
        deadline = time.monotonic() + 30
        while True:
            flushed = subprocess.run([*perth, "events", "flush"], env=env, capture_output=True, text=True,
                                     check=False)
            if flushed.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        out, err = consumer.communicate(timeout=30)
    finally:
        consumer.kill()
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert consumer.returncode == 0, err
    lines = out.splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["perth.pane.created", "perth.intent.logged"]
    for line in lines:
        check_event(line)


def test_a_missing_client_library_is_exit_4_naming_the_extra(cli: Callable[..., Any],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("aio_pika", "nats", "paho.mqtt.client", "redis"):
        monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    for transport in ("rabbitmq", "nats", "mqtt", "redis"):
        monkeypatch.setenv("PERTH_EVENTS__TRANSPORTS", transport)
        assert cli("log", "x", "--pane", "p").code == 0  # emitting never needs a client library
        result = cli("events", "flush")
        assert result.code == 4, result.err
        assert result.err.startswith(f"perth: error: the {transport} events transport needs")
        assert "pip install 'perth[brokers]'" in result.err and "Traceback" not in result.err


@pytest.mark.integration
def test_perth_daemon_delivers_events(perth_home: Path) -> None:
    require("redis")
    broker = BROKERS["redis"]()
    env = {**os.environ, "PERTH_HOME": str(perth_home), "PERTH_PANE": "daemon", "PERTH_EVENTS__TRANSPORTS": "redis",
           "PERTH_EVENTS__FLUSH_INTERVAL_S": "1", **broker.env}
    perth = [sys.executable, "-m", "perth"]
    consumer = broker.consumer()
    daemon = subprocess.Popen([*perth, "daemon"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        assert subprocess.run([*perth, "log", "while the daemon runs"], env=env, check=False).returncode == 0
        got = drain_consumer(consumer, 2, wait_s=20)
    finally:
        daemon.send_signal(signal.SIGTERM)
        out = daemon.communicate(timeout=20)[0]
        consumer.close()
    assert [json.loads(b)["type"] for b in got] == ["perth.pane.created", "perth.intent.logged"], out
    assert "events redis: 2 delivered" in out


def test_tail_follow_prints_new_events_as_json_lines(perth_home: Path) -> None:
    env = {**os.environ, "PERTH_HOME": str(perth_home), "PERTH_PANE": "follow"}
    perth = [sys.executable, "-m", "perth"]
    assert subprocess.run([*perth, "log", "before"], env=env, check=False).returncode == 0
    follower = subprocess.Popen([*perth, "events", "tail", "--follow", "--format", "json", "-n", "1"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert follower.stdout is not None
        first = json.loads(_read_document(follower.stdout))
        assert first["schema"] == "perth.events.tail.v1" and first["count"] == 1
        assert subprocess.run([*perth, "log", "after"], env=env, check=False).returncode == 0
        line = json.loads(follower.stdout.readline())
        assert line["event"]["type"] == "perth.intent.logged" and line["event"]["data"]["summary"] == "after"
    finally:
        follower.kill()
        follower.communicate(timeout=10)


def _read_document(stream: Any) -> str:
    """The first JSON document (pretty-printed over several lines) of a stream."""
    lines = []
    while not lines or lines[-1] != "}\n":
        lines.append(stream.readline())
    return "".join(lines)
