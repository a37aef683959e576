"""``/metrics`` scraped from a real ``perth serve`` before and after real actions: each figure moves."""

from __future__ import annotations

import secrets as tokens
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.web.test_api import fetch, serving

pytestmark = pytest.mark.integration


def scrape(home: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with serving(home) as url:
        status, headers, text = fetch(url + "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def total(figures: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> float:
    return sum(value for (metric, _labels), value in figures.items() if metric == name)


def act(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.summarize.fake_provider import FakeProviderServer, answer

    assert cli("log", "export GITHUB_TOKEN=ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "--pane", "m").code == 0
    assert cli("job", "run", "fake", "--wait", "--", "echo:one", "exit:0").code == 0
    assert cli("shellperf", "run", "--shell", "bash", "--norc", "-n", "1", "--warmup", "0").code == 0
    with FakeProviderServer(default=answer("Shipped the metrics.")) as provider:
        for key, value in {"PERTH_LLM__ANTHROPIC_BASE_URL": provider.url, "ANTHROPIC_API_KEY": "test-key",
                           "PERTH_LLM__RETRIES": "0"}.items():
            monkeypatch.setenv(key, value)
        assert cli("summarize", "--pane", "m", "--provider", "anthropic").code == 0
    socket = f"perth-test-{tokens.token_hex(6)}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "metrics", "-c", str(tmp_path), f"{sys.executable} -c "
                    "'import time; time.sleep(60)'"], check=True, timeout=10)
    try:
        monkeypatch.setenv("PERTH_MUX__TMUX_SOCKET_NAME", socket)
        assert cli("snapshot", "save", "metrics-snap").code == 0
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, timeout=10)


def test_each_metric_moves_after_real_actions(perth_home: Path, cli: Callable[..., Any],
                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = scrape(perth_home)
    act(cli, monkeypatch, tmp_path)
    after = scrape(perth_home)
    for name in ("perth_redactions_total", "perth_jobs", "perth_shellperf_runs_total", "perth_llm_calls_total",
                 "perth_breaker_state", "perth_snapshots"):
        assert total(after, name) > total(before, name), name
    assert after[("perth_jobs", (("status", "succeeded"),))] == 1
    assert after[("perth_llm_calls_total", (("outcome", "ok"), ("provider", "anthropic")))] == 1
    assert any(m == "perth_redactions_total" and dict(labels)["rule"].startswith("github")
               for m, labels in after), after
    assert ("perth_events_outbox", ()) in after and ("perth_events_dead_letters", ()) in after
