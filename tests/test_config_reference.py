"""docs/configuration.md documents every config key, exactly as the code defines it."""

from __future__ import annotations

import re

from perth.config import KEYS
from perth.config_reference import DOC, key_table, render


def test_the_key_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "docs/configuration.md is stale: run `python -m perth.config_reference`"


def test_every_key_is_documented_once() -> None:
    documented = re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \|", key_table(), flags=re.MULTILINE)
    assert sorted(documented) == sorted(spec.key for spec in KEYS)
    text = DOC.read_text(encoding="utf-8")
    for spec in KEYS:
        assert text.count(f"| `{spec.key}` |") == 1, spec.key
