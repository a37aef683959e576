"""Where a prefixed token may start: after '-' or '_' (file and branch names), never inside a word."""

from __future__ import annotations

import pytest

from perth.redact import SecretFilter

TOKEN = "ghp_" + "a1B2" * 9
AWS = "AKIA" + "ABCDEFGHIJKLMNOP"


@pytest.mark.parametrize("text", [f"notes-{TOKEN}.txt", f"fix-{TOKEN}", f"x_{TOKEN}", f"key-{AWS}", f"dir/{TOKEN}"])
def test_prefixed_tokens_after_a_dash_or_underscore_are_redacted(text: str) -> None:
    redacted = SecretFilter().redact(text)
    assert TOKEN not in redacted and AWS not in redacted
    assert "[REDACTED:" in redacted


@pytest.mark.parametrize("text", [f"a{TOKEN}", f"9{AWS}"])
def test_a_prefix_inside_a_word_is_not_a_token(text: str) -> None:
    assert SecretFilter().redact(text) == text
