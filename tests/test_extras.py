"""Optional extras: a missing one is a clean message, never a traceback."""

from __future__ import annotations

import sys

import pytest

from perth.doctor import run_doctor
from perth.errors import UnavailableError
from perth.extras import install_command, missing_extra, module_available
from perth.paths import resolve_paths


@pytest.fixture
def no_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the core alone were installed: the optional packages cannot be imported."""
    for name in [n for n in sys.modules if n.split(".")[0] in ("opentelemetry", "pygal")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.setitem(sys.modules, "pygal", None)


@pytest.mark.usefixtures("no_extras")
def test_dotted_names_of_a_missing_package_are_simply_absent() -> None:
    assert module_available("json.decoder")
    assert not module_available("opentelemetry.sdk")
    assert not module_available("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    assert not module_available("pygal")


@pytest.mark.usefixtures("no_extras")
@pytest.mark.parametrize("exporter", ["none", "console", "otlp"])
def test_doctor_reports_missing_extras(monkeypatch: pytest.MonkeyPatch, exporter: str) -> None:
    import os

    monkeypatch.setenv("PERTH_TRACE__EXPORTER", exporter)
    report = run_doctor(resolve_paths(os.environ), os.environ)
    optional = {c.name: c for c in report.checks if c.area == "optional"}
    assert optional["opentelemetry.sdk"].detail.startswith("not installed")
    assert optional["opentelemetry.sdk"].fix == install_command("otel")
    (trace,) = [c for c in report.checks if c.area == "trace"]
    assert trace.status == ("ok" if exporter == "none" else "fail")
    assert report.ok is (exporter == "none")


def test_the_hint_names_where_perth_was_installed_from() -> None:
    command = install_command("otel")
    assert command.startswith("pip install '") and command.endswith("[otel]'")
    error = missing_extra("the trend chart (pygal)", "charts", "write a table instead")
    assert isinstance(error, UnavailableError) and error.exit_code == 4
    assert error.message.count("\n") == 0 and "[charts]" in error.fix and error.fix.endswith("write a table instead")
