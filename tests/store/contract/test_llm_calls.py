"""The llm_calls port: every provider call with its outcome and token usage."""

from __future__ import annotations

from perth.store.port import Store
from perth.summarize.model import LlmCall

PORT = "llm_calls"


def call(n: int, provider: str, outcome: str = "ok", **fields: object) -> LlmCall:
    return LlmCall(id=f"c{n}", at=n, provider=provider, model="m", purpose="summary", outcome=outcome,
                   **fields)  # type: ignore[arg-type]


def test_recent_calls_newest_first_of_one_provider_or_all(store: Store) -> None:
    calls = [call(1, "anthropic", attempts=1, latency_ms=100, input_tokens=10, output_tokens=5, pane_id="p"),
             call(2, "ollama", "failed", attempts=3, error="connection refused"),
             call(3, "anthropic", "open")]
    for recorded in calls:
        store.llm_calls.add(recorded)
    assert store.llm_calls.recent() == list(reversed(calls))
    assert store.llm_calls.recent(provider="anthropic", limit=1) == [calls[2]]


def test_stats_total_calls_outcomes_tokens_and_mean_latency_of_successes(store: Store) -> None:
    store.llm_calls.add(call(1, "anthropic", latency_ms=100, input_tokens=10, output_tokens=5))
    store.llm_calls.add(call(2, "anthropic", latency_ms=300, input_tokens=20, output_tokens=7))
    store.llm_calls.add(call(3, "anthropic", "failed", latency_ms=30_000))
    store.llm_calls.add(call(4, "anthropic", "open"))
    [stats] = store.llm_calls.stats()
    assert (stats.provider, stats.calls, stats.ok, stats.failed) == ("anthropic", 4, 2, 2)
    assert (stats.input_tokens, stats.output_tokens, stats.last_at, stats.mean_latency_ms) == (30, 12, 4, 200)


def test_all_returns_every_call_oldest_first_beyond_any_limit(store: Store) -> None:
    calls = [call(n, "anthropic") for n in range(1, 61)]
    for recorded in reversed(calls):
        store.llm_calls.add(recorded)
    assert store.llm_calls.all() == calls
