"""OpenTelemetry spans of summaries: their tree, attributes and failures, in process and from a real
`perth summarize` exporting to the console and over OTLP/HTTP to a receiver on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from perth import tracing
from perth.errors import CircuitOpenError, UnavailableError
from perth.runtime import Runtime
from perth.summarize.service import summarize
from tests.otlp_collector import OtlpCollector
from tests.summarize.fake_provider import FakeProviderServer, answer, status
from tests.summarize.test_summarize_service import make_runtime, provider_env


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    tracing.use_exporter(memory)
    yield memory
    tracing.shutdown()


@pytest.fixture
def server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer(default=status(500)) as fake:
        yield fake


@pytest.fixture
def runtime(server: FakeProviderServer, repo: Path) -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def build(**extra: str) -> Runtime:
        rt = make_runtime(provider_env(server, **extra), repo)
        made.append(rt)
        return rt

    yield build
    for rt in made:
        rt.close()


def by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def parent_of(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    assert span.parent is not None, span.name
    return next(s for s in spans if s.context is not None and s.context.span_id == span.parent.span_id)


def test_a_summary_is_one_trace_from_collection_to_the_provider_that_answered(
        exporter: InMemorySpanExporter, server: FakeProviderServer, runtime: Callable[..., Runtime]) -> None:
    server.script(status(500), status(500), status(500))  # anthropic fails all three tries; none answers
    summarize(runtime(PERTH_LLM__CHAIN="anthropic,none"))
    spans = exporter.get_finished_spans()
    top = by_name(spans, "perth.summarize")
    assert len(top) == 1 and top[0].parent is None
    assert top[0].attributes == {"perth.chain": "anthropic,none", "perth.pane": top[0].attributes["perth.pane"]}
    (collect,) = by_name(spans, "perth.context.collect")
    assert parent_of(collect, spans) is top[0]
    assert collect.attributes["perth.context.bytes"] > 0
    assert str(collect.attributes["perth.collector.git.branch"]).startswith("ok ")
    (generate,) = by_name(spans, "perth.llm.generate")
    assert parent_of(generate, spans) is top[0]
    assert generate.attributes["perth.purpose"] == "summary" and generate.attributes["perth.provider"] == "none"
    calls = by_name(spans, "perth.llm.call")
    assert [c.attributes["gen_ai.system"] for c in calls] == ["anthropic", "none"]
    failed, answered = calls
    assert all(parent_of(c, spans) is generate for c in calls)
    assert failed.attributes["perth.outcome"] == "failed" and failed.attributes["perth.attempts"] == 3
    assert failed.status.status_code is StatusCode.ERROR and "500" in (failed.status.description or "")
    attempts = [s for s in by_name(spans, "perth.llm.attempt") if parent_of(s, spans) is failed]
    assert [a.attributes["perth.attempt"] for a in attempts] == [1, 2, 3]
    assert all(a.status.status_code is StatusCode.ERROR for a in attempts)
    assert answered.attributes["perth.outcome"] == "ok" and answered.status.status_code is StatusCode.UNSET
    assert len(server.requests) == 3


def test_token_usage_follows_the_genai_conventions(exporter: InMemorySpanExporter, server: FakeProviderServer,
                                                   runtime: Callable[..., Runtime]) -> None:
    server.script(answer("Fixed the parser.", input_tokens=321, output_tokens=12))
    summarize(runtime(PERTH_LLM__CHAIN="anthropic"))
    (call,) = by_name(exporter.get_finished_spans(), "perth.llm.call")
    assert call.attributes["gen_ai.usage.input_tokens"] == 321
    assert call.attributes["gen_ai.usage.output_tokens"] == 12
    assert call.attributes["gen_ai.request.model"] == "claude-sonnet-4-5"


def test_an_open_circuit_fails_the_summary_span_at_once(exporter: InMemorySpanExporter, server: FakeProviderServer,
                                                       runtime: Callable[..., Runtime]) -> None:
    rt = runtime(PERTH_LLM__CHAIN="anthropic", PERTH_LLM__RETRIES="0", PERTH_LLM__BREAKER_THRESHOLD="1")
    with pytest.raises(Exception, match="no provider"):
        summarize(rt)
    exporter.clear()
    with pytest.raises(CircuitOpenError):
        summarize(rt)
    (top,) = exporter.get_finished_spans()
    assert top.name == "perth.summarize" and top.status.status_code is StatusCode.ERROR
    assert "circuit" in (top.status.description or "").lower()


def test_an_exception_marks_the_span_failed_with_its_type_only(exporter: InMemorySpanExporter,
                                                               runtime: Callable[..., Runtime]) -> None:
    rt = runtime()
    with pytest.raises(ValueError, match="ghp_"), rt.span("perth.test", {"perth.n": 1}):
        raise ValueError("ghp_" + "x" * 36)  # an exception's message may carry captured text
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR and span.status.description == "ValueError"
    assert span.events == () and span.attributes == {"perth.n": 1}


def test_tracing_is_off_by_default_and_imports_nothing(repo: Path) -> None:
    code = ("import sys; from perth.config import load_settings; from perth.paths import resolve_paths;"
            "from perth.runtime import Runtime; import os;"
            "rt = Runtime(load_settings(resolve_paths(os.environ), os.environ));"
            "span = rt.span('perth.x').__enter__(); span.set('a', 1);"
            "print(type(span).__name__, any(m.startswith('opentelemetry') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert done.stdout.split() == ["_NoSpan", "False"]


def test_a_process_already_under_opentelemetry_records_through_its_provider(repo: Path) -> None:
    code = textwrap.dedent("""
        import os
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        memory = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(memory))
        trace.set_tracer_provider(provider)
        from perth.config import load_settings
        from perth.paths import resolve_paths
        from perth.runtime import Runtime
        rt = Runtime(load_settings(resolve_paths(os.environ), os.environ))
        with rt.span("perth.ambient", {"perth.n": 2}):
            pass
        print([(s.name, s.instrumentation_scope.name, dict(s.attributes)) for s in memory.get_finished_spans()])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert done.stdout.strip() == "[('perth.ambient', 'perth', {'perth.n': 2})]"


