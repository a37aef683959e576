"""A bounded coverage-guided fuzz run (atheris/libFuzzer) of the filter, a few seconds long."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

FUZZ = textwrap.dedent('''
    import sys
    import atheris

    with atheris.instrument_imports():
        from perth.redact import SecretFilter
        from perth.redact import allow, engine, pem, prefilter, table  # noqa: F401
        from perth.redact.keywords import KEYWORDS

    SECRETS = SecretFilter()

    def one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        keyword = KEYWORDS[provider.ConsumeIntInRange(0, len(KEYWORDS) - 1)]
        text = (provider.ConsumeUnicodeNoSurrogates(256) + keyword
                + provider.ConsumeUnicodeNoSurrogates(2048))
        once = SECRETS.redact(text)
        assert SECRETS.redact(once) == once, (text, once)
        lines = text.split("\\n")
        assert len(list(SECRETS.redact_lines(lines))) == len(lines)
        for finding in SECRETS.findings(text):
            assert 0 <= finding.start < finding.end <= len(text)

    atheris.Setup([sys.argv[0], "-runs=30000", "-max_total_time=8", "-seed=1"], one_input)
    atheris.Fuzz()
''')


def test_fuzzing_finds_no_crash_or_broken_invariant() -> None:
    pytest.importorskip("atheris", reason="atheris is an optional fuzzing dependency")
    done = subprocess.run([sys.executable, "-c", FUZZ], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done" in done.stderr or "DONE" in done.stderr, done.stderr[-2000:]
