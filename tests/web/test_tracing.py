"""Request spans of ``perth serve`` under OpenTelemetry (an in-memory exporter): one span per request,
named by the route's template, with the status and the user; no span when tracing is off."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from perth import tracing
from perth.identity.service import add_user, create_token
from perth.runtime import Runtime
from perth.web.app import build_app, request_tracer
from tests.mcp.client import free_port
from tests.search.conftest import make_rt
from tests.web.test_api import fetch

pytestmark = pytest.mark.integration


@contextmanager
def serving_app(app: Any) -> Iterator[str]:
    """The app under uvicorn in a thread of this process (so its spans reach this process's exporter)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    tracing.use_exporter(memory)
    yield memory
    tracing.shutdown()


def _app(rt: Runtime) -> Any:
    return build_app(make_rt, "owner-token", owner="owner", tracer=request_tracer(rt.settings))


def test_each_request_is_a_server_span_named_by_its_route(perth_home: Path, exporter: InMemorySpanExporter) -> None:
    del perth_home  # it points PERTH_HOME at a temporary folder
    rt = make_rt()
    add_user(rt, "vera", "viewer")
    token = create_token(rt, "vera")[1]
    rt.close()
    with serving_app(_app(rt)) as url:
        secret_path = "/api/panes/ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + "/timeline"
        assert fetch(url + secret_path, token=token)[0] == 404
        assert fetch(url + "/api/panes")[0] == 200
        assert fetch(url + "/api/jobs/x/retry", method="POST", token=token)[0] == 403
    spans = {span.name: span for span in exporter.get_finished_spans()}
    assert set(spans) == {"GET /api/panes/{name}/timeline", "GET /api/panes", "POST /api/jobs/{id}/retry"}
    timeline = spans["GET /api/panes/{name}/timeline"]
    assert timeline.kind == SpanKind.SERVER
    assert dict(timeline.attributes or {}) | {"perth.duration_ms": 0} == {
        "http.request.method": "GET", "http.route": "/api/panes/{name}/timeline", "http.response.status_code": 404,
        "enduser.id": "vera", "enduser.role": "viewer", "perth.duration_ms": 0}
    assert "ghp_" not in repr([dict(s.attributes or {}) for s in spans.values()])  # templates, never raw paths
    assert "enduser.id" not in (spans["GET /api/panes"].attributes or {})
    assert spans["POST /api/jobs/{id}/retry"].attributes["http.response.status_code"] == 403  # type: ignore[index]
    assert all(s.status.status_code != StatusCode.ERROR for s in spans.values())


def test_perth_serve_exports_request_spans_when_asked(perth_home: Path) -> None:
    from tests.mcp.client import perth_env, stop
    from tests.web.test_api import start_serve

    for exporter, spans in (("console", 1), ("none", 0)):
        server, port = start_serve({**perth_env(perth_home), "PERTH_TRACE__EXPORTER": exporter})
        try:
            assert fetch(f"http://127.0.0.1:{port}/api/panes")[0] == 200
        finally:
            _out, err = stop(server)
        assert err.count('"name": "GET /api/panes"') == spans, err
