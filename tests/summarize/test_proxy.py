"""Providers behind an HTTP proxy: choosing it from the environment, CONNECT tunnels with TLS end
to end, absolute-form requests, credentials, refusals, and the whole chain through a real proxy."""

from __future__ import annotations

import base64
import os
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.config import load_settings
from perth.errors import InvalidInputError, TransientError, UnavailableError
from perth.paths import resolve_paths
from perth.resilience.policy import Timeouts
from perth.runtime import Runtime
from perth.summarize.prompt import prepare
from perth.summarize.providers.http import HttpClientTransport, HttpReply
from perth.summarize.providers.proxy import exempt, host_port, is_loopback, parse_proxy, proxy_for
from perth.summarize.service import generate
from tests.summarize.fake_provider import FakeProviderServer, answer
from tests.summarize.http_proxy import TestProxy
from tests.summarize.test_http_transport import closed_port

FAST = Timeouts(connect_s=1, read_s=2, total_s=4)
NAME = "llm.internal.test"  # not resolvable here: only the proxy can reach it


def post(url: str, environ: dict[str, str], context: ssl.SSLContext | None = None) -> HttpReply:
    transport = HttpClientTransport(environ=environ, ssl_context=context)
    return transport.post(url, {"content-type": "application/json"}, b'{"model": "m"}', FAST)


@pytest.fixture
def provider() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(default=answer("through the proxy")) as server:
        yield server


@pytest.fixture
def tls_provider(certificate: tuple[str, str]) -> Iterator[FakeProviderServer]:
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(*certificate)
    with FakeProviderServer(default=answer("over tls, through the proxy"), tls=serving) as server:
        yield server


# --- choosing the proxy


def test_the_variable_for_the_scheme_wins_then_all_proxy() -> None:
    env = {"https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2", "all_proxy": "http://c:3", "http_proxy": "d:4"}
    assert proxy_for("https", NAME, 443, env) == parse_proxy("http://a:1", "https_proxy")
    assert proxy_for("https", NAME, 443, {"HTTPS_PROXY": "http://b:2"}).variable == "HTTPS_PROXY"  # type: ignore[union-attr]
    assert proxy_for("https", NAME, 443, {"ALL_PROXY": "c:3"}).port == 3  # type: ignore[union-attr]
    assert proxy_for("http", NAME, 80, env) == parse_proxy("d:4", "http_proxy")
    assert proxy_for("https", NAME, 443, {"http_proxy": "d:4"}) is None
    assert proxy_for("https", NAME, 443, {"https_proxy": "  "}) is None


def test_this_machine_and_no_proxy_hosts_are_reached_directly() -> None:
    env = {"https_proxy": "http://proxy:3128", "http_proxy": "http://proxy:3128",
           "no_proxy": "internal.test, .corp.example , api.example:8443,[::2]"}
    for host in ("localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", "ollama.localhost"):
        assert proxy_for("http", host, 11434, env) is None, host
    assert proxy_for("https", NAME, 443, env) is None  # a subdomain of internal.test
    assert proxy_for("https", "x.corp.example", 443, env) is None
    assert proxy_for("https", "api.example", 8443, env) is None
    assert proxy_for("https", "api.example", 443, env) is not None  # another port
    assert proxy_for("https", "::2", 443, env) is None
    assert proxy_for("https", "api.anthropic.com", 443, env) is not None
    assert proxy_for("https", "api.anthropic.com", 443, {**env, "no_proxy": "*"}) is None


@given(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,10}){0,3}", fullmatch=True),
       st.lists(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,10}){0,2}", fullmatch=True), max_size=5))
def test_no_proxy_matches_names_and_their_subdomains_only(host: str, entries: list[str]) -> None:
    expected = any(host == e or host.endswith("." + e) for e in entries)
    assert exempt(host, 443, ",".join(entries)) is expected
    assert exempt(host, 443, ",".join([*entries, "*"])) is True
    assert not is_loopback(host) or host.endswith("localhost")


def test_a_proxy_url_is_parsed_with_its_credentials() -> None:
    assert (host_port("::2", 443), host_port(NAME, 8080)) == ("[::2]:443", f"{NAME}:8080")
    plain = parse_proxy("proxy.corp:3128", "https_proxy")
    assert (plain.host, plain.port, plain.authorization) == ("proxy.corp", 3128, None)
    assert parse_proxy("http://proxy.corp", "https_proxy").port == 80
    secret = parse_proxy("http://me%40corp:p%3Ass@proxy.corp:8080", "HTTPS_PROXY")
    assert secret.authorization == "Basic " + base64.b64encode(b"me@corp:p:ss").decode()
    assert "p:ss" not in secret.label and secret.label == "the proxy proxy.corp:8080 ($HTTPS_PROXY)"
    for value, message in (("https://proxy:443", "https:// proxies are not supported"),
                           ("socks5://proxy:1080", "socks5:// proxies are not supported"),
                           ("http://proxy:99999", "not a valid proxy address"), ("http://:8080", "names no proxy host")):
        with pytest.raises(InvalidInputError, match=message) as caught:
            parse_proxy(value, "https_proxy")
        assert "https_proxy" in caught.value.fix


# --- through a real proxy


