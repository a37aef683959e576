"""The shared prompt builder: deterministic, always redacted, one builder for every purpose."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perth.config import load_settings
from perth.errors import InvalidInputError
from perth.ids import uuid7
from perth.panes.entries import EntryDraft, log_entry
from perth.paths import resolve_paths
from perth.record import replace
from perth.records import Pane
from perth.redact import Redacted, SecretFilter
from perth.runtime import Runtime
from perth.summarize.budget import EstimateTokenizer, fit_to_budget
from perth.summarize.model import Budget, CollectorReport, Context, Section
from perth.summarize.prompt import (
    SYSTEM_TEXTS,
    build_prompt,
    fence_for,
    prepare,
    render_context_block,
)
from tests.gitrepo import git

GITHUB_PAT = "ghp_" + "Zq8XwT3vLmN5bR7kYp2HsD4fGj6KcA9eUi1o"  # fake, right shape
SECRETS = SecretFilter()
NO_BUDGET = Budget(limit_tokens=1000, used_tokens=0, tokenizer="estimate", lines=())


def context_with(*texts: Redacted) -> Context:
    sections = tuple(Section(name=f"s{n}", title=f"Part {n}", priority=n, text=text) for n, text in enumerate(texts))
    return Context(pane_id="p1", pane_name="fix/auth", cwd="/w/r", repo_root="/w/r", branch="main", since_ms=None,
                   collected_at=1_763_650_800_000, sections=sections,
                   reports=(CollectorReport(name="s0", status="ok", elapsed_ms=1),))


def test_prompt_is_deterministic_and_redacted() -> None:
    context = context_with(SECRETS.redact("ran make test"), SECRETS.redact("M app.py"))
    first = build_prompt(context, NO_BUDGET, max_output_tokens=200, secret_filter=SECRETS)
    again = build_prompt(context, NO_BUDGET, max_output_tokens=200, secret_filter=SECRETS)
    assert first == again and first.user == again.user
    assert type(first.system) is Redacted and type(first.user) is Redacted
    assert first.user == render_context_block(context)
    assert first.system == SYSTEM_TEXTS["summary"] and "checkpoint" in first.system and "never invent" in first.system
    assert (first.purpose, first.max_output_tokens, first.budget, first.context) == ("summary", 200, NO_BUDGET, context)


def test_a_section_from_elsewhere_is_redacted_even_with_redaction_off() -> None:
    unfiltered = SecretFilter(enabled=False)
    leaked = unfiltered.redact(f"export GITHUB_TOKEN={GITHUB_PAT}")  # minted without redaction
    assert GITHUB_PAT in leaked
    prompt = build_prompt(context_with(leaked), NO_BUDGET, max_output_tokens=100, secret_filter=unfiltered)
    assert GITHUB_PAT not in prompt.user and "GITHUB_TOKEN=[REDACTED:github-pat]" in prompt.user


def test_narrative_purpose_and_bad_arguments() -> None:
    context = context_with(SECRETS.redact("abc1234 2026-11-20 fix the login"))
    narrative = build_prompt(context, NO_BUDGET, purpose="narrative", max_output_tokens=300, secret_filter=SECRETS)
    assert narrative.purpose == "narrative" and "narrative of one work session" in narrative.system
    assert narrative.user == build_prompt(context, NO_BUDGET, max_output_tokens=300, secret_filter=SECRETS).user
    with pytest.raises(InvalidInputError, match="unknown prompt purpose"):
        build_prompt(context, NO_BUDGET, purpose="poem", max_output_tokens=300, secret_filter=SECRETS)
    with pytest.raises(InvalidInputError, match="max_output_tokens"):
        build_prompt(context, NO_BUDGET, max_output_tokens=0, secret_filter=SECRETS)


def test_the_block_notes_incomplete_collectors_and_fences_sections() -> None:
    context = context_with(SECRETS.redact("```\ncode\n```"))
    context = replace(context, reports=(
        CollectorReport(name="git.diff", status="timeout", elapsed_ms=3000, detail="git diff was still\nrunning"),
        CollectorReport(name="files", status="skipped", elapsed_ms=0, detail="x")))
    block = render_context_block(context)
    assert block.splitlines()[1] == "incomplete: git.diff timeout (git diff was still running)"
    assert "## Part 0\n````\n```\ncode\n```\n````" in block
    assert fence_for("a\n  ~~~~ x", "~") == "~~~~~" and fence_for("plain") == "```"


def test_prepare_collects_fits_and_builds(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", f"rotate {GITHUB_PAT}")
    (repo / "big.txt").write_text("".join(f"line {n}\n" for n in range(5000)))
    git(repo, "add", "big.txt")
    environ = dict(os.environ)
    settings = load_settings(resolve_paths(environ), environ, {"llm.max_context_tokens": "400",
                                                               "llm.max_output_tokens": "123"})
    rt = Runtime(settings=settings, environ=environ, cwd=str(repo))
    try:
        pane = Pane(id=uuid7(), name="fix/auth", created_at=rt.clock(), last_seen_at=rt.clock(), cwd=str(repo),
                    repo_root=str(repo))
        rt.store.panes.add(pane)
        log_entry(rt, EntryDraft(summary="started the big change", type="decision"), pane.name)
        prompt = prepare(rt, pane, since_ms=None)
    finally:
        rt.close()
    assert prompt.max_output_tokens == 123 and prompt.budget.limit_tokens == 400
    assert prompt.budget.used_tokens <= 400
    assert GITHUB_PAT not in prompt.user and GITHUB_PAT not in str(prompt.context)
    assert "## Recent intents" in prompt.user and "started the big change" in prompt.user
    actions = {line.section: line.action for line in prompt.budget.lines}
    assert actions["intents"] == "kept" and actions["git.diff"] in ("cut", "dropped")
    assert prompt.context is not None
    refit, rebudget = fit_to_budget(prompt.context, 400, EstimateTokenizer(), secret_filter=SECRETS)
    if prompt.budget.tokenizer == "estimate":
        assert refit == prompt.context and rebudget.used_tokens == prompt.budget.used_tokens
