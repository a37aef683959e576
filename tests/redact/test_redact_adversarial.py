"""Secrets in adversarial neighbourhoods: the shapes the worst-case benchmark times
(tests/fixtures/redact/adversarial.py) must not hide a secret next to them, and what comes out is
a fixed point.  The rates are the benchmark's business; these tests hold the output.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.adversarial import rule_samples, shapes, soup_line
from tests.redact.checks import windowed_equals_whole

from perth.redact import SecretFilter
from perth.redact.derive import lead, steps
from perth.redact.rules import RULES

#: A few keywords stand in for all of them (the benchmark times every one).
_KEYWORDS = ("token", "key=", ":", "password", "-p", "authorization", "http", "ghp_", "aaaaaaaaaaaaaaaaaaaaaa")
_SIZE = 1500  # short of the dense-line threshold, so every rule runs next to the secret


def _family_samples() -> list[tuple[str, str]]:
    """One shape in every ten of each family, at ``_SIZE`` characters."""
    picked: dict[str, list[tuple[str, str]]] = {}
    for label, text in shapes(_SIZE):
        family = label.split(" ", 1)[0]
        if family in ("spaced", "filled", "valued") and not any(repr(k) in label for k in _KEYWORDS):
            continue
        picked.setdefault(family, []).append((label, text))
    return [item for items in picked.values() for item in items[::10]]


@cache
def _samples() -> list[tuple[str, str]]:
    return rule_samples()


def _secret_of(rule_id: str, sample: str) -> str:
    """The part of ``sample`` the filter replaces when it stands alone."""
    found = SecretFilter().findings(sample)
    region = next(f for f in found if f.rule_id == rule_id) if found else None
    assert region is not None, f"{rule_id}: its sample is not detected on its own"
    return sample[region.start:region.end]


@pytest.mark.parametrize(("label", "shape"), _family_samples(), ids=lambda value: str(value)[:60])
def test_a_secret_next_to_an_adversarial_shape_is_still_redacted(label: str, shape: str) -> None:
    secrets = SecretFilter()
    layouts = ("{shape}\n{sample}\n{shape}", "{head} {sample} {head}")
    for rule_id, sample in _samples()[::7]:
        secret = _secret_of(rule_id, sample)
        head = shape[:600].rsplit(" ", 1)[0]  # whole words
        if secret in secrets.redact(shape) or secret in secrets.redact(head):
            # the shape repeats another rule's sample holding the same fake value, in places no rule
            # claims (the second line-format directive on one line, or a sample the head's cut left
            # without the words its rule needs): the value cannot tell them apart
            continue
        # the layouts where the rule matches with plain words around (a line format takes its whole line)
        fitting = [layout for layout in layouts
                   if secret not in secrets.redact(layout.format(shape="ls -la", head="ls -la", sample=sample))]
        assert fitting, rule_id
        for layout in fitting:
            text = layout.format(shape=shape, head=head, sample=sample)
            out = secrets.redact(text)
            assert secret not in out, (label, rule_id)
            assert secrets.redact(out) == out, (label, rule_id)
            assert "".join(secrets.redact_stream(iter((text,)))) == out, (label, rule_id)


@pytest.mark.parametrize("length", [48, 200, 1000, 4096, 4097, 8192])
def test_every_sample_inside_a_keyword_soup_line_is_redacted(length: int) -> None:
    secrets = SecretFilter()
    for number, (rule_id, sample) in enumerate(_samples()[::3]):
        secret = _secret_of(rule_id, sample)
        soup = soup_line(length, number)
        layouts = ("{soup}\n{sample}\n{soup}", "{sample} {soup}", "{soup} {sample}", "{head} {sample} {tail}")
        # where the rule matches with plain words around (a directive takes its whole line)
        fitting = [layout for layout in layouts if secret not in secrets.redact(
            layout.format(soup="ls -la", head="ls -la", tail="ls -la", sample=sample))]
        assert fitting, rule_id
        for layout in fitting:
            text = layout.format(soup=soup, head=soup[:length // 2], tail=soup[length // 2:], sample=sample)
            out = secrets.redact(text)
            assert secret not in out, rule_id
            assert secrets.redact(out) == out, rule_id


def test_lead_bounds_where_a_match_starts_before_its_first_literal() -> None:
    assert lead(r"token=\w+") == 0
    assert lead(r"[0-9]{8,10}:AA[a-z]{30}") == 10  # ':aa' after at most ten digits
    assert lead(r"(?<![a-z])(?i:api_key|secret)=\w+") == 0  # a look-behind takes no room
    assert lead(r"(?:x-|)api_?key=\w+") == -1 or lead(r"(?:x-|)api_?key=\w+") <= 2
    assert lead(r"\w+=secret") == -1  # an unbounded run before the literal: no bound
    assert lead(r"[A-Z]{3}(?:_PASS|_PWD)=\S+") == 3


def _first_literal_at(rule_pattern: str, match_text: str) -> int:
    first = steps(rule_pattern)[0]
    low = match_text.lower()
    return min((low.find(literal) for literal in first if literal in low), default=-1)


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind == "regex"], ids=lambda r: r.id)
def test_every_match_holds_a_first_literal_within_its_rules_lead(rule: object) -> None:
    pattern = rule.pattern  # type: ignore[attr-defined]
    bound = lead(pattern)
    if bound < 0:
        return
    flags = re.ASCII | (re.IGNORECASE if rule.ignore_case else 0)  # type: ignore[attr-defined]
    texts = [*rule.samples, " ".join(rule.samples), soup_line(600, 3) + " " + " ".join(rule.samples)]  # type: ignore[attr-defined]
    for text in texts:
        for match in re.finditer(pattern, text, flags):
            offset = _first_literal_at(pattern, match.group())
            assert 0 <= offset <= bound, (match.group(), offset, bound)


def _windowed_equals_whole(text: str) -> None:
    windowed_equals_whole(text)


def test_windowed_search_agrees_with_a_full_search_inside_soup_lines() -> None:
    for number, (_rule_id, sample) in enumerate(_samples()):
        soup = soup_line(300, number * 5)
        _windowed_equals_whole(f"{soup} {sample} {soup}")
        _windowed_equals_whole(f"{sample} {'x' * 80} {sample}")


_PIECE = st.sampled_from([*_KEYWORDS, "=", ": ", "'", '"', " ", "x" * 20, "aB3dE5gH7jK9mN1pQ2sT4", "://u:p@"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECE, min_size=20, max_size=120).map("".join), st.integers(0, 10_000))
def test_windowed_search_agrees_with_a_full_search_on_keyword_mixes(mix: str, pick: int) -> None:
    _rule_id, sample = _samples()[pick % len(_samples())]
    _windowed_equals_whole(f"{mix} {sample} {mix}")