def test_https_goes_through_a_connect_tunnel_with_tls_to_the_provider(tls_provider: FakeProviderServer,
                                                                      certificate: tuple[str, str]) -> None:
    trusting = ssl.create_default_context(cafile=certificate[0])
    with TestProxy() as proxy:
        reply = post(f"https://{NAME}:{tls_provider.port}/v1/messages", {"HTTPS_PROXY": proxy.url}, trusting)
        assert reply.status == 200 and b"over tls, through the proxy" in reply.body
        assert [(r.method, r.target) for r in proxy.requests] == [("CONNECT", f"{NAME}:{tls_provider.port}")]
        with pytest.raises(UnavailableError, match="could not be verified"):  # TLS is end to end
            post(f"https://{NAME}:{tls_provider.port}/v1/messages", {"HTTPS_PROXY": proxy.url})
    assert tls_provider.requests[0].headers["host"] == f"{NAME}:{tls_provider.port}"


def test_http_goes_to_the_proxy_in_absolute_form(provider: FakeProviderServer) -> None:
    with TestProxy() as proxy:
        reply = post(f"http://{NAME}:{provider.port}/v1/chat/completions", {"http_proxy": proxy.url})
        assert reply.status == 200 and b"through the proxy" in reply.body
        assert [(r.method, r.target) for r in proxy.requests] == [
            ("POST", f"http://{NAME}:{provider.port}/v1/chat/completions")]
    assert provider.requests[0].path == "/v1/chat/completions"


def test_credentials_from_the_proxy_url_are_sent_and_never_shown(provider: FakeProviderServer) -> None:
    expected = "Basic " + base64.b64encode(b"dev:hunter2").decode()
    with TestProxy(credentials=expected) as proxy:
        url = f"http://{NAME}:{provider.port}/v1/messages"
        good = f"http://dev:hunter2@127.0.0.1:{proxy.port}"
        assert post(url, {"http_proxy": good}).status == 200
        with pytest.raises(UnavailableError) as caught:
            post(f"https://{NAME}:{provider.port}/v1/messages", {"https_proxy": good.replace("hunter2", "wrong")})
    assert "asks for credentials (HTTP 407)" in caught.value.message
    assert "wrong" not in caught.value.message + caught.value.fix
    assert f"127.0.0.1:{proxy.port} ($https_proxy)" in caught.value.message
    assert proxy.requests[0].headers["proxy-authorization"] == expected
    assert "proxy-authorization" not in provider.requests[0].headers


def test_a_proxy_that_cannot_reach_the_provider_is_transient_and_other_refusals_are_not() -> None:
    url = f"https://{NAME}:443/v1/messages"
    with TestProxy(refuse=502) as proxy, pytest.raises(TransientError, match=r"could not reach .* \(HTTP 502\)"):
        post(url, {"https_proxy": proxy.url})
    with TestProxy(refuse=403) as proxy, pytest.raises(UnavailableError) as caught:
        post(url, {"https_proxy": proxy.url})
    assert not isinstance(caught.value, TransientError) and "refused a tunnel" in caught.value.message


def test_a_dead_proxy_is_named_in_the_error() -> None:
    port = closed_port()
    with pytest.raises(TransientError) as caught:
        post(f"https://{NAME}/v1/messages", {"HTTPS_PROXY": f"http://127.0.0.1:{port}"})
    assert caught.value.message.startswith(f"the proxy 127.0.0.1:{port} ($HTTPS_PROXY) refused the connection")


def test_no_proxy_sends_the_request_around_the_proxy() -> None:
    with TestProxy() as proxy:
        with pytest.raises(TransientError, match=f"cannot resolve the provider host {NAME}"):
            post(f"https://{NAME}/v1/messages", {"https_proxy": proxy.url, "no_proxy": "internal.test"})
        assert proxy.requests == []


def test_the_chain_uses_the_runtime_environment_for_its_proxy(provider: FakeProviderServer, repo: Path) -> None:
    provider.script(answer("Summarized through the proxy.", input_tokens=9, output_tokens=4))
    with TestProxy() as proxy:
        env = {**os.environ, "PERTH_LLM__CHAIN": "openai", "PERTH_LLM__RETRIES": "0",
               "PERTH_LLM__OPENAI_BASE_URL": f"http://{NAME}:{provider.port}/v1", "http_proxy": proxy.url}
        rt = Runtime(load_settings(resolve_paths(env), env), environ=env, cwd=str(repo))
        try:
            generation = generate(rt, prepare(rt, None, since_ms=None), ["openai"])
        finally:
            rt.close()
        assert generation.text == "Summarized through the proxy." and generation.provider == "openai"
        assert [r.method for r in proxy.requests] == ["POST"]


def test_providers_status_and_doctor_show_the_route_and_a_broken_proxy_setting() -> None:
    from perth.summarize.service import describe_provider

    env = {**os.environ, "ANTHROPIC_API_KEY": "k", "https_proxy": "http://user:pw@proxy.corp:3128"}
    settings = load_settings(resolve_paths(env), env)
    info = describe_provider("anthropic", settings, env)
    assert info.ready and info.configured == \
        "https://api.anthropic.com via the proxy proxy.corp:3128 ($https_proxy), key from $ANTHROPIC_API_KEY"
    assert "pw" not in info.configured
    assert describe_provider("ollama", settings, env).configured == "http://127.0.0.1:11434"  # loopback: direct
    broken = describe_provider("anthropic", settings, {**env, "https_proxy": "socks5://proxy.corp:1080"})
    assert not broken.ready and "socks5:// proxies are not supported" in broken.configured
    assert "https_proxy" in broken.fix
    missing = describe_provider("anthropic", settings, {k: v for k, v in env.items() if k != "ANTHROPIC_API_KEY"})
    assert not missing.ready and missing.fix == "set $ANTHROPIC_API_KEY or llm.anthropic_api_key"
