"""The HTTP transport: real HTTP on 127.0.0.1 (timeouts, deadlines, failures), status mapping, Retry-After."""

from __future__ import annotations

import contextlib
import email.utils
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import InvalidInputError, ProviderRejectedError, TransientError, UnavailableError
from perth.resilience.policy import Timeouts
from perth.summarize.providers.http import (
    EXCERPT_CHARS,
    MAX_RETRY_AFTER_S,
    Address,
    Endpoint,
    FakeTransport,
    HttpClientTransport,
    HttpReply,
    check_status,
    error_excerpt,
    json_reply,
    parse_retry_after,
)
from tests.summarize.fake_provider import (
    FakeProviderServer,
    answer,
    drop,
    hang,
    malformed,
    slow_body,
    slow_headers,
    status,
)

FAST = Timeouts(connect_s=0.5, read_s=0.4, total_s=1.0)
ENDPOINT = Endpoint(provider="anthropic", url_setting="llm.anthropic_base_url", model_setting="llm.anthropic_model",
                    key_setting="llm.anthropic_api_key", key_env="ANTHROPIC_API_KEY")
NOW = 1_700_000_000.0


@pytest.fixture
def server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(default=status(500)) as running:
        yield running


def post(url: str, timeouts: Timeouts = FAST, transport: HttpClientTransport | None = None) -> HttpReply:
    return (transport or HttpClientTransport()).post(url, {"Content-Type": "application/json", "X-Test": "1"},
                                                     b'{"model": "m"}', timeouts)


def timed_failure(url: str, timeouts: Timeouts = FAST) -> tuple[TransientError, float]:
    started = time.monotonic()
    with pytest.raises(TransientError) as caught:
        post(url, timeouts)
    return caught.value, time.monotonic() - started


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- real HTTP


def test_a_reply_carries_status_lowercased_headers_body_and_time(server: FakeProviderServer) -> None:
    server.script(answer("hello"))
    reply = post(server.url + "/v1/messages")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert all(name == name.lower() for name in reply.headers)
    assert b'"text": "hello"' in reply.body
    assert reply.elapsed_ms >= 0
    request = server.requests[0]
    assert request.path == "/v1/messages"
    assert request.headers["x-test"] == "1"
    assert request.body == {"model": "m"}


def test_error_statuses_come_back_as_replies_with_retry_after(server: FakeProviderServer) -> None:
    server.script(status(429, retry_after=3), status(503))
    first, second = post(server.url + "/v1/messages"), post(server.url + "/v1/messages")
    assert (first.status, first.headers["retry-after"]) == (429, "3")
    assert second.status == 503 and "retry-after" not in second.headers


def test_a_server_that_never_answers_is_cut_off_at_the_read_timeout(server: FakeProviderServer) -> None:
    server.script(hang(10))
    error, elapsed = timed_failure(server.url + "/v1/messages", Timeouts(connect_s=0.5, read_s=0.3, total_s=5))
    assert "did not answer within 0.3 s" in error.message
    assert "llm.read_timeout_s" in error.fix
    assert 0.25 <= elapsed < 2.0


def test_a_dripping_body_is_cut_off_at_the_total_deadline(server: FakeProviderServer) -> None:
    server.script(slow_body(8))  # a byte every few tens of ms: no single read ever times out
    error, elapsed = timed_failure(server.url + "/v1/messages", Timeouts(connect_s=0.5, read_s=0.5, total_s=1.0))
    assert "did not finish answering within 1 s" in error.message
    assert "llm.total_timeout_s" in error.fix
    assert 0.9 <= elapsed < 2.5


def test_dripping_headers_are_cut_off_at_the_total_deadline(server: FakeProviderServer) -> None:
    server.script(slow_headers(8))
    error, elapsed = timed_failure(server.url + "/v1/messages", Timeouts(connect_s=0.5, read_s=0.5, total_s=1.0))
    assert "did not finish answering within 1 s" in error.message
    assert elapsed < 2.5


def test_a_refused_connection_is_transient() -> None:
    error, elapsed = timed_failure(f"http://127.0.0.1:{closed_port()}/v1/messages")
    assert "refused the connection" in error.message
    assert elapsed < 2.0


def test_a_full_listen_queue_hits_the_connect_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            time.sleep(0.1)
            error, elapsed = timed_failure(f"http://127.0.0.1:{port}/x", Timeouts(connect_s=0.3, read_s=5, total_s=5))
        finally:
            for filler in fillers:
                filler.close()
    assert "did not accept a connection within 0.3 s" in error.message
    assert elapsed < 2.0


def test_a_dropped_connection_is_transient(server: FakeProviderServer) -> None:
    server.script(drop())
    error, _elapsed = timed_failure(server.url + "/v1/messages")
    assert "closed the connection" in error.message


def test_https_against_a_plain_http_server_fails_cleanly(server: FakeProviderServer) -> None:
    error, _elapsed = timed_failure(f"https://127.0.0.1:{server.port}/v1/messages")
    assert f"127.0.0.1:{server.port}" in error.message


