"""Runtimes for operations tests: settings from PERTH_OPS__* variables, a fresh store per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime

MakeRuntime = Callable[..., Runtime]


@pytest.fixture
def make_rt() -> Iterator[MakeRuntime]:
    """``make_rt(lease_s=1, backoff_ms=0)``: a runtime whose ``ops.*`` keys are overridden."""
    made: list[Runtime] = []

    def make(**ops: object) -> Runtime:
        environ = dict(os.environ)
        environ.update({f"PERTH_OPS__{k.upper()}": str(v) for k, v in ops.items()})
        rt = Runtime(load_settings(resolve_paths(environ), environ), environ=environ)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()


@pytest.fixture
def rt(make_rt: MakeRuntime) -> Runtime:
    """A runtime with fast retries (no backoff) and short leases."""
    return make_rt(backoff_ms=0, lease_s=2, poll_ms=20)
