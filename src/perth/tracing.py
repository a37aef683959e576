"""OpenTelemetry spans around the operations worth tracing (LLM calls, context collection).

Tracing is off unless asked for, and then costs nothing on the paths that do not trace (nothing
is imported before the first span):

- ``trace.exporter = console`` prints each finished span as JSON on stderr;
- ``trace.exporter = otlp`` sends spans over OTLP/HTTP to ``trace.endpoint`` (or the standard
  ``OTEL_EXPORTER_OTLP_*`` variables, else ``http://localhost:4318/v1/traces``), in the
  background, each export bounded by :data:`EXPORT_TIMEOUT_S`; what is left is sent at exit;
- with ``trace.exporter = none`` (the default) a process that already runs under OpenTelemetry
  (``opentelemetry-instrument perth ...``) records its spans through the global tracer provider.

Both exporters need the ``perth[otel]`` extra; without it the first span raises an
:class:`~perth.errors.UnavailableError` naming the fix.  Attribute values and error
descriptions accept only :class:`~perth.redact.Redacted` text or numbers (mypy enforces it),
and exceptions are never recorded with their messages, so captured text reaches a trace only
through the secret filter.
"""

from __future__ import annotations

import contextlib
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~5 ms to import: only the type checker reads these
    from collections.abc import Iterator, Mapping
    from typing import Any, Protocol

    from perth.config import Settings
    from perth.redact import Redacted

    #: What a span attribute may hold.
    SpanValue = Redacted | int | float | bool

    class Span(Protocol):
        """The part of a span Perth uses."""

        def set(self, name: str, value: SpanValue) -> None:
            """Set one attribute."""
            ...

        def fail(self, description: Redacted) -> None:
            """Mark the span failed, with a redacted one-line description."""
            ...

#: The instrumentation scope spans are recorded under.
SCOPE = "perth"
#: Longest time one OTLP export may take (seconds), at exit too.
EXPORT_TIMEOUT_S = 3.0


class _NoSpan:
    """The span used while tracing is off: every call does nothing."""

    def set(self, name: str, value: SpanValue) -> None:
        """Nothing to record."""

    def fail(self, description: Redacted) -> None:
        """Nothing to record."""


_NO_SPAN = _NoSpan()


class _OtelSpan:
    """A recording OpenTelemetry span."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.failed = False

    def set(self, name: str, value: SpanValue) -> None:
        """Set one attribute (``Redacted`` is passed on as a plain string)."""
        self.raw.set_attribute(name, str(value) if isinstance(value, str) else value)

    def fail(self, description: Redacted) -> None:
        """Status ERROR with ``description``."""
        from opentelemetry.trace import Status, StatusCode

        self.failed = True
        self.raw.set_status(Status(StatusCode.ERROR, str(description)))


class _State:
    """The tracer this process uses, built once per configuration."""

    def __init__(self) -> None:
        self.key: tuple[str, str] | None = None
        self.tracer: Any = None
        self.provider: Any = None
        self.pinned = False  # set by use_exporter(): the settings are not consulted


_STATE = _State()


def tracer_for(settings: Settings) -> Any:
    """The OpenTelemetry tracer the settings ask for, or ``None`` when tracing is off."""
    exporter = str(settings.get("trace.exporter"))
    key = (exporter, str(settings.get("trace.endpoint")))
    if _STATE.pinned or _STATE.key == key:
        return _STATE.tracer
    shutdown()
    tracer = _ambient_tracer() if exporter == "none" else _configured_tracer(*key)
    _STATE.key = key
    _STATE.tracer = tracer
    return tracer


def _ambient_tracer() -> Any:
    """The global provider's tracer when OpenTelemetry was loaded before Perth asked (zero-code
    instrumentation); ``None`` otherwise, without importing anything."""
    if "opentelemetry.trace" not in sys.modules:
        return None
    from opentelemetry import trace

    from perth import __version__

    return trace.get_tracer(SCOPE, __version__)


def _configured_tracer(exporter: str, endpoint: str) -> Any:
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor

        if exporter == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        from perth.extras import missing_extra

        raise missing_extra(f"trace.exporter={exporter} (OpenTelemetry, {exc.name})", "otel",
                            "set trace.exporter to none") from exc
    from perth import __version__

    _report_export_problems()
    provider = TracerProvider(resource=Resource.create({"service.name": SCOPE, "service.version": __version__}))
    if exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
    else:
        otlp = OTLPSpanExporter(endpoint=endpoint or None, timeout=EXPORT_TIMEOUT_S)
        provider.add_span_processor(BatchSpanProcessor(otlp, export_timeout_millis=int(EXPORT_TIMEOUT_S * 1000)))
    _STATE.provider = provider
    return provider.get_tracer(SCOPE, __version__)


def _report_export_problems() -> None:
    """OpenTelemetry's own messages (an unreachable receiver...) as Perth warnings on stderr."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("perth: warning: tracing: %(message)s"))
    otel = logging.getLogger("opentelemetry")
    otel.handlers[:] = [handler]
    otel.setLevel(logging.WARNING)
    otel.propagate = False


def use_exporter(exporter: Any) -> None:
    """Record spans into ``exporter`` (an SDK ``SpanExporter``) from now on, whatever the settings
    say, until :func:`shutdown`.  For tests and for programs embedding Perth."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    shutdown()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _STATE.provider = provider
    _STATE.tracer = provider.get_tracer(SCOPE)
    _STATE.pinned = True


def shutdown() -> None:
    """Send what is left and forget the tracer (the next span builds it again from the settings).

    A provider Perth built is shut down; the global one of a process under OpenTelemetry is
    only flushed (it is not Perth's to close).  Bounded by :data:`EXPORT_TIMEOUT_S`."""
    provider, ambient = _STATE.provider, _STATE.tracer is not None and _STATE.provider is None
    _STATE.key = _STATE.tracer = _STATE.provider = None
    _STATE.pinned = False
    if provider is not None:
        provider.shutdown()
    elif ambient:
        from opentelemetry import trace

        flush = getattr(trace.get_tracer_provider(), "force_flush", None)
        if flush is not None:
            flush(int(EXPORT_TIMEOUT_S * 1000))


@contextlib.contextmanager
def span(tracer: Any, name: str, attributes: Mapping[str, SpanValue] | None = None) -> Iterator[Span]:
    """A span named ``name`` around the block (a no-op when ``tracer`` is ``None``).

    An exception leaving the block marks the span failed with the exception's type only; use
    :meth:`Span.fail` for a (redacted) description."""
    if tracer is None:
        yield _NO_SPAN
        return
    values = {k: str(v) if isinstance(v, str) else v for k, v in (attributes or {}).items()}
    with tracer.start_as_current_span(name, attributes=values, record_exception=False,
                                      set_status_on_exception=False) as raw:
        handle = _OtelSpan(raw)
        try:
            yield handle
        except BaseException as exc:
            if not handle.failed:
                from opentelemetry.trace import Status, StatusCode

                raw.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


__all__ = ["shutdown", "span", "tracer_for", "use_exporter"]
