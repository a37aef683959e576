"""The store contract suite runs against every adapter listed here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.store.port import Store
from perth.store.sqlite import SQLiteStore

ADAPTERS = ["sqlite"]


@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store of each adapter."""
    adapter: Store = SQLiteStore(tmp_path / f"{request.param}.db")
    yield adapter
    adapter.close()
