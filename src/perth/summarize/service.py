"""Summaries and narratives through the provider fallback chain (C4).

:func:`generate` tries each provider of the chain in order.  Every real provider is called
through :func:`perth.resilience.call.resilient_call` under its own circuit breaker
(``llm:<name>``, state in the store) with the configured timeouts and retry policy; the
``none`` provider is local and needs neither.  Each attempt is recorded as an
:class:`~perth.summarize.model.LlmCall` with its token usage.  :func:`summarize` turns the
result into an ``automated`` checkpoint intent of the pane.
"""

from __future__ import annotations

import itertools
import time

from perth.errors import CircuitOpenError, PerthError, ProviderRejectedError, UnavailableError
from perth.events.emit import emit
from perth.ids import uuid7
from perth.record import Record
from perth.resilience.policy import BreakerPolicy, RetryPolicy, Timeouts
from perth.summarize.model import SUMMARY_TAG, is_summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from perth.config import Settings
    from perth.records import Entry, Pane
    from perth.redact import Redacted
    from perth.resilience.breaker import BreakerState, CircuitBreaker
    from perth.resilience.call import Attempt
    from perth.runtime import Runtime
    from perth.summarize.model import Completion, LlmStats, Prompt, Section
    from perth.summarize.providers.http import HttpTransport
    from perth.summarize.providers.port import Provider
    from perth.tracing import Span, SpanValue

BREAKER_PREFIX = "llm:"
MAX_ERROR_CHARS = 300
MAX_SUMMARY_CHARS = 4000


class ChainAttempt(Record):
    """What one provider of the chain did for a request."""

    provider: str
    model: str
    outcome: str  # ok, failed, rejected, open
    attempts: int = 0
    latency_ms: int | None = None
    error: str | None = None


class Generation(Record):
    """The text a chain produced, which provider produced it, and what the others did."""

    text: Redacted
    provider: str
    model: str
    chain: tuple[ChainAttempt, ...]
    warnings: tuple[str, ...] = ()
    input_tokens: int | None = None
    output_tokens: int | None = None


class Narration(Record):
    """A generated narrative (always labelled as generated where shown)."""

    text: Redacted
    provider: str
    model: str
    warnings: tuple[str, ...] = ()


class Summary(Record):
    """``perth summarize``: the intent it wrote and how it was generated."""

    entry: Entry
    generation: Generation
    prompt: Prompt
    written: bool = True  # False: the same text as the pane's latest summary, which ``entry`` is


def timeouts(settings: Settings) -> Timeouts:
    """Provider timeouts from ``llm.*``."""
    return Timeouts(connect_s=float(settings.get_int("llm.connect_timeout_s")),
                    read_s=float(settings.get_int("llm.read_timeout_s")),
                    total_s=float(settings.get_int("llm.total_timeout_s")))


def retry_policy(settings: Settings) -> RetryPolicy:
    """The retry policy from ``llm.*``."""
    return RetryPolicy(retries=settings.get_int("llm.retries"),
                       base_delay_s=settings.get_int("llm.backoff_ms") / 1000,
                       max_delay_s=settings.get_int("llm.backoff_max_ms") / 1000)


def breaker_policy(settings: Settings) -> BreakerPolicy:
    """The breaker policy from ``llm.*``."""
    return BreakerPolicy(threshold=settings.get_int("llm.breaker_threshold"),
                         cooldown_s=float(settings.get_int("llm.breaker_cooldown_s")))


def chain_for(settings: Settings, override: str | None = None) -> tuple[str, ...]:
    """The provider chain: ``--provider`` (``a`` or ``a,b,none``) else ``llm.chain``, validated."""
    from perth.summarize.providers.registry import check_chain

    configured = settings.get("llm.chain")
    names = override.split(",") if override else list(configured) if isinstance(configured, tuple) else []
    return check_chain(tuple(name.strip() for name in names if name.strip()))


def breaker_for(rt: Runtime, name: str) -> CircuitBreaker:
    """The circuit breaker of one provider."""
    from perth.resilience.breaker import CircuitBreaker

    policy = retry_policy(rt.settings)
    limit = timeouts(rt.settings)
    probe_ms = int((limit.total_s + policy.max_delay_s) * (policy.retries + 1) * 1000)
    return CircuitBreaker(rt.store, BREAKER_PREFIX + name, breaker_policy(rt.settings), rt.clock, probe_ms=probe_ms)


