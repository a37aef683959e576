"""Records shared by the collectors, the budget, the prompt builder and the providers."""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.records import Entry
    from perth.redact import Redacted

#: The tag of the checkpoints ``perth summarize`` writes, and how the intents section labels them
#: (so that a later summary does not quote an earlier one as the user's intent).
SUMMARY_TAG = "summary"
SUMMARY_LABEL = "perth summary"



def is_summary(entry: Entry) -> bool:
    """Whether an intent entry is a checkpoint ``perth summarize`` wrote (generated text, not a fact)."""
    return entry.source == "automated" and SUMMARY_TAG in entry.tags


# Collector outcomes, as reported in a context's ``reports``.
COLLECTOR_STATUSES: tuple[str, ...] = ("ok", "truncated", "timeout", "error", "skipped")


class Section(Record):
    """One part of the context: collected, bounded and already through the secret filter.

    Attributes:
        name: stable identifier (``commands``, ``intents``, ``git.status``, ``git.diff``...).
        title: heading shown to people and models.
        priority: lower is more important; the budget drops the highest numbers first.
        text: the content, redacted.
        truncated: whether the content was cut to its byte limit or to the token budget.
    """

    name: str
    title: str
    priority: int
    text: Redacted
    truncated: bool = False


class CollectorReport(Record):
    """How one collector went: status (see :data:`COLLECTOR_STATUSES`), time, bytes, detail."""

    name: str
    status: str
    elapsed_ms: int
    bytes: int = 0
    detail: str = ""


class Context(Record):
    """Everything collected about a pane's recent work."""

    pane_id: str | None
    pane_name: str | None
    cwd: str
    repo_root: str | None
    branch: str | None
    since_ms: int | None
    collected_at: int
    sections: tuple[Section, ...]
    reports: tuple[CollectorReport, ...]


class BudgetLine(Record):
    """What the budget did to one section: kept whole, cut, or dropped."""

    section: str
    priority: int
    tokens_before: int
    tokens_after: int
    action: str  # "kept", "cut" or "dropped"


class Budget(Record):
    """The token budget applied to a context."""

    limit_tokens: int
    used_tokens: int
    tokenizer: str  # "estimate" or the exact tokenizer's name
    lines: tuple[BudgetLine, ...]


class Prompt(Record):
    """A complete request, built once for every provider from redacted parts.

    ``context`` is the budgeted context the prompt was built from; the extractive
    ``none`` provider summarizes it directly.
    """

    purpose: str  # "summary" or "narrative"
    system: Redacted
    user: Redacted
    max_output_tokens: int
    budget: Budget
    context: Context | None = None


class Usage(Record):
    """Token usage reported by a provider (None when it did not say)."""

    input_tokens: int | None = None
    output_tokens: int | None = None


class Completion(Record):
    """A provider's reply.

    ``warnings`` reports what went wrong without failing (e.g. a malformed body used as text).
    """

    provider: str
    model: str
    text: str
    usage: Usage = Usage()
    latency_ms: int = 0
    warnings: tuple[str, ...] = ()


LLM_OUTCOMES: tuple[str, ...] = ("ok", "failed", "rejected", "open")


class LlmCall(Record):
    """One provider call as recorded in the store: outcome, attempts, latency and token usage.

    ``outcome``: ``ok``, ``failed`` (after its retries), ``rejected`` (400/401/403/404) or ``open``
    (refused by the circuit breaker, no request made).  ``error`` is one redacted line.
    """

    id: str
    at: int
    provider: str
    model: str
    purpose: str
    outcome: str
    pane_id: str | None = None
    attempts: int = 0
    latency_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    error: str | None = None


class LlmStats(Record):
    """Totals of one provider's recorded calls."""

    provider: str
    calls: int
    ok: int
    failed: int
    input_tokens: int
    output_tokens: int
    last_at: int | None
    mean_latency_ms: int | None
