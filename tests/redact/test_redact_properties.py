"""Property-based tests: the filter never crashes, never lets a known secret through, is
idempotent, keeps line counts, and its prefilter finds exactly what a naive search finds."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.corpus import build_corpus

from perth.redact import SecretFilter
from perth.redact.engine import PLACEHOLDER, lower
from perth.redact.keywords import KEYWORDS
from perth.redact.prefilter import KeywordIndex
from perth.redact.table import _Re2Index

SECRETS = SecretFilter()
POSITIVES = [case for case in build_corpus() if case.labels]
INDEX = KeywordIndex(KEYWORDS)
FAST = _Re2Index.build(tuple(sorted(KEYWORDS)))
NOISE = st.lists(st.sampled_from([*"abcxyzAKIA019 =:_-./\"'@$\t\n", "ghp_", "key", "token", "://"]),
                max_size=60).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=400))
def test_never_crashes_and_always_returns_redacted_text(text: str) -> None:
    out = SECRETS.redact(text)
    assert isinstance(out, str)
    SECRETS.findings(text)


@SETTINGS
@given(st.sampled_from(POSITIVES), NOISE, NOISE)
def test_a_known_secret_never_survives(case: object, before: str, after: str) -> None:
    text = f"{before}\n{case.text}\n{after}"  # type: ignore[attr-defined]
    out = PLACEHOLDER.sub("", SECRETS.redact(text))
    for secret in case.secrets:  # type: ignore[attr-defined]
        elsewhere = text.replace(secret, "\0")  # substrings the rest of the text holds anyway
        leaked = [secret[i:i + 8] for i in range(len(secret) - 7)
                  if secret[i:i + 8] in out and secret[i:i + 8] not in elsewhere]
        assert not leaked, f"{case.labels} leaked {leaked[:3]}"  # type: ignore[attr-defined]


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from([c.text for c in POSITIVES]), NOISE), max_size=6))
def test_redaction_is_idempotent(parts: list[str]) -> None:
    once = SECRETS.redact(" ".join(parts))
    assert SECRETS.redact(once) == once


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from([c.text for c in POSITIVES]), NOISE), max_size=12))
def test_redact_lines_keeps_the_line_count(parts: list[str]) -> None:
    lines = "\n".join(parts).split("\n")
    out = list(SECRETS.redact_lines(lines))
    assert len(out) == len(lines)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(list(KEYWORDS)), NOISE), max_size=20))
def test_prefilter_finds_every_keyword_occurrence(parts: list[str]) -> None:
    low = lower("".join(parts))
    naive = {(m.start(), k) for k in KEYWORDS for m in re.finditer(f"(?={re.escape(k)})", low)}
    assert set(INDEX.hits(low)) == naive
    if FAST is not None:
        assert set(FAST.hits(low)) == naive
