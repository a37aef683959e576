"""A Runtime over the test's PERTH_HOME."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime


@pytest.fixture
def make_rt(perth_home: Path) -> Iterator[Callable[..., Runtime]]:
    """Build runtimes with a given environment and working directory; all closed at the end."""
    made: list[Runtime] = []

    def build(env: dict[str, str] | None = None, cwd: Path | None = None, **overrides: str) -> Runtime:
        environ = {**os.environ, **(env or {})}
        settings = load_settings(resolve_paths(environ), environ, overrides)
        rt = Runtime(settings=settings, environ=environ, cwd=cwd or Path.cwd())
        made.append(rt)
        return rt

    yield build
    for rt in made:
        rt.close()


@pytest.fixture
def rt(make_rt: Callable[..., Runtime]) -> Runtime:
    """A runtime with the test's environment."""
    return make_rt()
