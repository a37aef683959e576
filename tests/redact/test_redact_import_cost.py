"""The ``perth log`` hot path: importing the filter and redacting a short line stays cheap."""

from __future__ import annotations

import os
import subprocess
import sys

HOT_PATH = "import perth.redact as r; r.SecretFilter().redact('a short summary', source='log')"
HEAVY = ("re", "dataclasses", "typing", "enum", "inspect", "collections", "hashlib", "perth.redact.engine",
         "perth.redact.rules", "re2")


def imported(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True,
                          text=True, check=True)
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def test_hot_path_imports_nothing_heavy() -> None:
    modules = imported(HOT_PATH)
    assert "perth.redact.filter" in modules, "importtime output was not parsed"
    assert sorted(m for m in modules if m in HEAVY) == []


def test_hot_path_costs_under_five_milliseconds() -> None:
    # Byte-code caching on, as for users (PYTHONDONTWRITEBYTECODE would time the compiler);
    # the first run writes the .pyc files, the next ones are measured.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = ("import time; t = time.perf_counter(); " + HOT_PATH + "; "
            "print(time.perf_counter() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, env=env).stdout) for _ in range(6)]
    assert min(runs[1:]) < 0.005, runs


def test_a_line_with_a_keyword_loads_the_engine_on_demand() -> None:
    code = "import perth.redact as r; print(r.SecretFilter().redact('TOKEN=' + 'aB3dE5gH7jK9mN1pQ3'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "TOKEN=[REDACTED:secret-assignment]"
