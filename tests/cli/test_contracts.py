"""Pinned JSON contracts: a shape change must be deliberate (bump the schema version)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

PANE_KEYS = {"id", "name", "status", "session", "tab", "mux_kind", "mux_pane_id", "cwd", "repo_root", "branch",
             "tags", "meta", "created_at", "last_seen_at", "deleted_at"}
ENTRY_KEYS = {"id", "pane_id", "pane", "ts", "summary", "type", "source", "agent", "artifacts", "commands_run",
              "goal_delta", "tags", "schema_version", "updated_at", "deleted_at"}
CONTRACTS: dict[str, set[str]] = {
    "perth.pane_list.v1": {"schema", "panes", "count"},
    "perth.pane.v1": {"schema", "pane", "entry_count", "recent_entries"},
    "perth.entry.v1": {"schema", "entry"},
    "perth.history.v1": {"schema", "entries", "count", "next_cursor", "filters"},
    "perth.status.v1": {"schema", "current", "panes", "more", "generated_at"},
    "perth.config.v1": {"schema", "config_file", "values"},
    "perth.doctor.v1": {"schema", "version", "ok", "checks"},
    "perth.import.v1": {"schema", "source", "panes_added", "panes_skipped", "entries_added", "entries_skipped"},
    "perth.pane_deleted.v1": {"schema", "pane", "entries_deleted"},
    "perth.command_history.v1": {"schema", "commands", "count", "next_cursor", "filters"},
    "perth.search.v1": {"schema", "query", "mode", "kinds", "count", "results", "next_cursor"},
    "perth.search_reindex.v1": {"schema", "documents", "total"},
    "perth.ingest.v1": {"schema", "files", "lines", "inserted", "duplicates", "ignored", "quarantined",
                        "waiting_partial", "skipped_busy", "complete", "warnings"},
    "perth.import_history.v1": {"schema", "path", "shell", "format", "commands", "inserted", "duplicates"},
    "perth.daemon_status.v1": {"schema", "running", "pid", "tasks", "command_server"},
    "perth.redaction_stats.v1": {"schema", "total", "counts"},
    "perth.scan.v1": {"schema", "count", "findings"},
    "perth.context.v1": {"schema", "pane", "pane_id", "cwd", "repo_root", "branch", "since", "collected_at",
                         "sections", "collectors"},
    "perth.summarize.dryrun.v1": {"schema", "chain", "purpose", "tokenizer", "limit_tokens", "used_tokens",
                                  "max_output_tokens", "budget", "system", "user"},
    "perth.summary.v1": {"schema", "entry", "written", "provider", "model", "usage", "chain", "warnings", "budget"},
    "perth.recovery.v1": {"schema", "path", "kept_as", "tables", "rows", "unreadable"},
    "perth.providers.v1": {"schema", "chain", "breaker_policy", "providers"},
    "perth.providers.reset.v1": {"schema", "reset"},
    "perth.journal.v1": {"schema", "scope", "since", "until", "idle_gap_min", "generated_at", "count", "warnings",
                         "sessions"},
    "perth.journal.verify.v1": {"schema", "file", "repo", "ok", "sections", "checked", "mismatches", "notes"},
    "perth.journal.append.v1": {"schema", "file", "created", "added", "added_count", "already_present",
                                "still_open"},
    "perth.store.migrate.v1": {"schema", "source", "target", "dry_run", "ok", "skipped", "parts"},
    "perth.handoff.v1": {"schema", "pane", "state", "commits", "decisions", "blockers", "next", "failing_commands",
                         "resume", "snapshot", "generated_at", "warnings"},
    "perth.job.v1": {"schema", "action", "job"},
    "perth.job.list.v1": {"schema", "count", "counts", "jobs"},
    "perth.job.dlq.v1": {"schema", "count", "counts", "jobs"},
    "perth.job.logs.v1": {"schema", "job_id", "lines"},
    "perth.job.dropped.v1": {"schema", "count", "dropped"},
    "perth.worker.v1": {"schema", "engine", "concurrency", "stats"},
}
JOB_KEYS = {"id", "kind", "target", "args", "options", "status", "engine", "idempotency_key", "timeout_s", "max_attempts",
            "attempt", "created_at", "available_at", "started_at", "finished_at", "lease_owner", "lease_until",
            "cancel_requested", "exit_code", "output", "output_bytes", "output_path", "error", "error_kind", "result"}
COMMAND_KEYS = {"id", "pane_id", "pane", "start", "duration_ms", "exit", "command", "cwd", "repo_root", "branch",
                "shell", "session", "host", "user", "source"}


def _json(cli: Callable[..., Any], *args: str) -> dict[str, Any]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    assert set(document) == CONTRACTS[document["schema"]], document["schema"]
    return document


def test_contract_shapes(cli: Callable[..., Any], tmp_path) -> None:  # type: ignore[no-untyped-def]
    entry = _json(cli, "log", "x", "--pane", "p")["entry"]
    assert set(entry) == ENTRY_KEYS
    assert entry["ts"].endswith("Z") and len(entry["ts"]) == 24
    pane_list = _json(cli, "pane", "list")
    assert set(pane_list["panes"][0]) == PANE_KEYS
    pane = _json(cli, "pane", "show", "p")
    assert set(pane["pane"]) == PANE_KEYS and set(pane["recent_entries"][0]) == ENTRY_KEYS
    history = _json(cli, "history")
    assert set(history["filters"]) == {"panes", "types", "sources", "tags", "agent", "since", "until", "limit",
                                       "offset"}
    status = _json(cli, "status")
    assert set(status["current"]) == {"name", "how", "detail", "registered"}
    assert set(status["panes"][0]) == {"pane", "current", "last_entry", "branch", "dirty_files", "dirty_total",
                                       "last_commands", "next_steps", "git_error"}
    config = _json(cli, "config", "show")
    assert set(config["values"][0]) == {"key", "value", "source"}
    doctor = _json(cli, "doctor")
    assert set(doctor["checks"][0]) == {"area", "name", "status", "detail", "fix"}
    _json(cli, "show", entry["id"])
    out = tmp_path / "e.jsonl"
    assert cli("export", "-o", str(out)).code == 0
    _json(cli, "import", str(out))
    _json(cli, "pane", "delete", "p")
    _json(cli, "doctor", "--recover")  # a whole file is salvaged just the same


def test_store_migrate_contract_shape(cli: Callable[..., Any], tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli("log", "x", "--pane", "p")
    for dry_run in (("--dry-run",), ()):
        report = _json(cli, "store", "migrate", "--to", str(tmp_path / "copy.db"), *dry_run)
        assert set(report["parts"][0]) == {"part", "port", "status", "source_count", "target_count", "added",
                                           "updated", "source_checksum", "target_checksum", "ok"}


def test_capture_and_redact_contract_shapes(cli: Callable[..., Any], tmp_path) -> None:  # type: ignore[no-untyped-def]
    history = tmp_path / "zsh_history"
    history.write_text(": 1700000000:2;git status\n")
    _json(cli, "import-history", "--shell", "zsh", "--file", str(history))
    _json(cli, "ingest")
    listed = _json(cli, "history", "--commands")
    assert set(listed["commands"][0]) == COMMAND_KEYS
    found = _json(cli, "search", "status")
    assert set(found["results"][0]) == {"kind", "id", "score", "bm25", "text", "snippet", "highlights", "pane", "at",
                                        "importance"}
    assert _json(cli, "search", "reindex")["documents"]["command"] == 1
    status = _json(cli, "daemon", "status")
    assert set(status["tasks"][0]) == {"name", "interval_s"}
    assert cli("log", "token ghp_" + "k" * 36, "--pane", "p").code == 0
    stats = _json(cli, "redact", "stats")
    assert set(stats["counts"][0]) == {"rule", "source", "count", "last_at"}
    leak = tmp_path / "leak.env"
    leak.write_text("GITHUB_TOKEN=ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eE4" + "\n")
    result = cli("scan", str(leak), "--format", "json")
    assert result.code == 5
    scan = json.loads(result.out)
    assert set(scan) == CONTRACTS["perth.scan.v1"]
    assert set(scan["findings"][0]) == {"path", "line", "column", "rule", "fingerprint"}


def test_summarize_contract_shapes(cli: Callable[..., Any]) -> None:
    context = _json(cli, "context")
    assert set(context["collectors"][0]) == {"name", "status", "elapsed_ms", "bytes", "detail"}
    cli("log", "checking the contract", "--pane", "p")
    dry = _json(cli, "summarize", "--dry-run", "--pane", "p")
    assert set(dry["budget"][0]) == {"section", "priority", "tokens_before", "tokens_after", "action"}
    summary = _json(cli, "summarize", "--pane", "p")
    assert set(summary["entry"]) == ENTRY_KEYS
    assert set(summary["usage"]) == {"input_tokens", "output_tokens"}
    assert set(summary["chain"][0]) == {"provider", "model", "outcome", "attempts", "latency_ms", "error"}
    assert set(summary["budget"]) == {"limit_tokens", "used_tokens", "tokenizer"}
    providers = _json(cli, "providers", "status")
    assert set(providers["providers"][0]) == {"name", "model", "chain_position", "configured", "breaker", "calls"}
    none = next(p for p in providers["providers"] if p["name"] == "none")
    assert set(none["calls"]) == {"total", "ok", "failed", "input_tokens", "output_tokens", "mean_latency_ms",
                                  "last_at"}
    _json(cli, "providers", "reset")


SESSION_KEYS = {"id", "start", "end", "active_ms", "repos", "branches", "panes", "commits", "milestones", "decisions",
                "blockers", "next", "notes", "failures", "files_touched", "stats", "narrative"}


def test_journal_contract_shapes(cli: Callable[..., Any], repo, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(repo)
    cli("log", "ship the parser", "--type", "milestone")
    cli("log", "keep the old flag", "--type", "decision")
    journal = _json(cli, "journal")
    session = journal["sessions"][0]
    assert set(session) == SESSION_KEYS
    assert set(session["stats"]) == {"commands", "failures", "commits", "added", "removed"}
    assert set(session["commits"][0]) == {"sha", "short", "repo", "at", "subject", "branch", "added", "removed",
                                          "files"}
    assert set(session["milestones"][0]) == {"text", "entry_id", "short", "at"}
    log = tmp_path / "SESSIONS.md"
    log.write_text(f"# Sessions\n\n## Session\n\n- commit `{session['commits'][0]['short']}`\n")
    verify = _json(cli, "journal", "verify", str(log))
    assert set(verify["checked"]) == {"shas", "counts", "branches"}
    appended = cli("journal", "append", str(tmp_path / "NEW.md"), "--format", "json")
    assert appended.code == 0, appended.err
    assert set(json.loads(appended.out)) == CONTRACTS["perth.journal.append.v1"]
    handoff = _json(cli, "handoff")
    assert set(handoff["pane"]) == {"id", "name", "status"}
    assert set(handoff["state"]) == {"repo", "branch", "dirty_files", "dirty_total", "last_intent"}
    assert set(handoff["resume"][0]) == {"command", "why"}


def test_job_contract_shapes(cli: Callable[..., Any]) -> None:
    ran = cli("job", "run", "fake", "--attempts", "1", "--wait", "--format", "json", "--", "echo:x", "reject")
    job = json.loads(ran.out)["job"]
    assert set(job) == JOB_KEYS
    assert set(_json(cli, "job", "list")["jobs"][0]) == JOB_KEYS
    assert set(_json(cli, "job", "dlq", "list")["jobs"][0]) == JOB_KEYS
    assert set(_json(cli, "job", "logs", job["id"])["lines"][0]) == {"seq", "at", "attempt", "level", "text"}
    _json(cli, "job", "dlq", "drop", job["id"])
    worker = _json(cli, "worker", "run", "--drain")
    assert set(worker["stats"]) == {"ran", "succeeded", "failed", "retried", "dead", "cancelled", "reaped"}
