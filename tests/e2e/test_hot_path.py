"""`perth log` stays light: no heavy module is imported on the hot path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("rich", "pydantic", "httpx", "numpy", "click", "typer", "yaml", "requests", "asyncio",
             "concurrent", "hypothesis", "tomli_w", "email", "http", "urllib3", "dataclasses", "inspect",
             "typing", "subprocess", "uuid", "shutil", "logging", "locale", "pathlib", "json")


def imported_modules(*args: str, env: dict[str, str]) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "perth", *args], capture_output=True,
                          text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules


def test_log_imports_nothing_heavy(perth_home: Path) -> None:
    env = {**os.environ, "PERTH_PANE": "hot"}
    imported_modules("log", "warm up", env=env)  # the first run creates the store
    modules = imported_modules("log", "fixed the token refresh in auth.py", env=env)
    assert "perth.panes.entries" in modules, "importtime output was not parsed"
    heavy = sorted(m for m in modules if m.split(".")[0] in FORBIDDEN)
    assert heavy == []