class _Chain:
    """Runs one prompt along the chain, recording each provider's attempt."""

    def __init__(self, rt: Runtime, prompt: Prompt, transport: HttpTransport | None,
                 sleep: Callable[[float], Any], pane_id: str | None) -> None:
        self.rt = rt
        self.prompt = prompt
        self.transport = transport
        self.sleep = sleep
        self.pane_id = pane_id
        self.done: list[ChainAttempt] = []

    def describe(self, exc: BaseException) -> Redacted:
        text = exc.message if isinstance(exc, PerthError) else f"{type(exc).__name__}: {exc}"
        line = " ".join(text.split())[:MAX_ERROR_CHARS]
        return self.rt.redact(line, "llm")

    def run(self, names: Sequence[str]) -> Generation:
        attributes: dict[str, SpanValue] = {"perth.purpose": self.rt.redact(self.prompt.purpose, "trace"),
                                            "perth.chain": self.rt.redact(",".join(names), "trace")}
        with self.rt.span("perth.llm.generate", attributes) as span:
            for name in names:
                completion = self.try_provider(name)
                if completion is not None:
                    span.set("perth.provider", self.rt.redact(completion.provider, "trace"))
                    return self.generation(completion)
            span.fail(self.rt.redact("no provider in the chain answered", "trace"))
        tried = "; ".join(f"{a.provider}: {a.outcome}" + (f" ({a.error})" if a.error else "") for a in self.done)
        raise UnavailableError(f"no provider in the chain answered ({tried})",
                               "check `perth providers status`, or add none to llm.chain as the last resort")

    def try_provider(self, name: str) -> Completion | None:
        from perth.summarize.providers.registry import make_provider

        try:
            provider = make_provider(name, self.rt.settings, self.rt.environ, self.transport)
        except PerthError as exc:
            self.record(name, "-", "rejected", error=self.describe(exc))
            return None
        return self.call(provider)

    def call(self, provider: Provider) -> Completion | None:
        # Span attributes follow OpenTelemetry's GenAI conventions where one fits.
        attributes: dict[str, SpanValue] = {"gen_ai.system": self.rt.redact(provider.name, "trace"),
                                            "gen_ai.request.model": self.rt.redact(provider.model, "trace")}
        with self.rt.span("perth.llm.call", attributes) as span:
            return self._call(provider, span)

    def _call(self, provider: Provider, span: Span) -> Completion | None:
        from perth.resilience.call import resilient_call

        attempts: list[Attempt] = []
        numbers = itertools.count(1)
        breaker = None if provider.name == "none" else breaker_for(self.rt, provider.name)
        started = time.monotonic()
        try:
            completion = resilient_call(lambda: self.attempt(provider, next(numbers)),
                                        retry_policy(self.rt.settings), breaker, sleep=self.sleep,
                                        attempts=attempts, describe=self.describe)
        except CircuitOpenError as exc:
            self.record(provider.name, provider.model, "open", error=self.describe(exc), span=span)
            return None
        except ProviderRejectedError as exc:
            self.record(provider.name, provider.model, "rejected", len(attempts), started, error=self.describe(exc),
                        span=span)
            return None
        except Exception as exc:  # a provider failure of any kind (even a bug) moves the chain on
            self.record(provider.name, provider.model, "failed", len(attempts), started, error=self.describe(exc),
                        span=span)
            return None
        self.record(provider.name, completion.model, "ok", len(attempts), started, span=span,
                    input_tokens=completion.usage.input_tokens, output_tokens=completion.usage.output_tokens)
        return completion

    def attempt(self, provider: Provider, number: int) -> Completion:
        """One request to the provider, in its own span."""
        with self.rt.span("perth.llm.attempt", {"perth.attempt": number}) as span:
            try:
                return provider.complete(self.prompt, timeouts(self.rt.settings))
            except Exception as exc:
                span.fail(self.describe(exc))
                raise

    def record(self, provider: str, model: str, outcome: str, attempts: int = 0, started: float | None = None, *,
               error: Redacted | None = None, input_tokens: int | None = None, output_tokens: int | None = None,
               span: Span | None = None) -> None:
        from perth.summarize.model import LlmCall

        latency = None if started is None else int((time.monotonic() - started) * 1000)
        if span is not None:
            span.set("perth.outcome", self.rt.redact(outcome, "trace"))
            span.set("perth.attempts", attempts)
            if latency is not None:
                span.set("perth.latency_ms", latency)
            if input_tokens is not None:
                span.set("gen_ai.usage.input_tokens", input_tokens)
            if output_tokens is not None:
                span.set("gen_ai.usage.output_tokens", output_tokens)
            if error is not None:
                span.fail(error)
        self.done.append(ChainAttempt(provider=provider, model=model, outcome=outcome, attempts=attempts,
                                      latency_ms=latency, error=error))
        call = LlmCall(id=uuid7(), at=self.rt.clock(), provider=provider, model=model, purpose=self.prompt.purpose,
                       outcome=outcome, pane_id=self.pane_id, attempts=attempts, latency_ms=latency,
                       input_tokens=input_tokens, output_tokens=output_tokens, error=error)
        self.rt.store.llm_calls.add(call)

    def generation(self, completion: Completion) -> Generation:
        text = self.rt.redact(completion.text.strip()[:MAX_SUMMARY_CHARS], "llm")
        return Generation(text=text, provider=completion.provider, model=completion.model, chain=tuple(self.done),
                          warnings=tuple(str(self.rt.redact(w, "llm")) for w in completion.warnings),
                          input_tokens=completion.usage.input_tokens, output_tokens=completion.usage.output_tokens)