# --- name resolution


def resolving_to(*addresses: tuple[str, int]) -> HttpClientTransport:
    """A transport whose resolver answers ``addresses`` for every name."""
    return HttpClientTransport(resolve=lambda host, port: [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, address) for address in addresses])


def test_a_resolver_that_never_answers_is_cut_off_at_the_connect_timeout() -> None:
    release = threading.Event()

    def stuck(host: str, port: int) -> list[Address]:
        release.wait(30)
        return []

    started = time.monotonic()
    try:
        with pytest.raises(TransientError) as caught:
            post("http://llm.internal.test/v1/messages", Timeouts(connect_s=0.3, read_s=5, total_s=5),
                 transport=HttpClientTransport(resolve=stuck))
    finally:
        release.set()
    assert "cannot resolve the provider host llm.internal.test within 0.3 s" in caught.value.message
    assert "llm.connect_timeout_s" in caught.value.fix
    assert time.monotonic() - started < 2.0


def test_a_name_that_does_not_resolve_is_transient() -> None:
    def unknown(host: str, port: int) -> list[Address]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(TransientError, match=r"cannot resolve the provider host nowhere\.test"):
        post("http://nowhere.test/v1/messages", transport=HttpClientTransport(resolve=unknown))
    with pytest.raises(TransientError, match=r"cannot resolve the provider host empty\.test"):
        post("http://empty.test/v1/messages", transport=HttpClientTransport(resolve=lambda host, port: []))


def test_every_resolved_address_is_tried_in_turn_and_the_name_stays_the_host(server: FakeProviderServer) -> None:
    server.script(answer("hello"))
    dead = ("127.0.0.1", closed_port())
    reply = post(f"http://llm.internal.test:{server.port}/v1/messages",
                 transport=resolving_to(dead, ("127.0.0.1", server.port)))
    assert reply.status == 200
    assert server.requests[0].headers["host"] == f"llm.internal.test:{server.port}"
    error, _elapsed = timed_failure(f"http://127.0.0.1:{dead[1]}/v1/messages")
    assert "refused the connection" in error.message  # when every address fails, the last failure is told


def test_the_system_resolver_finds_localhost(server: FakeProviderServer) -> None:
    server.script(answer("hello"))
    assert post(f"http://localhost:{server.port}/v1/messages").status == 200


def test_https_checks_the_certificate_against_the_name_not_the_address(certificate: tuple[str, str]) -> None:
    cert, key = certificate
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=cert)
    transport = HttpClientTransport(ssl_context=trusting)
    with FakeProviderServer(default=answer("over tls"), tls=serving) as tls_server:
        reply = post(f"https://localhost:{tls_server.port}/v1/messages", transport=transport)
        assert reply.status == 200 and b"over tls" in reply.body
        with pytest.raises(UnavailableError) as caught:  # the certificate names localhost, not 127.0.0.1
            post(f"https://127.0.0.1:{tls_server.port}/v1/messages", transport=transport)
        assert "could not be verified" in caught.value.message
        with pytest.raises(UnavailableError):  # and a stranger's certificate is refused
            post(f"https://localhost:{tls_server.port}/v1/messages")


def test_a_reply_over_the_size_cap_is_refused(server: FakeProviderServer) -> None:
    server.script(answer("x" * 5000))
    with pytest.raises(UnavailableError) as caught:
        post(server.url + "/v1/messages", transport=HttpClientTransport(max_reply_bytes=1000))
    assert not isinstance(caught.value, TransientError)
    assert "larger than 1000 bytes" in caught.value.message


def test_a_non_json_body_is_returned_as_it_came(server: FakeProviderServer) -> None:
    server.script(malformed("not-json"), malformed("html"))
    assert post(server.url + "/v1/messages").body.startswith(b"The model is warming up")
    assert post(server.url + "/v1/messages").body.startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("url", ["ftp://example.invalid/x", "not a url", "http://", "http://127.0.0.1:99999/x"])
