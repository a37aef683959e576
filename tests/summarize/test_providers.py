"""The providers: each wire format against the fake server over real HTTP, unit cases on FakeTransport, the registry."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from perth.config import Settings, load_settings
from perth.errors import ConfigError, ProviderRejectedError, TransientError
from perth.paths import resolve_paths
from perth.redact import SecretFilter
from perth.resilience.call import with_retries
from perth.resilience.policy import RetryPolicy, Timeouts
from perth.summarize.model import Budget, Completion, Prompt, Usage
from perth.summarize.providers.anthropic import AnthropicProvider
from perth.summarize.providers.extractive import ExtractiveProvider
from perth.summarize.providers.http import FakeTransport, HttpReply, JsonHttpProvider, json_reply
from perth.summarize.providers.ollama import OllamaProvider
from perth.summarize.providers.openai import OpenAIProvider
from perth.summarize.providers.port import Provider
from perth.summarize.providers.registry import KNOWN_PROVIDERS, check_chain, make_provider
from tests.summarize.fake_provider import (
    FakeProviderServer,
    answer,
    hang,
    malformed,
    reply_payload,
    slow_body,
    status,
)

FAST = Timeouts(connect_s=0.5, read_s=0.4, total_s=1.0)
CANARY = "ghp_" + "Zq8Yv3Xw7Tu1Sr5Qp9On2Ml6Kj4Ih0Gf8Ed"
KEYS = {"anthropic": "sk-ant-test-key", "openai": "sk-openai-test-key"}
HTTP_PROVIDERS = ("anthropic", "openai", "ollama")


def make_prompt(user: str = "Recent commands:\n$ make test  # exit 1", system: str = "Summarize the work.",
                max_output_tokens: int = 123) -> Prompt:
    secrets = SecretFilter()
    return Prompt(purpose="summary", system=secrets.redact(system, source="llm", required=True),
                  user=secrets.redact(user, source="llm", required=True), max_output_tokens=max_output_tokens,
                  budget=Budget(limit_tokens=1000, used_tokens=10, tokenizer="estimate", lines=()))


def settings_for(server: FakeProviderServer | None = None, **overrides: str) -> Settings:
    values = {}
    if server is not None:
        values = {"llm.anthropic_base_url": server.anthropic_url, "llm.openai_base_url": server.openai_url,
                  "llm.ollama_base_url": server.ollama_url}
    values.update({key.replace("__", "."): value for key, value in overrides.items()})
    return load_settings(resolve_paths(), environ={}, overrides=values)


def provider_for(name: str, server: FakeProviderServer, environ: dict[str, str] | None = None) -> Provider:
    env = {"ANTHROPIC_API_KEY": KEYS["anthropic"], "OPENAI_API_KEY": KEYS["openai"]} if environ is None else environ
    return make_provider(name, settings_for(server), env)


@pytest.fixture
def server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(default=status(500)) as running:
        yield running


# --- every HTTP provider against the fake server


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_an_answer_is_parsed_with_its_usage(name: str, server: FakeProviderServer) -> None:
    server.script(answer("Fixed the failing test.", input_tokens=321, output_tokens=45))
    completion = provider_for(name, server).complete(make_prompt(), FAST)
    assert completion == Completion(provider=name, model=completion.model, text="Fixed the failing test.",
                                    usage=Usage(input_tokens=321, output_tokens=45), latency_ms=completion.latency_ms)
    assert completion.model == str(settings_for(server).get(f"llm.{name}_model"))


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_a_500_is_transient(name: str, server: FakeProviderServer) -> None:
    server.script(status(500))
    with pytest.raises(TransientError, match="HTTP 500"):
        provider_for(name, server).complete(make_prompt(), FAST)


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_a_429_is_transient_with_retry_after(name: str, server: FakeProviderServer) -> None:
    server.script(status(429, retry_after=4))
    with pytest.raises(TransientError) as caught:
        provider_for(name, server).complete(make_prompt(), FAST)
    assert caught.value.retry_after_s == 4.0


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_a_hanging_provider_fails_within_the_read_timeout(name: str, server: FakeProviderServer) -> None:
    server.script(hang(10))
    started = time.monotonic()
    with pytest.raises(TransientError, match=r"did not answer within 0\.3 s"):
        provider_for(name, server).complete(make_prompt(), Timeouts(connect_s=0.5, read_s=0.3, total_s=5))
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_a_slow_body_is_cut_off_by_the_total_limit(name: str, server: FakeProviderServer) -> None:
    server.script(slow_body(8))
    started = time.monotonic()
    with pytest.raises(TransientError, match=r"did not finish answering within 1 s"):
        provider_for(name, server).complete(make_prompt(), Timeouts(connect_s=0.5, read_s=0.5, total_s=1.0))
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
@pytest.mark.parametrize(("kind", "why"), [("not-json", "the body is not JSON"), ("wrong-shape", "in the reply")])
def test_a_malformed_reply_becomes_text_with_a_warning(name: str, kind: str, why: str,
                                                       server: FakeProviderServer) -> None:
    server.script(malformed(kind))
    completion = provider_for(name, server).complete(make_prompt(), FAST)
    assert completion.warnings[0].startswith(f"malformed reply from {name}: ")
    assert why in completion.warnings[0]
    assert completion.text and completion.usage == Usage()


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_an_html_page_is_never_taken_for_a_summary(name: str, server: FakeProviderServer) -> None:
    from perth.errors import UnavailableError

    server.script(malformed("html"))
    with pytest.raises(UnavailableError, match="HTML page instead of JSON") as caught:
        provider_for(name, server).complete(make_prompt(), FAST)
    assert not isinstance(caught.value, TransientError), "a proxy page is not retried"
    assert "base_url" in caught.value.fix


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
@pytest.mark.parametrize("kind", ["empty", "empty-body"])
def test_an_empty_reply_is_transient_so_the_chain_moves_on(name: str, kind: str, server: FakeProviderServer) -> None:
    server.script(malformed(kind))
    with pytest.raises(TransientError, match="empty text"):
        provider_for(name, server).complete(make_prompt(), FAST)


@pytest.mark.parametrize(("name", "fix"), [
    ("anthropic", "set llm.anthropic_api_key or $ANTHROPIC_API_KEY"),
    ("openai", "set llm.openai_api_key or $OPENAI_API_KEY"),
    ("ollama", "check llm.ollama_base_url and the server's access settings"),
])
def test_a_401_is_a_rejection_naming_the_key_setting(name: str, fix: str, server: FakeProviderServer) -> None:
    server.script(status(401, text="invalid x-api-key"))
    with pytest.raises(ProviderRejectedError) as caught:
        provider_for(name, server).complete(make_prompt(), FAST)
    assert caught.value.fix == fix
    assert "HTTP 401" in caught.value.what and "invalid x-api-key" in caught.value.what


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_a_closed_port_is_transient(name: str) -> None:
    with FakeProviderServer() as gone:
        settings = settings_for(gone)
    provider = make_provider(name, settings, {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"})
    with pytest.raises(TransientError, match="refused the connection"):
        provider.complete(make_prompt(), FAST)


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_a_secret_in_the_context_never_reaches_the_wire(name: str, server: FakeProviderServer) -> None:
    server.script(answer("ok"))
    prompt = make_prompt(user=f"$ export GITHUB_TOKEN={CANARY}\n$ git push")
    provider_for(name, server).complete(prompt, FAST)
    assert CANARY.encode() not in server.all_bytes()
    assert b"[REDACTED:" in server.requests[0].raw


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_retries_of_the_lead_policy_recover_from_a_transient_failure(name: str, server: FakeProviderServer) -> None:
    server.script(status(503), answer("second time lucky"))
    provider = provider_for(name, server)
    completion = with_retries(lambda: provider.complete(make_prompt(), FAST), RetryPolicy(retries=2),
                              sleep=lambda _s: None)
    assert completion.text == "second time lucky"
    assert len(server.requests) == 2


# --- wire formats


def test_anthropic_request_wire_format(server: FakeProviderServer) -> None:
    server.script(answer())
    provider_for("anthropic", server).complete(make_prompt(), FAST)
    request = server.requests[0]
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == KEYS["anthropic"]
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("perth/")
    assert "authorization" not in request.headers
    assert request.body == {"model": "claude-sonnet-4-5", "max_tokens": 123, "system": "Summarize the work.",
                            "messages": [{"role": "user", "content": "Recent commands:\n$ make test  # exit 1"}]}


def test_openai_request_wire_format_with_a_key(server: FakeProviderServer) -> None:
    server.script(answer())
    provider_for("openai", server).complete(make_prompt(), FAST)
    request = server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEYS['openai']}"
    assert "x-api-key" not in request.headers
    assert request.body == {"model": "gpt-4o-mini", "max_tokens": 123, "messages": [
        {"role": "system", "content": "Summarize the work."},
        {"role": "user", "content": "Recent commands:\n$ make test  # exit 1"}]}


def test_an_openai_compatible_server_gets_no_key_header_when_none_is_set(server: FakeProviderServer) -> None:
    server.script(answer("local model says hi"))
    provider = make_provider("openai", settings_for(server, llm__openai_base_url=server.url), {})
    assert provider.complete(make_prompt(), FAST).text == "local model says hi"
    request = server.requests[0]
    assert request.path == "/chat/completions"
    assert "authorization" not in request.headers
    assert not any("key" in name for name in request.headers)


def test_ollama_request_wire_format(server: FakeProviderServer) -> None:
    server.script(answer())
    provider_for("ollama", server).complete(make_prompt(system=""), FAST)
    request = server.requests[0]
    assert request.path == "/api/chat"
    assert "authorization" not in request.headers and "x-api-key" not in request.headers
    assert request.body == {"model": "llama3.2", "stream": False, "options": {"num_predict": 123},
                            "messages": [{"role": "user", "content": "Recent commands:\n$ make test  # exit 1"}]}


def test_an_empty_system_text_is_left_out_of_anthropic_requests() -> None:
    fake = FakeTransport([json_reply(reply_payload("anthropic", "x", 1, 1))])
    AnthropicProvider(model="m", base_url="http://h/", api_key="k", transport=fake).complete(make_prompt(system=""),
                                                                                              FAST)
    assert fake.requests[0].url == "http://h/v1/messages"
    assert b'"system"' not in fake.requests[0].body


# --- keys


def test_anthropic_without_a_key_is_rejected_before_any_request(server: FakeProviderServer) -> None:
    provider = provider_for("anthropic", server, environ={})
    with pytest.raises(ProviderRejectedError) as caught:
        provider.complete(make_prompt(), FAST)
    assert caught.value.fix == "set llm.anthropic_api_key or $ANTHROPIC_API_KEY"
    assert server.requests == []


def test_the_official_openai_api_without_a_key_is_rejected_before_any_request() -> None:
    fake = FakeTransport(default=json_reply(reply_payload("openai", "x", 1, 1)))
    provider = make_provider("openai", settings_for(), {}, transport=fake)
    with pytest.raises(ProviderRejectedError) as caught:
        provider.complete(make_prompt(), FAST)
    assert caught.value.fix == "set llm.openai_api_key or $OPENAI_API_KEY"
    assert fake.requests == []


def test_the_key_setting_wins_over_the_environment() -> None:
    fake = FakeTransport(default=json_reply(reply_payload("anthropic", "x", 1, 1)))
    settings = settings_for(llm__anthropic_api_key="from-settings")
    make_provider("anthropic", settings, {"ANTHROPIC_API_KEY": "from-env"}, fake).complete(make_prompt(), FAST)
    make_provider("anthropic", settings_for(), {"ANTHROPIC_API_KEY": " from-env\n"}, fake).complete(make_prompt(), FAST)
    assert [r.headers["x-api-key"] for r in fake.requests] == ["from-settings", "from-env"]
    assert fake.requests[0].url == "https://api.anthropic.com/v1/messages"


def test_errors_never_echo_the_key_or_the_body() -> None:
    fake = FakeTransport([HttpReply(status=400, body=b"bad request")])
    provider = AnthropicProvider(model="m", base_url="http://h", api_key="sk-secret-key", transport=fake)
    with pytest.raises(ProviderRejectedError) as caught:
        provider.complete(make_prompt(user="the user text"), FAST)
    assert "sk-secret-key" not in caught.value.message and "the user text" not in caught.value.message


# --- parsing details (FakeTransport)


def complete_with(provider_cls: Callable[..., JsonHttpProvider], payload: Any, **kwargs: Any) -> Completion:
    fake = FakeTransport([json_reply(payload)])
    provider = provider_cls(model="m", base_url="http://h", transport=fake, **kwargs)
    return provider.complete(make_prompt(), FAST)


def test_anthropic_joins_text_blocks_and_skips_others() -> None:
    payload = {"content": [{"type": "text", "text": "Fixed "}, {"type": "tool_use", "id": "t"},
                           {"type": "text", "text": "the bug."}], "usage": {"input_tokens": 9}}
    completion = complete_with(AnthropicProvider, payload, api_key="k")
    assert completion.text == "Fixed the bug."
    assert completion.usage == Usage(input_tokens=9, output_tokens=None)
    assert completion.warnings == ()


@pytest.mark.parametrize(("provider_cls", "payload", "kwargs"), [
    (AnthropicProvider, {"content": [{"type": "text", "text": "cut"}], "stop_reason": "max_tokens"}, {"api_key": "k"}),
    (OpenAIProvider, {"choices": [{"message": {"content": "cut"}, "finish_reason": "length"}]}, {}),
    (OllamaProvider, {"message": {"content": "cut"}, "done_reason": "length"}, {}),
])
def test_a_reply_cut_at_the_output_limit_says_so(provider_cls: Callable[..., JsonHttpProvider], payload: Any,
                                                 kwargs: dict[str, str]) -> None:
    completion = complete_with(provider_cls, payload, **kwargs)
    assert completion.text == "cut"
    assert completion.warnings == (f"the reply from {completion.provider} was cut at llm.max_output_tokens",)


def test_openai_content_parts_are_joined_and_odd_usage_is_ignored() -> None:
    payload = {"choices": [{"message": {"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}}],
               "usage": {"prompt_tokens": True, "completion_tokens": -3}}
    completion = complete_with(OpenAIProvider, payload)
    assert completion.text == "ab"
    assert completion.usage == Usage()


@pytest.mark.parametrize("payload", [{"choices": []}, {"choices": ["x"]}, {"choices": [{"message": {"content": 5}}]},
                                     [1, 2], "just a string", None])
def test_openai_replies_of_the_wrong_shape_become_text(payload: Any) -> None:
    completion = complete_with(OpenAIProvider, payload)
    assert completion.warnings and completion.warnings[0].startswith("malformed reply from openai: ")
    assert completion.text


def test_a_long_malformed_body_is_cut() -> None:
    fake = FakeTransport([HttpReply(status=200, body=b"x" * 100_000)])
    completion = OllamaProvider(model="m", base_url="http://h", transport=fake).complete(make_prompt(), FAST)
    assert len(completion.text) == 2000
    assert completion.warnings == ("malformed reply from ollama: the body is not JSON",)


def test_deeply_nested_json_does_not_crash() -> None:
    fake = FakeTransport([HttpReply(status=200, body=b"[" * 100_000 + b"]" * 100_000)])
    completion = OllamaProvider(model="m", base_url="http://h", transport=fake).complete(make_prompt(), FAST)
    assert completion.warnings


def test_the_reply_latency_is_reported() -> None:
    fake = FakeTransport([json_reply(reply_payload("ollama", "hi", 1, 2), elapsed_ms=42)])
    completion = OllamaProvider(model="m", base_url="http://h", transport=fake).complete(make_prompt(), FAST)
    assert completion.latency_ms == 42


# --- registry


def test_make_provider_builds_every_known_provider() -> None:
    settings = settings_for()
    built = {name: make_provider(name, settings, {"ANTHROPIC_API_KEY": "k"}) for name in KNOWN_PROVIDERS}
    assert {name: type(provider) for name, provider in built.items()} == {
        "anthropic": AnthropicProvider, "openai": OpenAIProvider, "ollama": OllamaProvider, "none": ExtractiveProvider}
    assert all(provider.name == name for name, provider in built.items())
    assert built["none"].model == "extractive"


def test_an_unknown_provider_names_the_known_ones_and_the_setting() -> None:
    with pytest.raises(ConfigError) as caught:
        make_provider("gemini", settings_for(), {})
    assert "llm.chain" in caught.value.message
    assert all(name in caught.value.fix for name in KNOWN_PROVIDERS)


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com", "http://", "http://h:notaport"])
def test_an_invalid_base_url_is_a_config_error_naming_the_setting(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_provider("ollama", settings_for(llm__ollama_base_url=url), {})
    assert "llm.ollama_base_url" in caught.value.what


def test_check_chain() -> None:
    assert check_chain(["anthropic", " ollama ", "none"]) == ("anthropic", "ollama", "none")
    with pytest.raises(ConfigError, match="empty"):
        check_chain([])
    with pytest.raises(ConfigError, match="unknown LLM provider 'claude'"):
        check_chain(["claude"])
    with pytest.raises(ConfigError, match="appears twice"):
        check_chain(["ollama", "none", "ollama"])


def test_the_fake_server_runs_as_a_script_for_other_processes(tmp_path: Path) -> None:
    port_file, requests_file = tmp_path / "port", tmp_path / "requests.jsonl"
    script = Path(__file__).with_name("fake_provider.py")
    proc = subprocess.Popen([sys.executable, str(script), "--port-file", str(port_file), "--requests-file",
                             str(requests_file), "--default", "status:500", "status:429:3", "answer:from a script"])
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}"
        provider = OllamaProvider(model="m", base_url=url)
        with pytest.raises(TransientError) as caught:
            provider.complete(make_prompt(), FAST)
        assert caught.value.retry_after_s == 3.0
        assert provider.complete(make_prompt(), FAST).text == "from a script"
        with pytest.raises(TransientError, match="HTTP 500"):
            provider.complete(make_prompt(), FAST)
    finally:
        proc.terminate()
        proc.wait(10)
    lines = [json.loads(line) for line in requests_file.read_text().splitlines()]
    assert [line["action"] for line in lines] == ["status", "answer", "status"]
    assert lines[0]["path"] == "/api/chat" and lines[0]["body"]["model"] == "m"
