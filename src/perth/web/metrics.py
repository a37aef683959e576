"""``/metrics``: Prometheus text (prometheus-client) of what Perth records.

Two kinds of figures, and no metric that nothing records:

* read from the store at scrape time, so they survive restarts and agree with the CLI: commands
  ingested, intent entries, the secret filter's counters by rule, LLM calls by provider and outcome
  and their latency, breaker states, snapshots, shellperf verdicts, the events outbox (events,
  per-transport delivered sequence and backlog, dead letters), jobs by status and their durations,
  workflow runs by status, their steps' durations and the approvals waiting;
* kept by this server: the duration of each HTTP request by method, route template and status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime

SCAN = 100_000
#: Bucket bounds (seconds) of the histograms read from the store.
SECONDS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0, 3600.0)


def _histogram(name: str, doc: str, label: str, values: Iterable[tuple[str, float]]) -> Any:
    """A histogram family built from ``(label value, seconds)`` pairs."""
    from prometheus_client.core import HistogramMetricFamily

    family = HistogramMetricFamily(name, doc, labels=[label])
    by_label: dict[str, list[float]] = {}
    for key, value in values:
        by_label.setdefault(key, []).append(value)
    for key, found in sorted(by_label.items()):
        buckets = [(str(bound), float(sum(v <= bound for v in found))) for bound in SECONDS]
        buckets.append(("+Inf", float(len(found))))
        family.add_metric([key], buckets, sum_value=sum(found))
    return family


def _families(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    yield CounterMetricFamily("perth_commands_ingested", "Shell commands stored (ingested or imported).",
                              value=rt.whole_store.commands.count())
    yield CounterMetricFamily("perth_intent_entries", "Intent entries logged (live ones).",
                              value=rt.whole_store.entries.count())
    redactions = CounterMetricFamily("perth_redactions", "Secrets the filter replaced, by rule and source.",
                                     labels=["rule", "source"])
    for count in rt.whole_store.redaction_stats.all():
        redactions.add_metric([count.rule_id, count.source], count.count)
    yield redactions
    yield from _llm(rt)
    yield GaugeMetricFamily("perth_snapshots", "Saved workspace snapshots.", value=len(rt.whole_store.snapshots.all()))
    verdicts = CounterMetricFamily("perth_shellperf_runs", "Recorded shell start-up runs by verdict.",
                                   labels=["verdict"])
    for verdict, n in sorted(Counter(e.verdict or "none" for e in
                                     rt.whole_store.shellperf.list_runs(limit=SCAN)).items()):
        verdicts.add_metric([verdict], n)
    yield verdicts
    yield from _events(rt)
    yield from _jobs(rt)
    yield from _workflows(rt)


def _llm(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    llm = CounterMetricFamily("perth_llm_calls", "Recorded LLM calls by provider and outcome.",
                              labels=["provider", "outcome"])
    for stats in rt.whole_store.llm_calls.stats():
        llm.add_metric([stats.provider, "ok"], stats.ok)
        llm.add_metric([stats.provider, "failed"], stats.failed)
    yield llm
    yield _histogram("perth_llm_call_duration_seconds", "Latency of recorded LLM calls, by provider.", "provider",
                     ((c.provider, c.latency_ms / 1000) for c in rt.whole_store.llm_calls.recent(limit=SCAN)
                      if c.latency_ms is not None))
    breakers = GaugeMetricFamily("perth_breaker_state", "1 for the state each circuit breaker is in.",
                                 labels=["name", "state"])
    for state in rt.whole_store.breakers.all():
        breakers.add_metric([state.name, state.state], 1)
    yield breakers


def _events(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    from perth.events.service import status

    report = status(rt)
    yield GaugeMetricFamily("perth_events_outbox", "Events kept in the outbox.", value=report.outbox.events)
    delivered = GaugeMetricFamily("perth_events_delivered_seq",
                                  "Outbox sequence dispatched and confirmed, by transport.", labels=["transport"])
    backlog = GaugeMetricFamily("perth_events_backlog", "Events waiting, by transport.", labels=["transport"])
    for transport in report.transports:
        delivered.add_metric([transport.name], transport.delivered_seq)
        backlog.add_metric([transport.name], transport.backlog)
    yield delivered
    yield backlog
    yield GaugeMetricFamily("perth_events_dead_letters", "Events dead-lettered.", value=report.dead)


def _jobs(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    from perth.ops.model import JobQuery

    jobs = GaugeMetricFamily("perth_jobs", "Jobs by status.", labels=["status"])
    for status, n in sorted(rt.whole_store.jobs.counts().items()):
        jobs.add_metric([status], n)
    yield jobs
    finished = rt.whole_store.jobs.query(JobQuery(statuses=("succeeded", "failed", "dead"), limit=SCAN))
    yield _histogram("perth_job_duration_seconds", "Duration of finished jobs' last attempt, by kind.", "kind",
                     ((j.kind, (j.finished_at - j.started_at) / 1000) for j in finished
                      if j.started_at is not None and j.finished_at is not None))


def _workflows(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    runs = GaugeMetricFamily("perth_workflow_runs", "Workflow runs by status.", labels=["status"])
    for status, n in sorted(rt.whole_store.workflows.counts().items()):
        runs.add_metric([status], n)
    yield runs
    steps = rt.whole_store.workflows.step_history()
    yield GaugeMetricFamily("perth_workflow_approvals_waiting", "Workflow steps waiting for an approval decision.",
                            value=sum(s.status == "waiting" and s.decision is None and s.requested_at is not None
                                      for s in steps))
    yield _histogram("perth_workflow_step_duration_seconds", "Duration of settled workflow steps, by status.",
                     "status", ((s.status, (s.finished_at - s.started_at) / 1000) for s in steps
                                if s.started_at is not None and s.finished_at is not None))


class _Requests:
    """The request-duration histogram of this server (created once per process, on first use)."""

    registry: Any = None
    histogram: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls.histogram is None:
            from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics

            disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: a server's start time is not a Perth figure
            cls.registry = CollectorRegistry(auto_describe=False)
            cls.histogram = Histogram("perth_http_request_duration_seconds", "HTTP requests served, by method,"
                                      " route template and status.", ["method", "route", "status"],
                                      registry=cls.registry, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                                      1.0, 2.5, 10.0))
        return cls.histogram


class Instrumented:
    """ASGI middleware: observe each HTTP request's duration under its route template (not its raw path),
    and tell the client the server's time to its response head (``Server-Timing: app;dur=<ms>``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.histogram = _Requests.get()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        import time

        status = [500]

        started = time.perf_counter()

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
                spent = (time.perf_counter() - started) * 1000  # the body is ready: the server's time
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"server-timing", f"app;dur={spent:.2f}".encode())]}
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.histogram.labels(scope["method"], route, str(status[0])).observe(time.perf_counter() - started)


def scrape(rt: Runtime) -> bytes:
    """The metrics in the Prometheus text format."""
    from prometheus_client import CollectorRegistry, generate_latest

    class Collector:
        def collect(self) -> Iterator[Any]:
            yield from _families(rt)
            if _Requests.registry is not None:
                yield from _Requests.registry.collect()

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector())
    return bytes(generate_latest(registry))
