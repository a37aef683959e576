"""The structural guarantee: only the filter makes Redacted values, and mypy enforces it."""

from __future__ import annotations

from pathlib import Path

from mypy import api

SNIPPET = '''
from perth.redact import Redacted, SecretFilter

def send_to_llm(prompt: Redacted) -> None: ...

send_to_llm(SecretFilter().redact("fine", required=True))
send_to_llm("raw text")
forged = Redacted("forged")
'''


def test_mypy_rejects_plain_str_where_redacted_is_required(tmp_path: Path) -> None:
    module = tmp_path / "snippet.py"
    module.write_text(SNIPPET)
    stdout, _stderr, status = api.run([str(module), "--strict", "--no-incremental",
                                       "--cache-dir", str(tmp_path / ".mypy_cache"),
                                       "--follow-imports=silent"])
    assert status == 1, stdout
    assert ('snippet.py:7: error: Argument 1 to "send_to_llm" has incompatible type "str"; '
            'expected "Redacted"') in stdout
    assert "snippet.py:8: error: Missing positional argument" in stdout
    assert "snippet.py:6:" not in stdout
