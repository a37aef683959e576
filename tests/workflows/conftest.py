"""Runtimes for workflow tests (short leases, no backoff) and a helper to write workflow files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime


@pytest.fixture
def rt() -> Iterator[Runtime]:
    """A runtime whose jobs retry at once and whose leases are short."""
    environ = dict(os.environ)
    environ.update({"PERTH_OPS__BACKOFF_MS": "0", "PERTH_OPS__LEASE_S": "2", "PERTH_OPS__POLL_MS": "20"})
    runtime = Runtime(load_settings(resolve_paths(environ), environ), environ=environ)
    yield runtime
    runtime.close()


def sh(script: str) -> str:
    """A step's job running ``script`` in sh (flow style YAML)."""
    quoted = script.replace('"', '\\"')
    return f'{{kind: shell, args: ["sh", "-c", "{quoted}"]}}'


def write_flow(directory: Path, text: str, name: str = "flow.yml") -> str:
    path = directory / name
    path.write_text(text)
    return str(path)


@pytest.fixture(autouse=True)
def _stop_detached_runs(perth_home: Path) -> Iterator[None]:
    """After each test, cancel the runs still running, so no detached runner outlives a failed test."""
    yield
    if not any(perth_home.rglob("perth.db")):
        return
    from perth.workflows.service import cancel

    environ = {**os.environ, "PERTH_HOME": str(perth_home)}
    runtime = Runtime(load_settings(resolve_paths(environ), environ), environ=environ)
    try:
        for run in runtime.store.workflows.recent(500, "running"):
            cancel(runtime, run)
    finally:
        runtime.close()
