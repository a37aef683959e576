"""The `perth log` hot path staying clear of the shellperf package and its store adapter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_hot_path import imported_modules


@pytest.mark.integration
def test_perth_log_never_imports_shellperf(perth_home: Path) -> None:
    env = {**os.environ, "PERTH_PANE": "hot"}
    imported_modules("log", "warm up", env=env)
    modules = imported_modules("log", "measured the shell", env=env)
    assert "perth.store.sql_entries" in modules, "importtime output was not parsed"
    assert sorted(m for m in modules if m.startswith("perth.shellperf")) == []
    assert "perth.store.sql_shellperf" not in modules  # a port's adapter loads on first use