def test_a_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, runtime: Callable[..., Runtime]) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)  # as if perth[otel] were not installed
    rt = runtime(PERTH_TRACE__EXPORTER="console")
    try:
        with pytest.raises(UnavailableError) as caught, rt.span("perth.x"):
            pass
    finally:
        tracing.shutdown()
    assert "trace.exporter=console (OpenTelemetry" in caught.value.message
    assert "needs the optional [otel] extra" in caught.value.message
    assert caught.value.fix.startswith("pip install '") and "[otel]'" in caught.value.fix


# --- a real `perth summarize`


def perth(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perth", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=repo, check=False, timeout=60)


def test_the_console_exporter_writes_spans_to_stderr_and_leaves_stdout_alone(server: FakeProviderServer,
                                                                             repo: Path) -> None:
    server.script(answer("Fixed the parser."))
    env = provider_env(server, PERTH_LLM__CHAIN="openai,none", PERTH_TRACE__EXPORTER="console")
    done = perth(repo, env, "summarize", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["schema"] == "perth.summary.v1"
    decoder, text, names, at = json.JSONDecoder(), done.stderr, [], 0
    while (start := text.find("{", at)) >= 0:
        span, at = decoder.raw_decode(text, start)
        names.append(span["name"])
    assert names == ["perth.context.collect", "perth.llm.attempt", "perth.llm.call", "perth.llm.generate",
                     "perth.summarize"]


def test_otlp_export_reaches_a_receiver(server: FakeProviderServer, repo: Path) -> None:
    server.script(answer("Fixed the parser.", input_tokens=40, output_tokens=7))
    with OtlpCollector() as collector:
        env = provider_env(server, PERTH_LLM__CHAIN="ollama", PERTH_TRACE__EXPORTER="otlp",
                           PERTH_TRACE__ENDPOINT=collector.url)
        done = perth(repo, env, "summarize")
        assert done.returncode == 0, done.stderr
        spans = collector.spans()
    assert {s.name for s in spans} == {"perth.summarize", "perth.context.collect", "perth.llm.generate",
                                       "perth.llm.call", "perth.llm.attempt"}
    call = next(s for s in spans if s.name == "perth.llm.call")
    assert call.attributes["gen_ai.system"] == "ollama" and call.attributes["gen_ai.usage.output_tokens"] == 7
    top = next(s for s in spans if s.name == "perth.summarize")
    assert top.parent_span_id == b"" and all(s.parent_span_id for s in spans if s is not top)


def test_an_unreachable_otlp_receiver_costs_a_bounded_wait_and_never_fails_the_command(
        server: FakeProviderServer, repo: Path) -> None:
    from tests.summarize.test_http_transport import closed_port

    env = provider_env(server, PERTH_LLM__CHAIN="none", PERTH_TRACE__EXPORTER="otlp",
                       PERTH_TRACE__ENDPOINT=f"http://127.0.0.1:{closed_port()}/v1/traces")
    started = time.monotonic()
    done = perth(repo, env, "summarize")
    assert done.returncode == 0, done.stderr
    assert "Summary" in done.stdout
    assert "perth: warning: tracing:" in done.stderr
    assert time.monotonic() - started < 3 * tracing.EXPORT_TIMEOUT_S + 10


def test_doctor_reports_the_exporter_and_what_it_lacks(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    from perth.config import load_settings
    from perth.doctor import _trace_checks
    from perth.paths import resolve_paths

    def check(**env: str) -> tuple[str, str, str]:
        full = {**os.environ, **env}
        (found,) = _trace_checks(load_settings(resolve_paths(full), full))
        return found.status, found.detail, found.fix

    assert check() == ("ok", "off (trace.exporter = none)", "")
    assert check(PERTH_TRACE__EXPORTER="otlp", PERTH_TRACE__ENDPOINT="http://127.0.0.1:4318/v1/traces")[:2] == (
        "ok", "otlp -> http://127.0.0.1:4318/v1/traces")
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    status, detail, fix = check(PERTH_TRACE__EXPORTER="otlp")
    assert status == "fail" and "not installed" in detail and "[otel]'" in fix
    assert check(PERTH_TRACE__EXPORTER="console")[:2] == ("ok", "console -> stderr")
    done = perth(repo, {"PERTH_TRACE__EXPORTER": "console"}, "doctor", "--format", "json")
    rows = [c for c in json.loads(done.stdout)["checks"] if c["area"] == "trace"]
    assert [(r["name"], r["status"]) for r in rows] == [("exporter", "ok")]


def test_a_narrative_is_its_own_generate_span(exporter: InMemorySpanExporter, server: FakeProviderServer,
                                              runtime: Callable[..., Runtime]) -> None:
    from perth.summarize.model import Section
    from perth.summarize.service import narrate

    rt = runtime(PERTH_LLM__CHAIN="openai,none")
    server.script(answer("The session fixed the parser."))
    narration = narrate(rt, [Section(name="work", title="Work", priority=1, text=rt.redact("fixed the parser", "t"))])
    assert narration.provider == "openai"
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["perth.llm.attempt", "perth.llm.call", "perth.llm.generate"]
    assert spans[-1].parent is None and spans[-1].attributes["perth.purpose"] == "narrative"