def generate(rt: Runtime, prompt: Prompt, chain: Sequence[str], *, transport: HttpTransport | None = None,
             sleep: Callable[[float], Any] = time.sleep, pane_id: str | None = None) -> Generation:
    """Run the prompt along the chain; the first provider that answers wins.

    Raises :class:`UnavailableError` (exit 4) when every provider failed, was rejected or is open.
    """
    return _Chain(rt, prompt, transport, sleep, pane_id).run(chain)


def summarize(rt: Runtime, *, pane_name: str | None = None, since_ms: int | None = None,
              provider: str | None = None, transport: HttpTransport | None = None) -> Summary:
    """Summarize the pane's recent work and record it as an ``automated`` checkpoint intent.

    A pane named with ``--pane`` must exist (as for ``history``, ``journal`` and ``handoff``); a
    summary whose text equals the pane's latest summary is not written again.
    """
    from perth.panes.entries import EntryDraft, log_entry
    from perth.summarize.prompt import prepare

    chain = chain_for(rt.settings, provider)
    with rt.span("perth.summarize", {"perth.chain": rt.redact(",".join(chain), "trace")}) as span:
        try:
            _fail_fast(rt, chain)
        except CircuitOpenError as exc:
            span.fail(rt.redact(exc.message, "trace"))
            raise
        pane = _summary_pane(rt, pane_name)
        span.set("perth.pane", rt.redact(pane.name, "trace"))
        prompt = prepare(rt, pane, since_ms=since_ms, purpose="summary")
        generation = generate(rt, prompt, chain, transport=transport, pane_id=pane.id)
        text = generation.text or "(the provider returned no text)"
        previous = _latest_summary(rt, pane)
        if previous is not None and previous.summary == rt.redact(text, "intent"):
            return Summary(entry=previous, generation=generation, prompt=prompt, written=False)
        draft = EntryDraft(summary=text, type="checkpoint", source="automated", tags=(SUMMARY_TAG,))
        with rt.store.unit():
            entry, _resolution = log_entry(rt, draft, pane.name)
            summary = Summary(entry=entry, generation=generation, prompt=prompt)
            emit(rt, "perth.summary.created", summary)
    return summary


def _summary_pane(rt: Runtime, pane_name: str | None) -> Pane:
    """The named pane (it must exist), or the current one (created when it is the automatic pane)."""
    from perth.panes.service import get_pane, pane_for_write

    if pane_name:
        return get_pane(rt, pane_name)
    return pane_for_write(rt, None)[0]


def _latest_summary(rt: Runtime, pane: Pane) -> Entry | None:
    """The pane's newest entry, when it is a summary (a summary after a newer intent is new)."""
    latest = rt.store.entries.latest([pane.id], per_pane=1)[pane.id]
    return latest[0] if latest and is_summary(latest[0]) else None


def _fail_fast(rt: Runtime, chain: Sequence[str]) -> None:
    """Refuse at once, before collecting any context, when every provider of the chain is open."""
    if "none" in chain:
        return
    from perth.summarize.model import LlmCall

    refusals = [(name, breaker_for(rt, name).refusal()) for name in chain]
    errors = [(name, error) for name, error in refusals if error is not None]
    if len(errors) < len(chain):
        return
    for name, error in errors:
        rt.store.llm_calls.add(LlmCall(id=uuid7(), at=rt.clock(), provider=name,
                                model=describe_provider(name, rt.settings, rt.environ).model, purpose="summary",
                                outcome="open", error=str(rt.redact(error.what, "llm"))[:MAX_ERROR_CHARS]))
    raise errors[0][1]


def dry_run(rt: Runtime, *, pane_name: str | None = None, since_ms: int | None = None) -> Prompt:
    """The redacted prompt ``perth summarize`` would send, without sending or writing anything."""
    from perth.panes.resolve import resolve
    from perth.summarize.prompt import prepare

    if pane_name:
        return prepare(rt, _summary_pane(rt, pane_name), since_ms=since_ms, purpose="summary")
    return prepare(rt, resolve(rt, None).pane, since_ms=since_ms, purpose="summary")


