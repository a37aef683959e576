"""A minimal OTLP/HTTP traces receiver on 127.0.0.1 for tests: it keeps each request body and
decodes the spans with the OpenTelemetry protobuf classes."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

from tests.background_server import BackgroundServer


class ReceivedSpan(NamedTuple):
    """One exported span: name, ids, status code (0 unset, 1 ok, 2 error), description, attributes."""

    name: str
    span_id: bytes
    parent_span_id: bytes
    status_code: int
    status_message: str
    attributes: dict[str, Any]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.bodies.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.bodies: list[tuple[str, bytes]] = []


class OtlpCollector(BackgroundServer):
    """``with OtlpCollector() as collector:`` then point ``trace.endpoint`` at ``collector.url``."""

    _server: _Server

    def __init__(self) -> None:
        super().__init__(_Server())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"

    @property
    def bodies(self) -> list[tuple[str, bytes]]:
        with self._server.lock:
            return list(self._server.bodies)

    def spans(self) -> list[ReceivedSpan]:
        """Every span received so far, decoded."""
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        found = []
        for _path, body in self.bodies:
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    for span in scope.spans:
                        attributes = {a.key: _value(a.value) for a in span.attributes}
                        found.append(ReceivedSpan(span.name, span.span_id, span.parent_span_id, span.status.code,
                                                  span.status.message, attributes))
        return found


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None
