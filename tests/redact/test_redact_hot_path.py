"""The ``perth log`` hot path with keywords: summaries that mention a token, a login or a URL are
settled by the rules' gates, without the rule table, the allow-list, re2 or any pattern.

Each summary runs in a fresh process that has already imported what ``perth log`` imports
before the filter (``re``, ``argparse``, ``sqlite3``, ``perth.record``); the modules the filter
then loads must all be in the allowed list.  The cost itself is measured by
``bench/bench_redact.py`` (hot-path section), not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from perth.redact import SecretFilter
from perth.redact.rules.model import ALNUM, fake

SUMMARIES = (
    "fixed the token refresh in auth.py",
    "benchmarking the hot path",
    "rotated the API key for staging",
    "wired the login page to the session store",
    "asked about the desk booking task",
    "pinned curl and mysql client versions",
    "see https://github.com/org/repo/pull/12",
)
#: What the filter may load for them: its own light modules, nothing of the standard library
#: (the gates are checked with the keyword list's own functions: not even the engine).
ALLOWED = frozenset({
    "perth.redact", "perth.redact.filter", "perth.redact.keywords", "perth.redact.redacted",
})
PRELOADED = "import re, argparse, sqlite3, perth.record"
PROBE = (PRELOADED + "\nimport json, sys\nbefore = set(sys.modules)\nimport perth.redact as r\n"
         "out = r.SecretFilter().redact(sys.argv[1], source='log')\n"
         "print(json.dumps([out, sorted(set(sys.modules) - before - {'json'})]))")


def loaded(summary: str) -> tuple[str, list[str]]:
    """The redacted summary and the modules redacting it loaded, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", PROBE, summary], capture_output=True, text=True,
                          check=True)
    out, modules = json.loads(done.stdout)
    return out, [m for m in modules if not m.startswith("json")]


@pytest.mark.parametrize("summary", SUMMARIES)
def test_a_summary_with_keywords_loads_only_the_light_modules(summary: str) -> None:
    out, modules = loaded(summary)
    assert out == summary
    assert "perth.redact.keywords" in modules, "the summary should reach the rules' gates"
    assert sorted(set(modules) - ALLOWED) == []


def test_a_summary_that_passes_a_gate_still_loads_the_rules_and_redacts() -> None:
    token = fake(ALNUM, 24, "hot-path-token")
    out, modules = loaded(f"rotated the API key for staging: STAGING_API_KEY={token}")
    assert out == "rotated the API key for staging: STAGING_API_KEY=[REDACTED:secret-assignment]"
    assert {"perth.redact.table", "perth.redact.ruleset", "perth.redact.allow"} <= set(modules)
    assert "perth.redact.rules" not in modules, "the runtime never imports the rule modules"


@pytest.mark.parametrize(("summary", "expected"), [
    ("fixed the token refresh in auth.py, TOKEN={}", "fixed the token refresh in auth.py, TOKEN=[REDACTED:secret-assignment]"),
    ("wired the login page: docker login -u ci -p {} reg", "wired the login page: docker login -u ci -p [REDACTED:docker-login-password] reg"),
    ("pinned curl: curl -u admin:{} https://x", "pinned curl: curl -u admin:[REDACTED:curl-user-password] https://x"),
    ("see https://app:{}@github.com/org/repo", "see https://app:[REDACTED:url-password]@github.com/org/repo"),
    ("mysql -uroot -p{} app", "mysql -uroot -p[REDACTED:mysql-password] app"),
])
def test_the_same_summaries_with_a_secret_are_redacted(summary: str, expected: str) -> None:
    secret = fake(ALNUM, 20, "hot-path") + "9"
    assert SecretFilter().redact(summary.format(secret), source="log") == expected
