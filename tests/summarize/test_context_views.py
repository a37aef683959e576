"""collect_context with injected hanging and failing collectors; the context and dry-run views."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.config import load_settings
from perth.ids import uuid7
from perth.paths import resolve_paths
from perth.records import Pane
from perth.redact import SecretFilter
from perth.runtime import Runtime
from perth.summarize.budget import fit_to_budget
from perth.summarize.collectors import DEFAULT_COLLECTORS, Collected, Collector, Job
from perth.summarize.context import collect_context
from perth.summarize.model import CollectorReport, Context, Section
from perth.summarize.prompt import build_prompt, render_context_block
from perth.views.document import render
from perth.views.summarize import context_view, dry_run_view

GITHUB_PAT = "ghp_" + "Zq8XwT3vLmN5bR7kYp2HsD4fGj6KcA9eUi1o"  # fake, right shape
CONTEXT_KEYS = {"schema", "pane", "pane_id", "cwd", "repo_root", "branch", "since", "collected_at", "sections",
                "collectors"}
DRY_RUN_KEYS = {"schema", "chain", "purpose", "tokenizer", "limit_tokens", "used_tokens", "max_output_tokens",
                "budget", "system", "user"}


@pytest.fixture
def rt(repo: Path) -> Iterator[Runtime]:
    environ = dict(os.environ)
    runtime = Runtime(settings=load_settings(resolve_paths(environ), environ), environ=environ, cwd=str(repo))
    yield runtime
    runtime.close()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so a deliberately hanging collector's thread ends with the test."""
    event = threading.Event()
    yield event
    event.set()


def quick(name: str, text: str, priority: int = 25) -> Collector:
    return Collector(name, name.title(), priority, lambda job: Collected(text))


def test_a_hanging_collector_is_cut_off_and_reported(rt: Runtime, release: threading.Event) -> None:
    def hang(job: Job) -> Collected:
        release.wait(60)
        return Collected("too late")

    branch = next(c for c in DEFAULT_COLLECTORS if c.name == "git.branch")
    chosen = [Collector("slow", "Slow", 5, hang), branch, quick("quick", "fast facts")]
    started = time.monotonic()
    context = collect_context(rt, None, collectors=chosen, timeout_ms=500)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 2.0  # gave up at the time limit (generous margin for a loaded machine)
    statuses = {r.name: r.status for r in context.reports}
    assert statuses == {"slow": "timeout", "git.branch": "ok", "quick": "ok"}
    slow = context.reports[0]
    assert slow.detail == "still running at the time limit; not waited for" and slow.elapsed_ms >= 400
    assert [s.name for s in context.sections] == ["git.branch", "quick"]
    assert context.sections[1].text == "fast facts"


def test_a_raising_collector_is_reported_as_an_error_redacted(rt: Runtime) -> None:
    def boom(job: Job) -> Collected:
        raise RuntimeError(f"bad token {GITHUB_PAT}\nsecond line")

    context = collect_context(rt, None, collectors=[Collector("boom", "Boom", 5, boom), quick("ok", "still here")])
    failed = context.reports[0]
    assert (failed.name, failed.status) == ("boom", "error")
    assert failed.detail == "RuntimeError: bad token [REDACTED:github-pat]"
    assert [s.text for s in context.sections] == ["still here"]
    assert "boom error (RuntimeError: bad token [REDACTED:github-pat])" in render_context_block(context)


def test_injected_text_is_redacted_and_bounded(rt: Runtime) -> None:
    leaky = quick("leaky", f"export GITHUB_TOKEN={GITHUB_PAT}\n" + "filler line\n" * 5000)
    context = collect_context(rt, None, collectors=[leaky])
    text = context.sections[0].text
    assert GITHUB_PAT not in text and text.startswith("export GITHUB_TOKEN=[REDACTED:github-pat]")
    limit = rt.settings.get_int("context.section_bytes")
    assert len(text.encode()) <= limit and context.sections[0].truncated
    assert context.reports[0].status == "truncated" and context.reports[0].bytes <= limit


def test_empty_text_makes_no_section(rt: Runtime) -> None:
    context = collect_context(rt, None, collectors=[quick("nothing", "")])
    assert context.sections == () and context.reports[0].status == "ok"
    assert render_context_block(context).endswith("(nothing collected)")


