"""The dashboard's test site: a pane with 60 entries (markup in them) and a shellperf run, served."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_api import serving


@pytest.fixture
def site(perth_home: Path, cli: Callable[..., Any]) -> Iterator[str]:
    assert cli("pane", "create", "web-a").code == 0
    for i in range(60):
        assert cli("log", f"<script>alert({i})</script> step {i}", "--pane", "web-a").code == 0
    assert cli("shellperf", "run", "--shell", "bash", "--norc", "-n", "1", "--warmup", "0").code == 0
    with serving(perth_home) as url:
        yield url
