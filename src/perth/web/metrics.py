"""``/metrics``: Prometheus text read from what the store records, at scrape time (prometheus-client).

Only figures something in Perth records are exposed: the secret filter's counters by rule, LLM calls
by provider and outcome, breaker states, snapshots, shellperf verdicts, the events outbox (events,
per-transport delivered sequence and backlog, dead letters) and jobs by status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime

SHELLPERF_SCAN = 100_000


def _families(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    redactions = CounterMetricFamily("perth_redactions", "Secrets the filter replaced, by rule and source.",
                                     labels=["rule", "source"])
    for count in rt.store.redaction_stats.all():
        redactions.add_metric([count.rule_id, count.source], count.count)
    yield redactions
    llm = CounterMetricFamily("perth_llm_calls", "Recorded LLM calls by provider and outcome.",
                              labels=["provider", "outcome"])
    for stats in rt.store.llm_calls.stats():
        llm.add_metric([stats.provider, "ok"], stats.ok)
        llm.add_metric([stats.provider, "failed"], stats.failed)
    yield llm
    breakers = GaugeMetricFamily("perth_breaker_state", "1 for the state each circuit breaker is in.",
                                 labels=["name", "state"])
    for state in rt.store.breakers.all():
        breakers.add_metric([state.name, state.state], 1)
    yield breakers
    yield GaugeMetricFamily("perth_snapshots", "Saved workspace snapshots.", value=len(rt.store.snapshots.all()))
    verdicts = CounterMetricFamily("perth_shellperf_runs", "Recorded shell start-up runs by verdict.",
                                   labels=["verdict"])
    for verdict, n in sorted(Counter(e.verdict or "none" for e in
                                     rt.store.shellperf.list_runs(limit=SHELLPERF_SCAN)).items()):
        verdicts.add_metric([verdict], n)
    yield verdicts
    yield from _events(rt)
    jobs = GaugeMetricFamily("perth_jobs", "Jobs by status.", labels=["status"])
    for status, n in sorted(rt.store.jobs.counts().items()):
        jobs.add_metric([status], n)
    yield jobs


def _events(rt: Runtime) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    from perth.events.service import status

    report = status(rt)
    yield GaugeMetricFamily("perth_events_outbox", "Events kept in the outbox.", value=report.outbox.events)
    delivered = GaugeMetricFamily("perth_events_delivered_seq", "Outbox sequence delivered, by transport.",
                                  labels=["transport"])
    backlog = GaugeMetricFamily("perth_events_backlog", "Events waiting, by transport.", labels=["transport"])
    for transport in report.transports:
        delivered.add_metric([transport.name], transport.delivered_seq)
        backlog.add_metric([transport.name], transport.backlog)
    yield delivered
    yield backlog
    yield GaugeMetricFamily("perth_events_dead_letters", "Events dead-lettered.", value=report.dead)


def scrape(rt: Runtime) -> bytes:
    """The metrics in the Prometheus text format."""
    from prometheus_client import CollectorRegistry, generate_latest

    class Collector:
        def collect(self) -> Iterator[Any]:
            return _families(rt)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector())
    return bytes(generate_latest(registry))
