"""``/metrics`` scraped from a real ``perth serve`` before and after real actions: every metric it
exposes moves, and it exposes no metric that nothing records."""

from __future__ import annotations

import http.server
import json
import secrets as tokens
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.web.test_api import fetch, serving
from tests.workflows.conftest import sh, write_flow

pytestmark = pytest.mark.integration
Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]

#: Every family /metrics exposes; each must move in the test below.
FAMILIES = {"perth_commands_ingested", "perth_intent_entries", "perth_redactions", "perth_llm_calls",
            "perth_llm_call_duration_seconds", "perth_breaker_state", "perth_snapshots", "perth_shellperf_runs",
            "perth_events_outbox", "perth_events_delivered_seq", "perth_events_backlog", "perth_events_dead_letters",
            "perth_jobs", "perth_job_duration_seconds", "perth_workflow_runs", "perth_workflow_approvals_waiting",
            "perth_workflow_step_duration_seconds", "perth_http_request_duration_seconds"}


def scrape(home: Path) -> tuple[Figures, set[str]]:
    with serving(home) as url:
        assert fetch(url + "/api/panes")[0] == 200
        status, headers, text = fetch(url + "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(text))
    return ({(s.name, tuple(sorted(s.labels.items()))): s.value for family in families for s in family.samples},
            {family.name for family in families})


def total(figures: Figures, name: str) -> float:
    return sum(value for (metric, labels), value in figures.items() if metric == name and ("le", "+Inf") not in labels
               and not metric.endswith(("_bucket", "_sum", "_created")))


@pytest.fixture
def refusing_webhook() -> Iterator[str]:
    """A webhook receiver that refuses every event (HTTP 400)."""

    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(400)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/events"
    finally:
        server.shutdown()


def act(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, webhook: str) -> str:
    from perth.workflows.service import local_user
    from tests.summarize.fake_provider import FakeProviderServer, answer

    assert cli("log", "export GITHUB_TOKEN=ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "--pane", "m").code == 0
    history = tmp_path / "bash_history"
    history.write_text("make build\npytest -x\n")
    assert cli("import-history", "--file", str(history), "--shell", "bash").code == 0
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
    flow = write_flow(tmp_path, f"""\
name: gated
steps:
  - id: build
    job: {sh("true")}
  - id: ship
    needs: [build]
    approval: {{approvers: [{local_user()}]}}
    job: {sh("true")}
""")
    run_id = str(json.loads(cli("workflow", "run", flow, "--detach", "--format", "json").out)["run"]["id"])
    deadline = time.monotonic() + 30
    while json.loads(cli("workflow", "show", run_id, "--format", "json").out)["run"]["steps"][1]["status"] \
            != "waiting" and time.monotonic() < deadline:
        time.sleep(0.1)
    for key, value in {"events.transports": "redis,webhook", "events.webhook_url": webhook,
                       "events.webhook_secret": tokens.token_hex(16), "events.max_attempts": "1",
                       "events.retries": "0", "events.redis_stream": f"perth-test-{tokens.token_hex(6)}"}.items():
        assert cli("config", "set", key, value).code == 0
    cli("events", "flush")  # redis takes every event; the webhook refuses each one: dead letters
    assert cli("log", "logged after the flush: a backlog of one", "--pane", "m").code == 0
    return run_id


def test_each_metric_moves_after_real_actions(perth_home: Path, cli: Callable[..., Any],
                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              refusing_webhook: str) -> None:
    before, _names = scrape(perth_home)
    run_id = act(cli, monkeypatch, tmp_path, refusing_webhook)
    try:
        after, names = scrape(perth_home)
    finally:
        cli("workflow", "cancel", run_id)
    assert names == FAMILIES  # nothing exposed that the test does not see move
    for name in FAMILIES - {"perth_http_request_duration_seconds"}:
        moved = total(after, name) > total(before, name) or any(
            value > before.get(key, 0) for key, value in after.items() if key[0].startswith(name))
        assert moved, name
    assert after[("perth_jobs", (("status", "succeeded"),))] == 2  # the fake job and the workflow's build step
    assert after[("perth_commands_ingested_total", ())] == 2
    assert after[("perth_llm_calls_total", (("outcome", "ok"), ("provider", "anthropic")))] == 1
    assert after[("perth_llm_call_duration_seconds_count", (("provider", "anthropic"),))] == 1
    assert after[("perth_job_duration_seconds_count", (("kind", "fake"),))] >= 1
    assert after[("perth_workflow_runs", (("status", "running"),))] == 1
    assert after[("perth_workflow_approvals_waiting", ())] == 1
    assert after[("perth_workflow_step_duration_seconds_count", (("status", "succeeded"),))] >= 1
    assert after[("perth_events_delivered_seq", (("transport", "redis"),))] >= 1
    assert after[("perth_events_dead_letters", ())] >= 1
    assert after[("perth_events_backlog", (("transport", "webhook"),))] == 1
    assert any(m == "perth_redactions_total" and dict(labels)["rule"].startswith("github") for m, labels in after)
    http = [(dict(labels), value) for (m, labels), value in after.items()
            if m == "perth_http_request_duration_seconds_count"]
    assert ({"method": "GET", "route": "/api/panes", "status": "200"}, 1.0) in http, http
