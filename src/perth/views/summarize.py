"""Views of a collected context (``perth context``) and of a prompt (``perth summarize --dry-run``).

The context view's blocks are the pieces of :func:`perth.summarize.prompt.render_context_block`,
one :class:`Note` each and no title, so its ``llm`` rendering *is* the context block (what a
provider receives), its text and Markdown renderings are the same pieces separated by blank
lines (the sections are fenced code under ``##`` headings), and ``json`` is ``perth.context.v1``.
"""

from __future__ import annotations

from perth.clock import to_iso
from perth.summarize.prompt import context_block_parts, fence_for
from perth.views.document import Block, Document, Fields, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.summarize.model import Budget, Context, Prompt


def context_json(context: Context) -> dict[str, Any]:
    """The ``perth.context.v1`` contract (without the schema field)."""
    return {
        "pane": context.pane_name, "pane_id": context.pane_id, "cwd": context.cwd,
        "repo_root": context.repo_root, "branch": context.branch,
        "since": to_iso(context.since_ms) if context.since_ms is not None else None,
        "collected_at": to_iso(context.collected_at),
        "sections": [{"name": s.name, "title": s.title, "priority": s.priority, "truncated": s.truncated,
                      "text": str(s.text)} for s in context.sections],
        "collectors": [{"name": r.name, "status": r.status, "elapsed_ms": r.elapsed_ms, "bytes": r.bytes,
                        "detail": r.detail} for r in context.reports],
    }


def context_view(context: Context) -> Document:
    """``perth context``: the context block (``llm`` renders exactly ``render_context_block``)."""
    return Document("perth.context.v1", context_json(context),
                    blocks=[Note(part) for part in context_block_parts(context)])


def _budget_rows(budget: Budget) -> list[tuple[str, ...]]:
    return [(line.section, str(line.priority), str(line.tokens_before), str(line.tokens_after), line.action)
            for line in budget.lines]


def _fenced(label: str, text: str) -> Note:
    fence = fence_for(text, "~")
    return Note(f"{label}:\n{fence}\n{text}\n{fence}")


def dry_run_view(prompt: Prompt, provider_chain: Sequence[str]) -> Document:
    """``perth summarize --dry-run``: the token budget, then the full redacted prompt."""
    budget = prompt.budget
    data = {
        "chain": list(provider_chain), "purpose": prompt.purpose, "tokenizer": budget.tokenizer,
        "limit_tokens": budget.limit_tokens, "used_tokens": budget.used_tokens,
        "max_output_tokens": prompt.max_output_tokens,
        "budget": [{"section": line.section, "priority": line.priority, "tokens_before": line.tokens_before,
                    "tokens_after": line.tokens_after, "action": line.action} for line in budget.lines],
        "system": str(prompt.system), "user": str(prompt.user),
    }
    pairs = [("providers", " -> ".join(provider_chain) or "(none)"), ("purpose", prompt.purpose),
             ("tokenizer", budget.tokenizer), ("context tokens", f"{budget.used_tokens} of {budget.limit_tokens}"),
             ("max output tokens", str(prompt.max_output_tokens))]
    blocks: list[Block] = [
        Fields(pairs),
        Table(("section", "priority", "tokens", "sent", "action"), _budget_rows(budget), "Token budget"),
        _fenced("System prompt", prompt.system),
        _fenced("User prompt", prompt.user),
        Note("Dry run: nothing was sent and no intent was written."),
    ]
    return Document("perth.summarize.dryrun.v1", data, title="Summarize (dry run)", blocks=blocks)


__all__ = ["context_json", "context_view", "dry_run_view"]
