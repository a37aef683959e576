"""`perth summarize`, `perth context` and `perth providers` as real processes against the fake server.

The circuit breaker's state lives in the store, so separate one-shot processes share it: ten
invocations against a dead provider make requests only until the breaker opens.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.summarize.fake_provider import FakeProviderServer, answer, status

Proc = Callable[..., subprocess.CompletedProcess[str]]
FAST = {"PERTH_LLM__READ_TIMEOUT_S": "1", "PERTH_LLM__CONNECT_TIMEOUT_S": "1", "PERTH_LLM__TOTAL_TIMEOUT_S": "2",
        "PERTH_LLM__RETRIES": "1", "PERTH_LLM__BACKOFF_MS": "10", "PERTH_LLM__BACKOFF_MAX_MS": "100"}


@pytest.fixture
def server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(default=status(500)) as fake:
        yield fake


def env_for(server: FakeProviderServer, **extra: str) -> dict[str, str]:
    return {**FAST, "PERTH_LLM__ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "test-key",
            "PERTH_LLM__OLLAMA_BASE_URL": server.url, **extra}


@pytest.mark.integration
def test_ten_invocations_against_a_dead_provider_fail_fast_after_the_third(
        server: FakeProviderServer, perth_proc: Proc, repo: Path) -> None:
    env = env_for(server)
    timings = []
    for _ in range(10):
        started = time.monotonic()
        done = perth_proc("summarize", "--provider", "anthropic", env=env, cwd=repo)
        timings.append(time.monotonic() - started)
        assert done.returncode == 4, done.stderr
    assert len(server.requests) == 3 * 2, "three invocations, each with one retry; then none"
    assert "circuit breaker opened after 3 consecutive failures" in done.stderr
    status_out = perth_proc("providers", "status", "--format", "json", env=env, cwd=repo)
    rows = {row["name"]: row for row in json.loads(status_out.stdout)["providers"]}
    breaker = rows["anthropic"]["breaker"]
    assert (breaker["state"], breaker["failures"]) == ("open", 3)
    assert "500" in breaker["last_error"]
    assert rows["anthropic"]["calls"]["total"] == 10
    assert max(timings[3:]) < 5, "open-breaker invocations do not wait on the network"


@pytest.mark.integration
def test_breaker_half_opens_after_the_cooldown_and_closes_on_success(
        server: FakeProviderServer, perth_proc: Proc, repo: Path) -> None:
    env = env_for(server, PERTH_LLM__BREAKER_THRESHOLD="2", PERTH_LLM__BREAKER_COOLDOWN_S="1",
                  PERTH_LLM__RETRIES="0")
    for _ in range(3):
        assert perth_proc("summarize", "--provider", "anthropic", env=env, cwd=repo).returncode == 4
    assert len(server.requests) == 2
    time.sleep(1.1)
    server.script(answer("Back in business."))
    done = perth_proc("summarize", "--provider", "anthropic", "--format", "json", env=env, cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entry"]["summary"] == "Back in business."
    rows = json.loads(perth_proc("providers", "status", "--format", "json", env=env, cwd=repo).stdout)["providers"]
    assert next(r for r in rows if r["name"] == "anthropic")["breaker"]["state"] == "closed"


@pytest.mark.integration
def test_the_fallback_chain_answers_with_the_extractive_summary(
        server: FakeProviderServer, perth_proc: Proc, repo: Path) -> None:
    env = env_for(server, PERTH_LLM__CHAIN="anthropic,ollama,none", PERTH_LLM__RETRIES="0")
    done = perth_proc("summarize", "--format", "json", env=env, cwd=repo)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["schema"] == "perth.summary.v1"
    assert data["provider"] == "none"
    assert [a["outcome"] for a in data["chain"]] == ["failed", "failed", "ok"]
    assert data["entry"]["source"] == "automated"


def test_summarize_works_out_of_the_box_with_no_key(cli: Callable[..., CliResult], repo: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert cli("log", "Wire the parser into the CLI", "--type", "next").code == 0
    result = cli("summarize", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["provider"] == "none"
    assert "Wire the parser into the CLI" in data["entry"]["summary"]
    history = json.loads(cli("history", "--format", "json").out)
    assert history["entries"][0]["source"] == "automated"
    assert history["entries"][0]["type"] == "checkpoint"
    again = cli("summarize")
    assert again.code == 0 and "Summary" in again.out
    third = json.loads(cli("summarize", "--format", "json").out)["entry"]["summary"]
    assert third.count("Last intent") == 1, "an earlier summary is not quoted as the user's intent"
    assert "Wire the parser into the CLI" in third
    context = json.loads(cli("context", "--format", "json").out)
    intents = next(s for s in context["sections"] if s["name"] == "intents")["text"]
    assert "[checkpoint, perth summary]" in intents


def test_dry_run_sends_and_writes_nothing(server: FakeProviderServer, cli: Callable[..., CliResult], repo: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    for name, value in env_for(server).items():
        monkeypatch.setenv(name, value)
    result = cli("summarize", "--dry-run", "--provider", "anthropic", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["schema"] == "perth.summarize.dryrun.v1"
    assert data["chain"] == ["anthropic"]
    assert data["used_tokens"] <= data["limit_tokens"]
    assert "first" in data["user"]  # the commit subject from the repo fixture
    assert server.requests == []
    assert json.loads(cli("history", "--format", "json").out)["entries"] == []
    text = cli("summarize", "--dry-run")
    assert "Token budget" in text.out and "System prompt" in text.out


def test_context_formats(cli: Callable[..., CliResult], repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "README.md").write_text("hello\nchanged\n")
    llm = cli("context")
    assert llm.code == 0
    assert llm.out.startswith("context:") and "feature/x" in llm.out
    data = json.loads(cli("context", "--format", "json").out)
    assert data["schema"] == "perth.context.v1"
    assert {s["name"] for s in data["sections"]} >= {"git.branch", "git.status", "git.diff"}
    assert all(c["status"] in ("ok", "truncated", "skipped") for c in data["collectors"])
    assert "## " in cli("context", "--format", "markdown").out


def test_bad_input_is_one_clear_line(cli: Callable[..., CliResult]) -> None:
    unknown = cli("summarize", "--provider", "gpt-5")
    assert unknown.code == 1
    assert "anthropic, openai, ollama, none" in unknown.err
    assert len(unknown.err.strip().splitlines()) == 1
    bad_chain = cli("--set", "llm.chain=", "summarize")
    assert bad_chain.code == 1, bad_chain.err
    reset = cli("providers", "reset", "nope")
    assert reset.code == 1


def test_providers_status_and_reset(cli: Callable[..., CliResult], server: FakeProviderServer,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env_for(server, PERTH_LLM__RETRIES="0", PERTH_LLM__BREAKER_THRESHOLD="1").items():
        monkeypatch.setenv(name, value)
    assert cli("summarize", "--provider", "anthropic").code == 4
    text = cli("providers", "status")
    assert text.code == 0 and "open until" in text.out
    assert "key from $ANTHROPIC_API_KEY" in text.out and "test-key" not in text.out
    assert cli("providers", "reset", "anthropic").code == 0
    rows = json.loads(cli("providers", "status", "--format", "json").out)["providers"]
    assert next(r for r in rows if r["name"] == "anthropic")["breaker"]["state"] == "closed"


def test_doctor_checks_the_provider_chain(cli: Callable[..., CliResult], server: FakeProviderServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERTH_LLM__CHAIN", "anthropic,openai,ollama,none")
    checks = {c["name"]: c for c in json.loads(cli("doctor", "--format", "json").out)["checks"] if c["area"] == "llm"}
    assert checks["chain"]["detail"] == "anthropic -> openai -> ollama -> none"
    assert checks["anthropic"]["status"] == "warn" and "ANTHROPIC_API_KEY" in checks["anthropic"]["fix"] + \
        checks["anthropic"]["detail"]
    assert checks["openai"]["status"] == "warn"
    assert (checks["ollama"]["status"], checks["none"]["status"]) == ("ok", "ok")
    for name, value in env_for(server, PERTH_LLM__RETRIES="0", PERTH_LLM__BREAKER_THRESHOLD="1").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PERTH_LLM__CHAIN", "anthropic,none")
    assert cli("summarize", "--provider", "anthropic").code == 4
    checks = {c["name"]: c for c in json.loads(cli("doctor", "--format", "json").out)["checks"] if c["area"] == "llm"}
    assert checks["anthropic"]["status"] == "warn" and "circuit breaker open" in checks["anthropic"]["detail"]
    monkeypatch.setenv("PERTH_LLM__CHAIN", "gpt-5")
    broken = {c["name"]: c for c in json.loads(cli("doctor", "--format", "json").out)["checks"] if c["area"] == "llm"}
    assert broken["chain"]["status"] == "fail"
