"""The provider chain against a real fake-provider HTTP server: retries, breaker, fallback, usage."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from perth.config import load_settings
from perth.errors import UnavailableError
from perth.paths import resolve_paths
from perth.runtime import Runtime
from perth.summarize.prompt import prepare
from perth.summarize.service import generate, summarize
from tests.gitrepo import git
from tests.summarize.fake_provider import FakeProviderServer, answer, hang, malformed, slow_body, status

FAST = {"PERTH_LLM__READ_TIMEOUT_S": "1", "PERTH_LLM__CONNECT_TIMEOUT_S": "1", "PERTH_LLM__TOTAL_TIMEOUT_S": "2",
        "PERTH_LLM__RETRIES": "2", "PERTH_LLM__BACKOFF_MS": "10", "PERTH_LLM__BACKOFF_MAX_MS": "2000"}


@pytest.fixture
def server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(default=status(500)) as fake:
        yield fake


def provider_env(server: FakeProviderServer, **extra: str) -> dict[str, str]:
    return {**FAST, "PERTH_LLM__ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "test-key",
            "PERTH_LLM__OPENAI_BASE_URL": server.openai_url, "PERTH_LLM__OLLAMA_BASE_URL": server.url, **extra}


def make_runtime(env: dict[str, str], cwd: Path) -> Runtime:
    full = {**os.environ, **env}
    return Runtime(load_settings(resolve_paths(full), full), environ=full, cwd=str(cwd))


@pytest.fixture
def runtime(server: FakeProviderServer, repo: Path) -> Callable[..., Runtime]:
    made: list[Runtime] = []

    def build(**extra: str) -> Runtime:
        rt = make_runtime(provider_env(server, **extra), repo)
        made.append(rt)
        return rt

    yield build  # type: ignore[misc]
    for rt in made:
        rt.close()


def test_an_answer_is_used_and_its_usage_stored(server: FakeProviderServer, runtime: Callable[..., Runtime]) -> None:
    rt = runtime()
    server.script(answer("Fixed the parser; tests pass.", input_tokens=321, output_tokens=12))
    generation = generate(rt, prepare(rt, None, since_ms=None), ["anthropic"])
    assert (generation.text, generation.provider, generation.input_tokens, generation.output_tokens) == (
        "Fixed the parser; tests pass.", "anthropic", 321, 12)
    [call] = rt.store.llm_calls.recent()
    assert (call.provider, call.outcome, call.input_tokens, call.output_tokens) == ("anthropic", "ok", 321, 12)
    assert rt.store.breakers.get("llm:anthropic").state == "closed"  # type: ignore[union-attr]


@pytest.mark.parametrize("fault", [status(500), status(503), status(429, retry_after=1)])
def test_transient_faults_are_retried(fault: object, server: FakeProviderServer, runtime: Callable[..., Runtime]) -> None:
    rt = runtime()
    server.script(fault, answer("recovered"))  # type: ignore[arg-type]
    started = time.monotonic()
    generation = generate(rt, prepare(rt, None, since_ms=None), ["openai"])
    assert generation.text == "recovered"
    assert len(server.requests) == 2
    [call] = rt.store.llm_calls.recent()
    assert call.attempts == 2
    if getattr(fault, "retry_after", None):
        assert time.monotonic() - started >= 0.95, "Retry-After: 1 was honoured"


def test_a_hang_and_a_slow_body_are_cut_off_within_the_timeouts(server: FakeProviderServer,
                                                                runtime: Callable[..., Runtime]) -> None:
    rt = runtime(PERTH_LLM__RETRIES="1")
    server.script(hang(10), slow_body(10))
    started = time.monotonic()
    with pytest.raises(UnavailableError, match="no provider in the chain answered"):
        generate(rt, prepare(rt, None, since_ms=None), ["ollama"])
    assert time.monotonic() - started < 6  # 1 s read timeout + 2 s total deadline + backoff, with margin
    assert len(server.requests) == 2


@pytest.mark.parametrize("code", [400, 401, 403])
def test_refusals_are_never_retried_and_fall_back(code: int, server: FakeProviderServer,
                                                  runtime: Callable[..., Runtime]) -> None:
    rt = runtime()
    server.script(status(code))
    generation = generate(rt, prepare(rt, None, since_ms=None), ["anthropic", "none"])
    assert len(server.requests) == 1
    assert generation.provider == "none"
    assert [a.outcome for a in generation.chain] == ["rejected", "ok"]
    assert rt.store.breakers.get("llm:anthropic").failures == 0  # type: ignore[union-attr]


def test_malformed_json_falls_back_to_text_with_a_warning(server: FakeProviderServer,
                                                          runtime: Callable[..., Runtime]) -> None:
    rt = runtime()
    server.script(malformed("not-json"))
    generation = generate(rt, prepare(rt, None, since_ms=None), ["openai"])
    assert generation.provider == "openai"
    assert any("malformed reply" in w for w in generation.warnings)


def test_an_html_page_moves_the_chain_on_and_counts_against_the_breaker(
        server: FakeProviderServer, runtime: Callable[..., Runtime]) -> None:
    rt = runtime()
    server.script(malformed("html"))
    generation = generate(rt, prepare(rt, None, since_ms=None), ["openai", "none"])
    assert [a.outcome for a in generation.chain] == ["failed", "ok"]
    assert len(server.requests) == 1, "not retried"
    assert rt.store.breakers.get("llm:openai").failures == 1  # type: ignore[union-attr]
    assert "<html" not in generation.text.lower()


def test_fallback_chain_reaches_the_extractive_summary(server: FakeProviderServer,
                                                       runtime: Callable[..., Runtime]) -> None:
    rt = runtime(PERTH_LLM__RETRIES="0")
    generation = generate(rt, prepare(rt, None, since_ms=None), ["anthropic", "ollama", "none"])
    assert [a.provider for a in generation.chain] == ["anthropic", "ollama", "none"]
    assert [a.outcome for a in generation.chain] == ["failed", "failed", "ok"]
    assert generation.provider == "none"
    assert generation.text
    outcomes = sorted((c.provider, c.outcome) for c in rt.store.llm_calls.recent())
    assert outcomes == [("anthropic", "failed"), ("none", "ok"), ("ollama", "failed")]


def test_summarize_writes_an_automated_checkpoint(server: FakeProviderServer, runtime: Callable[..., Runtime],
                                                 repo: Path) -> None:
    (repo / "parser.py").write_text("print('x')\n")
    git(repo, "add", "parser.py")
    git(repo, "commit", "-q", "-m", "Add the parser")
    rt = runtime()
    server.script(answer("Added the parser."))
    result = summarize(rt, provider="anthropic")
    assert (result.entry.summary, result.entry.type, result.entry.source) == ("Added the parser.", "checkpoint",
                                                                             "automated")
    stored = rt.store.entries.get(result.entry.id)
    assert stored is not None and stored.source == "automated"
    body = server.requests[0].body
    assert body is not None and "Add the parser" in json.dumps(body)


def test_an_all_open_chain_fails_before_collecting_any_context(
        server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch,
                                                               runtime: Callable[..., Runtime]) -> None:
    from perth.errors import CircuitOpenError
    from perth.resilience.breaker import BreakerState

    rt = runtime()
    now = rt.clock()
    for name in ("anthropic", "ollama"):
        rt.store.breakers.put(BreakerState(name=f"llm:{name}", state="open", failures=3, opened_at=now,
                                          updated_at=now))

    def no_collection(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("context was collected for an open chain")

    monkeypatch.setattr("perth.summarize.prompt.prepare", no_collection)
    with pytest.raises(CircuitOpenError, match="llm:anthropic"):
        summarize(rt, provider="anthropic,ollama")
    assert sorted((c.provider, c.outcome) for c in rt.store.llm_calls.recent()) == [("anthropic", "open"),
                                                                                   ("ollama", "open")]
    assert server.requests == []
    monkeypatch.undo()
    summary = summarize(rt, provider="anthropic,ollama,none")
    assert summary.generation.provider == "none"
