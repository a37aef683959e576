"""Signed webhooks: HMAC over timestamp and body, the replay window, and what each status means."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import ConfigError
from perth.events import signing
from perth.events.consume import Deduplicator, WebhookReceiver
from perth.events.dispatch import drain
from perth.events.transports.webhook import WebhookTransport
from perth.runtime import Runtime


@given(st.binary(), st.integers(min_value=0, max_value=2**40), st.text(min_size=1))
def test_a_signature_verifies_and_any_change_breaks_it(body: bytes, ts: int, secret: str) -> None:
    sig = signing.signature(secret, ts, body)
    assert signing.verify(secret, str(ts), sig, body, now_s=ts, tolerance_s=300) is None
    assert signing.verify(secret, str(ts), sig, body + b"x", now_s=ts, tolerance_s=300) == "signature does not match"
    assert signing.verify(secret + "x", str(ts), sig, body, now_s=ts, tolerance_s=300) is not None
    assert signing.verify(secret, str(ts + 1), sig, body, now_s=ts, tolerance_s=300) == "signature does not match"
    assert "replay window" in str(signing.verify(secret, str(ts), sig, body, now_s=ts + 301, tolerance_s=300))


def post(port: int, body: bytes, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("POST", "/", body, headers)
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_receiver_refuses_forged_and_replayed_requests() -> None:
    receiver = WebhookReceiver("key", tolerance_s=60).open()
    try:
        body = b'{"id":"e1"}'
        now = int(time.time())
        assert post(receiver.port, body, signing.headers("key", now, "e1", body)) == 204
        assert post(receiver.port, body, signing.headers("other", now, "e1", body)) == 401
        assert post(receiver.port, body, signing.headers("key", now - 3600, "e1", body)) == 401
        assert post(receiver.port, body, {"Content-Type": "application/json"}) == 401
        assert receiver.receive(1.0) == [body]
        assert receiver.refused == ["signature does not match", "timestamp outside the 60 s replay window",
                                    "missing Perth-Timestamp or Perth-Signature"]
    finally:
        receiver.close()


@pytest.mark.parametrize(("status", "stopped", "dead"), [(503, "HTTP 503", 0), (429, "HTTP 429", 0),
                                                         (400, None, 1)])
def test_statuses_retry_or_dead_letter(status: int, stopped: str | None, dead: int,
                                       make_rt: Callable[..., Runtime]) -> None:
    from tests.events.test_dispatch import log

    receiver = WebhookReceiver("key", status=status).open()
    rt = make_rt(env={"PERTH_EVENTS__MAX_ATTEMPTS": "1", "PERTH_EVENTS__RETRIES": "0"})
    log(rt, 2)
    try:
        transport = WebhookTransport(f"http://127.0.0.1:{receiver.port}/in", "key")
        [report] = drain(rt, [transport], max_batches=1)
    finally:
        receiver.close()
    assert report.dead == dead
    assert (stopped in (report.stopped or "")) if stopped else report.stopped is None
    assert len(rt.store.outbox.dead("webhook")) == dead


def test_the_webhook_needs_a_secret_and_an_http_url() -> None:
    with pytest.raises(ConfigError, match="webhook_secret"):
        WebhookTransport("http://127.0.0.1:1/x", "")
    with pytest.raises(ConfigError, match="http"):
        WebhookTransport("ftp://example.com/x", "k")


def test_the_deduplicator_lets_each_id_through_once(rt: Runtime) -> None:
    from tests.events.test_dispatch import log

    log(rt, 3)
    bodies = [e.body for e in rt.store.outbox.after(0, 10)]
    dedup = Deduplicator(capacity=2)
    assert [dedup.accept(b) is not None for b in bodies + bodies[1:]] == [True, True, True, False, False]
    assert dedup.duplicates == 2
    assert dedup.accept(bodies[0]) is not None  # forgotten: beyond the capacity
