"""Views of ``perth summarize`` results and ``perth providers status``."""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.resilience.breaker import BreakerState
    from perth.resilience.policy import BreakerPolicy
    from perth.summarize.service import ChainAttempt, ProviderStatus, Summary


def _attempt_json(attempt: ChainAttempt) -> dict[str, object]:
    return {"provider": attempt.provider, "model": attempt.model, "outcome": attempt.outcome,
            "attempts": attempt.attempts, "latency_ms": attempt.latency_ms, "error": attempt.error}


def _chain_table(chain: Sequence[ChainAttempt]) -> Table:
    rows = [(a.provider, a.model, a.outcome, str(a.attempts), "" if a.latency_ms is None else f"{a.latency_ms} ms",
             a.error or "") for a in chain]
    return Table(("provider", "model", "outcome", "tries", "latency", "error"), rows, "Provider chain")


def summary_view(summary: Summary) -> Document:
    """``perth summarize``: the automated intent written, and how it was produced."""
    gen, entry = summary.generation, summary.entry
    data = {"entry": entry.to_json(), "written": summary.written, "provider": gen.provider, "model": gen.model,
            "usage": {"input_tokens": gen.input_tokens, "output_tokens": gen.output_tokens},
            "chain": [_attempt_json(a) for a in gen.chain], "warnings": list(gen.warnings),
            "budget": {"limit_tokens": summary.prompt.budget.limit_tokens,
                       "used_tokens": summary.prompt.budget.used_tokens,
                       "tokenizer": summary.prompt.budget.tokenizer}}
    usage = "" if gen.input_tokens is None else f"{gen.input_tokens} in / {gen.output_tokens} out"
    blocks: list[Block] = [
        Note(entry.summary),
        Fields([("entry", entry.id[-8:]), ("pane", entry.pane_name), ("provider", f"{gen.provider} ({gen.model})"),
                ("tokens", usage or "not reported")]),
    ]
    if not summary.written:
        blocks.insert(0, Note("Unchanged since the pane's latest summary: not written again."))
    if len(gen.chain) > 1:
        blocks.append(_chain_table(gen.chain))
    if gen.warnings:
        blocks.append(Items(list(gen.warnings), "Warnings"))
    return Document("perth.summary.v1", data, title="Summary (automated checkpoint)", blocks=blocks)


def _breaker_json(state: BreakerState | None, policy: BreakerPolicy) -> dict[str, object] | None:
    if state is None:
        return None
    retry_at = state.retry_at(policy)
    return {"state": state.state, "failures": state.failures,
            "opened_at": to_iso(state.opened_at) if state.opened_at else None,
            "retry_at": to_iso(retry_at) if retry_at else None, "last_error": state.last_error,
            "last_latency_ms": state.last_latency_ms,
            "last_success_at": to_iso(state.last_success_at) if state.last_success_at else None,
            "last_failure_at": to_iso(state.last_failure_at) if state.last_failure_at else None}


def _row_json(row: ProviderStatus, policy: BreakerPolicy) -> dict[str, object]:
    stats = row.stats
    return {"name": row.name, "model": row.model, "chain_position": row.position, "configured": row.configured,
            "breaker": _breaker_json(row.breaker, policy),
            "calls": None if stats is None else {
                "total": stats.calls, "ok": stats.ok, "failed": stats.failed, "input_tokens": stats.input_tokens,
                "output_tokens": stats.output_tokens, "mean_latency_ms": stats.mean_latency_ms,
                "last_at": to_iso(stats.last_at) if stats.last_at else None}}


def _state_cell(row: ProviderStatus, policy: BreakerPolicy) -> str:
    if row.name == "none":
        return "local"
    state = row.breaker
    if state is None:
        return "closed (unused)"
    retry_at = state.retry_at(policy)
    if state.state == "open" and retry_at:
        return f"open until {to_local(retry_at)}"
    return state.state + (f" ({state.failures} failed)" if state.failures else "")


def providers_view(rows: Sequence[ProviderStatus], chain: Sequence[str], policy: BreakerPolicy) -> Document:
    """``perth providers status``: chain, breaker state, last error and latency of each provider."""
    table_rows = []
    for row in rows:
        stats = row.stats
        latency = row.breaker.last_latency_ms if row.breaker and row.breaker.last_latency_ms is not None else None
        table_rows.append((row.name, "" if row.position is None else str(row.position), row.model, row.configured,
                           _state_cell(row, policy), "" if latency is None else f"{latency} ms",
                           "" if stats is None else f"{stats.ok}/{stats.calls}",
                           "" if stats is None else f"{stats.input_tokens}/{stats.output_tokens}",
                           (row.breaker.last_error or "") if row.breaker else ""))
    data = {"chain": list(chain), "breaker_policy": {"threshold": policy.threshold, "cooldown_s": policy.cooldown_s},
            "providers": [_row_json(row, policy) for row in rows]}
    table = Table(("provider", "chain", "model", "configured", "breaker", "latency", "ok/calls", "tokens in/out",
                   "last error"), table_rows)
    return Document("perth.providers.v1", data, title="LLM providers",
                    blocks=(Note("chain: " + " -> ".join(chain)), table))


def reset_view(names: Sequence[str]) -> Document:
    """``perth providers reset``."""
    text = ("closed the circuit breaker of " + ", ".join(names)) if names else "no breaker to reset"
    return Document("perth.providers.reset.v1", {"reset": list(names)}, blocks=(Note(text),))