def narrate(rt: Runtime, sections: Sequence[Section], *, provider: str | None = None,
            transport: HttpTransport | None = None) -> Narration:
    """A generated narrative of already-redacted facts (the journal's ``--narrate``)."""
    from perth.summarize.budget import fit_to_budget
    from perth.summarize.model import Context
    from perth.summarize.prompt import build_prompt

    context = Context(pane_id=None, pane_name=None, cwd=rt.cwd, repo_root=None, branch=None, since_ms=None,
                      collected_at=rt.clock(), sections=tuple(sections), reports=())
    fitted, budget = fit_to_budget(context, rt.settings.get_int("llm.max_context_tokens"),
                                   secret_filter=rt.secret_filter)
    prompt = build_prompt(fitted, budget, purpose="narrative",
                          max_output_tokens=rt.settings.get_int("llm.max_output_tokens"),
                          secret_filter=rt.secret_filter)
    generation = generate(rt, prompt, chain_for(rt.settings, provider), transport=transport)
    return Narration(text=generation.text, provider=generation.provider, model=generation.model,
                     warnings=generation.warnings)


class ProviderInfo(Record):
    """A provider's model, a short note on its configuration (never the key), and whether it can be called."""

    model: str
    configured: str
    ready: bool = True
    fix: str = ""  # what to do when not ready


def describe_provider(name: str, settings: Settings, environ: Mapping[str, str]) -> ProviderInfo:
    """How a provider is configured (an API key missing for Anthropic or OpenAI makes it not ready)."""
    if name == "none":
        return ProviderInfo("extractive", "built in, no network")
    model = str(settings.get(f"llm.{name}_model"))
    base = str(settings.get(f"llm.{name}_base_url"))
    route, unroutable = _route(base, environ)
    url = base + route
    if unroutable:
        return ProviderInfo(model, url, ready=False, fix=unroutable)
    if name == "ollama":
        return ProviderInfo(model, url)
    env_var = "ANTHROPIC_API_KEY" if name == "anthropic" else "OPENAI_API_KEY"
    if settings.get(f"llm.{name}_api_key"):
        return ProviderInfo(model, f"{url}, key from llm.{name}_api_key")
    if environ.get(env_var):
        return ProviderInfo(model, f"{url}, key from ${env_var}")
    needs_key = name == "anthropic" or "api.openai.com" in base
    return ProviderInfo(model, f"{url}, no key" + (f" (set ${env_var} or llm.{name}_api_key)" if needs_key else ""),
                        ready=not needs_key, fix=f"set ${env_var} or llm.{name}_api_key" if needs_key else "")


def _route(url: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """How a request to ``url`` leaves this machine (`` via the proxy ...`` or nothing), and the
    fix when it cannot (a proxy setting that cannot be parsed stops every request)."""
    from urllib.parse import urlsplit

    from perth.summarize.providers.proxy import proxy_for

    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "", ""  # the transport reports the invalid URL itself
    if not parts.hostname:
        return "", ""
    try:
        proxy = proxy_for(parts.scheme, parts.hostname, port, environ)
    except PerthError as exc:
        return f" ({exc.what})", exc.fix
    return ("", "") if proxy is None else (f" via {proxy.label}", "")


class ProviderStatus(Record):
    """One provider as ``perth providers status`` shows it: configuration, breaker and call totals."""

    name: str
    model: str
    position: int | None
    configured: str
    breaker: BreakerState | None
    stats: LlmStats | None


def provider_statuses(rt: Runtime, chain: Sequence[str]) -> list[ProviderStatus]:
    """Every known provider with its chain position (1-based), configuration, breaker and call totals."""
    from perth.summarize.providers.registry import KNOWN_PROVIDERS

    breakers = {b.name: b for b in rt.store.breakers.all()}
    stats = {s.provider: s for s in rt.store.llm_calls.stats()}
    rows = []
    for name in KNOWN_PROVIDERS:
        info = describe_provider(name, rt.settings, rt.environ)
        rows.append(ProviderStatus(name=name, model=info.model, configured=info.configured,
                                   position=list(chain).index(name) + 1 if name in chain else None,
                                   breaker=breakers.get(BREAKER_PREFIX + name), stats=stats.get(name)))
    return rows


def reset_breakers(rt: Runtime, name: str | None = None) -> tuple[str, ...]:
    """Close one provider's breaker, or every provider breaker in the store; the providers reset."""
    from perth.summarize.providers.registry import check_chain

    names = check_chain((name,)) if name else tuple(
        b.name.removeprefix(BREAKER_PREFIX) for b in rt.store.breakers.all() if b.name.startswith(BREAKER_PREFIX))
    for provider in names:
        breaker_for(rt, provider).reset()
    return names