def test_an_invalid_url_is_an_input_error(url: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid provider URL"):
        post(url)


def raw_server(reply: bytes) -> tuple[socket.socket, threading.Thread]:
    """A one-shot server that reads the request and sends ``reply`` verbatim, then closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while not data.endswith(b"}"):  # the whole request: closing with unread bytes would reset
                data += conn.recv(4096)
            conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello world",  # no length: read until close
])
def test_chunked_and_unsized_bodies_are_read_whole(reply: bytes) -> None:
    listener, thread = raw_server(reply)
    with listener:
        got = post(f"http://127.0.0.1:{listener.getsockname()[1]}/x")
        thread.join(5)
    assert got.body == b"hello world"
    assert got.headers["x-a"] == "1, 2"


# --- status mapping


@pytest.mark.parametrize("code", [408, 500, 502, 503, 504, 529])
def test_server_errors_are_transient(code: int) -> None:
    with pytest.raises(TransientError) as caught:
        check_status(HttpReply(status=code, body=b'{"error": "overloaded"}'), ENDPOINT)
    assert f"HTTP {code}" in caught.value.message and "overloaded" in caught.value.message
    assert caught.value.retry_after_s is None


def test_429_carries_retry_after() -> None:
    with pytest.raises(TransientError) as caught:
        check_status(HttpReply(status=429, headers={"retry-after": "7"}), ENDPOINT)
    assert caught.value.retry_after_s == 7.0
    with pytest.raises(TransientError) as again:
        check_status(HttpReply(status=503, headers={"retry-after": "2"}), ENDPOINT)
    assert again.value.retry_after_s == 2.0


@pytest.mark.parametrize(("code", "fix"), [
    (401, "set llm.anthropic_api_key or $ANTHROPIC_API_KEY"),
    (403, "set llm.anthropic_api_key or $ANTHROPIC_API_KEY"),
    (404, "check llm.anthropic_model and llm.anthropic_base_url"),
    (400, "check llm.anthropic_model and llm.max_output_tokens"),
    (413, "lower llm.max_context_tokens"),
    (409, "check llm.anthropic_base_url and llm.anthropic_model"),
    (501, "check llm.anthropic_base_url and llm.anthropic_model"),
    (301, "set llm.anthropic_base_url to the address the server redirects to"),
])
def test_client_errors_are_rejections_naming_the_setting(code: int, fix: str) -> None:
    with pytest.raises(ProviderRejectedError) as caught:
        check_status(HttpReply(status=code, body=b"nope"), ENDPOINT)
    assert caught.value.fix == fix
    assert caught.value.message.startswith(f"anthropic rejected the request (HTTP {code}): nope")


def test_a_keyless_endpoint_points_at_its_url_on_401() -> None:
    ollama = Endpoint(provider="ollama", url_setting="llm.ollama_base_url", model_setting="llm.ollama_model")
    with pytest.raises(ProviderRejectedError) as caught:
        check_status(HttpReply(status=401), ollama)
    assert "llm.ollama_base_url" in caught.value.fix


def test_success_passes_and_error_messages_stay_short() -> None:
    check_status(HttpReply(status=204), ENDPOINT)
    with pytest.raises(TransientError) as caught:
        check_status(HttpReply(status=500, body=b"line\n" * 10_000), ENDPOINT)
    assert len(caught.value.what) < EXCERPT_CHARS + 50
    assert "\n" not in caught.value.message


@given(st.binary(max_size=3000))
def test_error_excerpts_are_one_bounded_line(body: bytes) -> None:
    excerpt = error_excerpt(body)
    assert len(excerpt) <= EXCERPT_CHARS
    assert "\n" not in excerpt and "\r" not in excerpt


# --- Retry-After


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0), (" 7 ", 7.0), ("0", 0.0), ("1.5", 1.5), ("99999999999999", MAX_RETRY_AFTER_S),
    (email.utils.formatdate(NOW + 30, usegmt=True), 30.0), (email.utils.formatdate(NOW - 30, usegmt=True), 0.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    (None, None), ("", None), ("soon", None), ("-5", None), ("1e3", None), ("12 seconds", None),
])
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now_s=NOW) == seconds


@given(st.integers(min_value=0, max_value=10**30))
def test_delta_seconds_are_honoured_up_to_the_cap(delay: int) -> None:
    assert parse_retry_after(str(delay), now_s=NOW) == min(float(delay), MAX_RETRY_AFTER_S)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_http_dates_are_seconds_from_now(offset: int) -> None:
    value = email.utils.formatdate(NOW + offset, usegmt=True)
    assert parse_retry_after(value, now_s=NOW) == min(float(max(0, offset)), MAX_RETRY_AFTER_S)


@given(st.text(max_size=80))
def test_any_retry_after_text_gives_none_or_a_bounded_delay(value: str) -> None:
    seconds = parse_retry_after(value, now_s=NOW)
    assert seconds is None or 0.0 <= seconds <= MAX_RETRY_AFTER_S


# --- the fake transport


def test_the_fake_transport_plays_its_script_and_records_requests() -> None:
    boom = TransientError("scripted failure")
    fake = FakeTransport([json_reply({"ok": 1}), boom], default=HttpReply(status=500))
    assert fake.post("http://x/a", {"h": "1"}, b"one", FAST).body == b'{"ok": 1}'
    with pytest.raises(TransientError, match="scripted failure"):
        fake.post("http://x/b", {}, b"two", FAST)
    assert fake.post("http://x/c", {}, b"three", FAST).status == 500
    fake.push(HttpReply(status=201))
    assert fake.post("http://x/d", {}, b"four", FAST).status == 201
    assert [r.url for r in fake.requests] == ["http://x/a", "http://x/b", "http://x/c", "http://x/d"]
    assert fake.requests[0].headers == {"h": "1"} and fake.requests[0].body == b"one"
    assert fake.requests[0].timeouts == FAST


def test_an_exhausted_fake_transport_behaves_like_a_dead_provider() -> None:
    with pytest.raises(TransientError, match="no scripted reply"):
        FakeTransport().post("http://x", {}, b"", FAST)
