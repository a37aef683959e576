"""The store contract suites: each module under ``contract/`` tests one port against every
adapter that declares it (``PORT = "..."`` at the top of the module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.store.port import Store
from tests.store.adapters import ADAPTERS, adapters_offering


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``adapter`` by the adapters offering the module's PORT (every adapter without one)."""
    if "adapter" in metafunc.fixturenames:
        port = getattr(metafunc.module, "PORT", None)
        names = adapters_offering(port) if port else list(ADAPTERS)
        metafunc.parametrize("adapter", names)


@pytest.fixture
def store(adapter: str, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store of the adapter under test."""
    with ADAPTERS[adapter][1](tmp_path) as opened:  # type: ignore[attr-defined]
        yield opened