def test_default_collectors_on_a_pane(rt: Runtime, repo: Path) -> None:
    pane = Pane(id=uuid7(), name="fix/auth", created_at=rt.clock(), last_seen_at=rt.clock(), cwd=str(repo),
                repo_root=str(repo), branch="feature/x")
    rt.store.panes.add(pane)
    context = collect_context(rt, pane, since_ms=rt.clock() - 3_600_000)
    assert [r.name for r in context.reports] == [c.name for c in DEFAULT_COLLECTORS]
    assert all(r.status in ("ok", "truncated") for r in context.reports), context.reports
    assert (context.pane_id, context.pane_name, context.branch) == (pane.id, "fix/auth", "feature/x")
    assert {s.name for s in context.sections} >= {"git.branch", "git.status", "git.log", "files"}


def sample_context() -> Context:
    secrets = SecretFilter()
    sections = (
        Section(name="intents", title="Recent intents", priority=10, text=secrets.redact("2026-11-20 14:05 [decision] ab12cd34: use sqlite")),
        Section(name="git.diff", title="Diff", priority=60, text=secrets.redact("diff --git a/x b/x\n ```\n+## not a heading\n"), truncated=True),
    )
    reports = (CollectorReport(name="intents", status="ok", elapsed_ms=3, bytes=48),
               CollectorReport(name="git.diff", status="truncated", elapsed_ms=40, bytes=40, detail="cut at 40 bytes"),
               CollectorReport(name="files", status="timeout", elapsed_ms=3000, detail="still running"),
               CollectorReport(name="commands", status="skipped", elapsed_ms=0, detail="no registered pane here"))
    return Context(pane_id="p-1", pane_name="fix/auth", cwd="/w/repo/src", repo_root="/w/repo", branch="feature/x",
                   since_ms=1_763_647_200_000, collected_at=1_763_650_800_000, sections=sections, reports=reports)


def test_context_view_json_contract() -> None:
    document = json.loads(render(context_view(sample_context()), "json"))
    assert set(document) == CONTEXT_KEYS and document["schema"] == "perth.context.v1"
    assert document["pane"] == "fix/auth" and document["since"] == "2025-11-20T14:00:00.000Z"
    assert document["collected_at"] == "2025-11-20T15:00:00.000Z"
    assert set(document["sections"][0]) == {"name", "title", "priority", "truncated", "text"}
    assert document["sections"][1] == {"name": "git.diff", "title": "Diff", "priority": 60, "truncated": True,
                                       "text": "diff --git a/x b/x\n ```\n+## not a heading\n"}
    assert set(document["collectors"][0]) == {"name", "status", "elapsed_ms", "bytes", "detail"}
    assert [c["status"] for c in document["collectors"]] == ["ok", "truncated", "timeout", "skipped"]


def test_context_view_llm_is_the_context_block_and_text_has_headings() -> None:
    context = sample_context()
    block = render_context_block(context)
    assert render(context_view(context), "llm") == block
    lines = block.splitlines()
    assert lines[0].startswith("context: pane=fix/auth; branch=feature/x; repo=/w/repo; cwd=/w/repo/src; since=")
    assert lines[1] == "incomplete: git.diff truncated (cut at 40 bytes); files timeout (still running)"
    assert "## Recent intents\n```\n2026-11-20 14:05 [decision] ab12cd34: use sqlite\n```" in block
    assert "## Diff (truncated)\n````\ndiff --git a/x b/x\n ```\n+## not a heading\n````" in block
    text = render(context_view(context), "text")
    assert "\n\n## Recent intents\n" in text and "\n\n## Diff (truncated)\n" in text
    assert render(context_view(context), "markdown").count("\n## ") == 2


def test_dry_run_view_contract_and_text() -> None:
    secrets = SecretFilter()
    fitted, budget = fit_to_budget(sample_context(), 40, secret_filter=secrets)
    prompt = build_prompt(fitted, budget, max_output_tokens=300, secret_filter=secrets)
    document = json.loads(render(dry_run_view(prompt, ["anthropic", "none"]), "json"))
    assert set(document) == DRY_RUN_KEYS and document["schema"] == "perth.summarize.dryrun.v1"
    assert document["chain"] == ["anthropic", "none"] and document["purpose"] == "summary"
    assert document["tokenizer"] in ("estimate", "tiktoken:o200k_base", "tiktoken:cl100k_base")
    assert document["limit_tokens"] == 40 and document["used_tokens"] <= 40
    assert [b["action"] for b in document["budget"]] == ["kept", "dropped"]
    assert set(document["budget"][0]) == {"section", "priority", "tokens_before", "tokens_after", "action"}
    assert document["system"] == prompt.system and document["user"] == prompt.user
    text = render(dry_run_view(prompt, ["anthropic", "none"]), "text")
    assert text.index("Token budget:") < text.index("System prompt:") < text.index("User prompt:")
    assert "providers:         anthropic -> none" in text
    assert f"~~~\n{prompt.user}\n~~~" in text and f"~~~\n{prompt.system}\n~~~" in text
