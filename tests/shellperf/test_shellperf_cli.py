"""`perth shellperf` end to end with real zsh: run, baselines, compare, gates, ledger, badges, reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.json_contract import pinned_json

pytestmark = pytest.mark.integration
RUN_KEYS = {"schema", "run", "stats", "segment_stats", "provenance", "lifecycle", "missing", "assessment"}
CONTRACTS: dict[str, set[str]] = {
    "perth.shellperf.run.v1": RUN_KEYS,
    "perth.shellperf.baseline.v1": {"schema", "baseline", "deleted", "run", "stats", "segment_stats"},
    "perth.shellperf.baseline_list.v1": {"schema", "baselines", "count"},
    "perth.shellperf.compare.v1": {"schema", "run_id", "baseline", "verdict", "mode", "exit_code", "deltas"},
    "perth.shellperf.ledger.v1": {"schema", "scope", "runs", "count"},
    "perth.shellperf.governance.v1": {"schema", "scope", "recommended", "stable_streak", "clean_streak",
                                      "runs_seen", "last_run_id", "updated_at", "reason", "configured_mode", "mode",
                                      "thresholds"},
    "perth.shellperf.badges.v1": {"schema", "directory", "badges", "files"},
    "perth.shellperf.bench_fn.v1": {"schema", "shell", "rc", "calls", "batches", "functions"},
    "perth.shellperf.ab.v1": {"schema", "a", "b", "deltas", "verdict"},
}
SAMPLE_KEYS = {"index", "warmup", "metrics", "segments", "phases", "monotonic", "notes"}
RUN_RECORD_KEYS = {"id", "created_at", "scope", "profile", "status", "ephemeral", "shell_version", "token", "spec",
                   "samples"}
STATS_KEYS = {"n", "missing", "min", "median", "mean", "stddev", "rsd", "mad", "p50", "p90", "p95", "max",
              "outliers", "mean_without_outliers"}
DELTA_KEYS = {"name", "kind", "baseline_ms", "current_ms", "delta_ms", "delta_percent", "noise_ms",
              "classification", "reason"}
FAST = ["-n", "2", "--warmup", "0", "--presses", "2", "--keys", "2", "--no-exit"]


def _json(cli: Callable[..., Any], *args: str, code: int = 0) -> dict[str, Any]:
    return pinned_json(cli, CONTRACTS, *args, code=code)


@pytest.fixture
def rc(tmp_path: Path) -> Path:
    path = tmp_path / "test.zshrc"
    path.write_text("PS1='%1~%# '\n")
    return path


def test_run_baseline_compare_ledger_governance(cli: Callable[..., Any], rc: Path, tmp_path: Path) -> None:
    first = _json(cli, "shellperf", "run", "--rc", str(rc), *FAST)
    run = first["run"]
    assert set(run) == RUN_RECORD_KEYS and set(run["samples"][0]) == SAMPLE_KEYS
    assert run["status"] == "complete" and run["scope"] == f"zsh:rc:{rc}"
    assert set(first["stats"]["first_prompt_ms"]) == STATS_KEYS
    assert set(first["assessment"]["budgets"][0]) == {"name", "stage", "limit_ms", "value_ms", "status"}
    saved = _json(cli, "shellperf", "baseline", "save", "main", "--note", "fresh")
    assert saved["baseline"]["run_id"] == run["id"] and saved["deleted"] is False
    second = _json(cli, "shellperf", "run", "--rc", str(rc), *FAST)
    assert second["assessment"]["baseline"] == "main"
    assert set(second["assessment"]["deltas"][0]) == DELTA_KEYS
    compare = _json(cli, "shellperf", "compare", "--baseline", "main")
    assert compare["run_id"] == second["run"]["id"] and {d["name"] for d in compare["deltas"]} >= {"first_prompt_ms"}
    ledger = _json(cli, "shellperf", "ledger")
    assert [r["id"] for r in ledger["runs"]] == [second["run"]["id"], run["id"]]
    governance = _json(cli, "shellperf", "governance")
    assert governance["runs_seen"] == 2 and governance["mode"] == "observe"
    assert _json(cli, "shellperf", "baseline", "list")["count"] == 1
    assert _json(cli, "shellperf", "baseline", "show", "main")["baseline"]["note"] == "fresh"
    assert _json(cli, "shellperf", "baseline", "delete", "main")["deleted"] is True
    assert _json(cli, "shellperf", "baseline", "list")["count"] == 0


def test_gate_mode_exits_5_over_budget_and_warns_in_warn_mode(cli: Callable[..., Any], tmp_path: Path) -> None:
    slow = tmp_path / "slow.zshrc"
    slow.write_text("sleep 0.06\n")
    gated = cli("--set", "shellperf.mode=gate", "shellperf", "run", "--rc", str(slow), *FAST)
    assert gated.code == 5 and "perth: gate failed: first_prompt_ms" in gated.err
    warned = cli("--set", "shellperf.mode=warn", "shellperf", "run", "--rc", str(slow), *FAST)
    assert warned.code == 0 and "perth: warning: first_prompt_ms" in warned.err
    relaxed = cli("--set", "shellperf.mode=gate", "--set", "shellperf.budget_stage=interim", "shellperf", "run",
                  "--rc", str(slow), *FAST)
    assert relaxed.code == 0, relaxed.err


def test_explore_is_not_recorded_and_replay_is_redacted(cli: Callable[..., Any], rc: Path, tmp_path: Path) -> None:
    secret_rc = tmp_path / "secret.zshrc"
    secret_rc.write_text("PS1='%1~%# '\necho GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n")
    replay = tmp_path / "replay"
    document = _json(cli, "shellperf", "run", "--rc", str(secret_rc), "--profile", "explore", "--replay",
                     str(replay), *FAST)
    assert document["run"]["ephemeral"] is True
    assert _json(cli, "shellperf", "ledger")["count"] == 0
    files = sorted(replay.iterdir())
    assert [f.name for f in files] == ["sample-0.jsonl", "sample-1.jsonl"]
    text = files[0].read_text()
    events = [json.loads(line) for line in text.splitlines()]
    assert {e["dir"] for e in events} == {"in", "out"} and all(e["t_ms"] >= 0 for e in events)
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in text and "[REDACTED:github-pat]" in text


def test_env_secrets_reach_the_shell_but_not_the_ledger_or_the_output(cli: Callable[..., Any], tmp_path: Path,
                                                                      perth_home: Path) -> None:
    token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
    rc = tmp_path / "uses-token.zshrc"
    rc.write_text("PS1='%1~%# '\n[[ $GITHUB_TOKEN == ghp_* ]] || sleep 30\n")  # the shell sees the real value
    result = cli("shellperf", "run", "--rc", str(rc), "--env", f"GITHUB_TOKEN={token}", *FAST, "--format", "json")
    assert result.code == 0 and json.loads(result.out)["run"]["status"] == "complete"
    assert token not in result.out and "[REDACTED:github-pat]" in result.out
    stored = b"".join(p.read_bytes() for p in perth_home.iterdir() if p.name.startswith("perth.db"))
    assert token.encode() not in stored


def test_ci_writes_badges_and_report_and_fails_partial_runs(cli: Callable[..., Any], tmp_path: Path) -> None:
    hang = tmp_path / "hang.zshrc"
    hang.write_text("sleep 30\n")
    result = cli("--set", "shellperf.mode=gate", "shellperf", "ci", "--rc", str(hang), "-n", "1", "--warmup", "0",
                 "--timeout-ms", "500", "--no-exit", "--badges", str(tmp_path / "badges"), "--report",
                 str(tmp_path / "report.md"))
    assert result.code == 5 and "partial run under the strict ci profile" in result.err
    first_prompt = json.loads((tmp_path / "badges" / "first-prompt.json").read_text())
    assert first_prompt == {"schemaVersion": 1, "label": "first prompt", "message": "missing", "color": "lightgrey"}
    assert (tmp_path / "badges" / "governance.svg").read_text().startswith("<svg")
    assert "## Findings" in (tmp_path / "report.md").read_text()


def test_badge_report_chart(cli: Callable[..., Any], rc: Path, tmp_path: Path) -> None:
    assert cli("shellperf", "run", "--rc", str(rc), *FAST).code == 0
    badges = _json(cli, "shellperf", "badge", "--out", str(tmp_path / "b"))
    assert set(badges["badges"]) == {"first-prompt", "drift", "budget", "governance"}
    assert len(badges["files"]) == 8 and badges["badges"]["drift"]["message"] == "no baseline"
    report = cli("shellperf", "report", "--chart", str(tmp_path / "trend.svg"), "--format", "markdown")
    assert report.code == 0 and "| first_prompt_ms |" in report.out
    assert "<svg" in (tmp_path / "trend.svg").read_text()
    assert set(_json(cli, "shellperf", "report")) == RUN_KEYS


def test_ab_bench_fn_instrument(cli: Callable[..., Any], rc: Path, tmp_path: Path) -> None:
    slower = tmp_path / "b.zshrc"
    slower.write_text("PS1='%1~%# '\nsleep 0.08\n")
    ab = _json(cli, "shellperf", "ab", "--rc", str(rc), "--rc", str(slower), *FAST)
    first_prompt = next(d for d in ab["deltas"] if d["name"] == "first_prompt_ms")
    assert first_prompt["classification"] == "FAIL" and first_prompt["delta_ms"] > 60
    functions = tmp_path / "fns.zsh"
    functions.write_text("hello() { : }\n")
    bench = _json(cli, "shellperf", "bench-fn", "--rc", str(functions), "--calls", "50", "--batches", "3", "hello",
                  "absent")
    assert [f["name"] for f in bench["functions"]] == ["_perth_bench_empty", "hello", "absent"]
    assert bench["functions"][1]["per_call_us"]["n"] == 3 and bench["functions"][2]["missing"]
    library = cli("shellperf", "instrument", "zsh")
    assert library.code == 0 and "perth_segment_begin()" in library.out


def test_errors_have_exit_codes(cli: Callable[..., Any], tmp_path: Path) -> None:
    missing_shell = cli("shellperf", "run", "--shell-path", str(tmp_path / "nope"), "--norc", *FAST)
    assert missing_shell.code == 4 and "not installed or not executable" in missing_shell.err
    assert cli("shellperf", "run", "--rc", str(tmp_path / "absent")).code == 3
    assert cli("shellperf", "compare").code == 3
    assert cli("shellperf", "baseline", "save", "bad name").code == 1
