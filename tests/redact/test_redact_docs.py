"""docs/security.md stays true to the rule table."""

from __future__ import annotations

import re
from pathlib import Path

from perth.redact.rules import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_security_doc_lists_every_rule_by_category_in_table_order() -> None:
    text = DOC.read_text(encoding="utf-8")
    listed = text.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0]
    ids = re.findall(r"^\| `([a-z0-9-]+)` \|", listed, flags=re.MULTILINE)
    expected = [r.id for category in ("provider", "syntax", "generic") for r in RULES
                if r.category == category]
    assert ids == expected


def test_security_doc_describes_the_placeholder_and_config_keys() -> None:
    text = DOC.read_text(encoding="utf-8")
    for needle in ("[REDACTED:<rule-id>]", "redact.enabled", "redact.extra_patterns",
                   "redact.allow_patterns", ".perthallow", "perth:allow", "perth-scan", "custom-<n>"):
        assert needle in text
