"""Every transport against its real broker on 127.0.0.1: what a consumer reads is byte for byte what
Perth stored, in order, and every envelope parses with the CloudEvents SDK and matches its schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from perth.events.dispatch import flush
from perth.events.emit import emit
from perth.runtime import Runtime
from tests.events.brokers import BROKERS, drain_consumer, require
from tests.events.conftest import check_event

pytestmark = pytest.mark.integration


def emit_some(rt: Runtime, n: int) -> list[str]:
    from perth.panes.entries import EntryDraft, log_entry
    from perth.panes.service import PaneSpec, create_pane

    create_pane(rt, PaneSpec(name="work"))
    for i in range(n):
        log_entry(rt, EntryDraft(summary=f"step {i} \u00e9\u4e2d \"quoted\" \\ back\nslash"), "work")
    return [e.body for e in rt.store.outbox.after(0, 10_000)]


@pytest.mark.parametrize("transport", sorted(BROKERS))
def test_a_consumer_reads_exactly_what_was_stored(transport: str, make_rt: Callable[..., Runtime]) -> None:
    require(transport)
    broker = BROKERS[transport]()
    rt = make_rt(env={**broker.env, "PERTH_EVENTS__TRANSPORTS": transport})
    consumer = broker.consumer()
    try:
        bodies = emit_some(rt, 25)
        [report] = flush(rt)
        assert (report.transport, report.delivered, report.dead, report.stopped) == (transport, 26, 0, None)
        got = drain_consumer(consumer, len(bodies))
    finally:
        consumer.close()
    assert got == [b.encode() for b in bodies]
    for body in got:
        check_event(body)
    assert [json.loads(b)["type"] for b in got][:2] == ["perth.pane.created", "perth.intent.logged"]


@pytest.mark.parametrize("transport", sorted(BROKERS))
def test_an_unreachable_broker_keeps_events_waiting(transport: str, make_rt: Callable[..., Runtime]) -> None:
    from tests.events.outage import free_port

    broker = BROKERS[transport](port=free_port())
    rt = make_rt(env={**broker.env, "PERTH_EVENTS__TRANSPORTS": transport, "PERTH_EVENTS__RETRIES": "0",
                      "PERTH_EVENTS__TIMEOUT_S": "2"})
    emit(rt, "perth.pane.created", _pane())
    [report] = flush(rt)
    assert report.delivered == 0 and report.stopped and "unreachable" in report.stopped
    cursor = rt.store.outbox.cursor(transport)
    assert (cursor.delivered_seq, cursor.attempts) == (0, 1) and cursor.next_at > 0
    assert rt.store.outbox.dead() == []
    broker.consumer().close()


def _pane() -> object:
    from perth.records import Pane

    return Pane(id="p1", name="n", created_at=1, last_seen_at=1)


def test_redis_trims_the_stream_to_about_maxlen(make_rt: Callable[..., Runtime]) -> None:
    import redis

    require("redis")
    broker = BROKERS["redis"]()
    rt = make_rt(env={**broker.env, "PERTH_EVENTS__TRANSPORTS": "redis", "PERTH_EVENTS__REDIS_MAXLEN": "10"})
    for _ in range(600):
        emit(rt, "perth.pane.created", _pane())
    assert flush(rt)[0].delivered == 600
    client = redis.Redis(host="127.0.0.1", port=6379)
    stream = broker.env["PERTH_EVENTS__REDIS_STREAM"]
    try:
        assert 10 <= client.xlen(stream) < 600
    finally:
        client.delete(stream)
        client.close()


def test_rabbitmq_over_tls_checks_the_broker_certificate(tmp_path: Path, make_rt: Callable[..., Runtime]) -> None:
    """amqps:// with events.rabbitmq_tls_ca, through a TLS front of our own to the shared broker."""
    import ssl
    import subprocess

    from tests.events.outage import CuttableProxy

    require("rabbitmq")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    front = CuttableProxy(5672, tls=server)
    broker = BROKERS["rabbitmq"]()
    env = {**broker.env, "PERTH_EVENTS__TRANSPORTS": "rabbitmq", "PERTH_EVENTS__RETRIES": "0",
           "PERTH_EVENTS__RABBITMQ_URL": f"amqps://guest:guest@127.0.0.1:{front.port}/"}
    consumer = broker.consumer()
    try:
        untrusted = make_rt(env=env)  # the system CAs do not know our certificate: refused
        emit(untrusted, "perth.pane.created", _pane())
        [refused] = flush(untrusted)
        assert refused.delivered == 0 and refused.stopped and "unreachable" in refused.stopped
        trusted = make_rt(env={**env, "PERTH_EVENTS__RABBITMQ_TLS_CA": str(cert),
                               "PERTH_HOME": str(tmp_path / "trusted-home")})
        emit(trusted, "perth.pane.created", _pane())
        [report] = flush(trusted)
        assert (report.delivered, report.stopped) == (1, None)
        got = drain_consumer(consumer, 1)
    finally:
        consumer.close()
        front.close()
    assert got == [e.body.encode() for e in trusted.store.outbox.after(0, 10)]
