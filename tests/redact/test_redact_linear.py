"""Adversarial text costs linear time: the structure that guarantees it, checked without a clock.

The benchmark (``bench/bench_redact.py``) measures the rates; these tests hold the mechanisms:
one trigger search per line, one scan per rule and pass, a covering test that does not walk every
earlier span, and hoisted patterns that match exactly what the rules as written match.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.redact.checks import windowed_equals_whole

from perth.redact import SecretFilter, engine
from perth.redact.engine import MAX_PASSES
from perth.redact.hoist import hoisted
from perth.redact.keywords import KEYWORDS
from perth.redact.rules import RULES, Rule
from perth.redact.table import RuleTable

REGEX_RULES = [rule for rule in RULES if rule.kind == "regex"]
KEYWORD_DENSE = "".join(f"{k}= {k}:\"{k}'" for k in KEYWORDS)
#: Long single lines of the shapes that used to cost quadratic time.
SHAPES = ("A", "a", "token ", "Authorization: Bearer ", "https://u:p@", "sb_secret_", "-pwd \"",
          "pw='", "aws_secret: ", "password: ")


def _flags(rule: Rule) -> int:
    return re.ASCII | (re.IGNORECASE if rule.ignore_case else 0)


def _spans(pattern: str, flags: int, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.compile(pattern, flags).finditer(text)]


@pytest.mark.parametrize("rule", REGEX_RULES, ids=[r.id for r in REGEX_RULES])
def test_a_hoisted_pattern_matches_what_the_rule_matches(rule: Rule) -> None:
    moved = hoisted(rule.pattern, _flags(rule))
    texts = [KEYWORD_DENSE, *rule.samples, *rule.near_misses,
             *(shape * 50 for shape in SHAPES), *(" " + s for s in rule.samples)]
    for text in texts:
        assert _spans(moved, _flags(rule), text) == _spans(rule.pattern, _flags(rule), text)


_PIECES = st.sampled_from([*KEYWORDS, *"aA0_-.:=/@'\" \t\\Qx~", "ghp_", "AKIA", "://", "Bearer ",
                           "password=", "0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_hoisted_patterns_agree_with_the_rules_on_generated_text(text: str) -> None:
    for rule in REGEX_RULES:
        moved = hoisted(rule.pattern, _flags(rule))
        if moved != rule.pattern:
            assert _spans(moved, _flags(rule), text) == _spans(rule.pattern, _flags(rule), text), rule.id


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?<![A-Za-z0-9])ghp_[A-Za-z0-9]{36}", r"g(?<![A-Za-z0-9][\s\S])hp_[A-Za-z0-9]{36}"),
    (r"(?<![A-Za-z0-9])[a-f0-9]{32}-us", r"[a-f0-9](?<![A-Za-z0-9][\s\S])[a-f0-9]{31}-us"),
    (r"(?<![A-Za-z0-9])(?i:heroku)=x", r"[Hh](?<![A-Za-z0-9][\s\S])(?i:eroku)=x"),
    (r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}",
     r"(?:A(?<![A-Za-z0-9][\s\S])KIA|A(?<![A-Za-z0-9][\s\S])SIA)[A-Z0-9]{16}"),
])
def test_the_look_behind_moves_after_the_first_character(pattern: str, expected: str) -> None:
    assert hoisted(pattern) == expected


@pytest.mark.parametrize("pattern", [
    r"ghp_[A-Za-z0-9]{36}",  # already starts with a literal
    r"(?<![A-Za-z0-9])(?:proxy-)?authorization",  # the first character may be skipped
    r"(?<![A-Za-z0-9])x*y",  # a first character that may repeat zero times
    r"(?<![A-Za-z0-9])[^=]{2}=",  # a negated class: most characters may start a match
])
def test_patterns_without_a_gain_or_a_safe_move_are_left_as_written(pattern: str) -> None:
    assert hoisted(pattern) == pattern


@pytest.mark.parametrize(("pattern", "guard"), [
    (r"(?<![A-Za-z0-9])(?i:token|secret)=", "(?=[STst])"),  # the look-behind would cost more moved
    (r"(?<![a-z])(?i:token)=", "(?=[Tt])"),  # the class is not the same in both cases
    (r"(?:(?<![a-z])(?i:pass|pwd)|(?<=[a-z])Token)=", "(?=[PTp])"),
    (r"(?<![A-Za-z0-9])(?:[Mm]ongo|cqlsh)[ \t]", "(?=[Mcm])"),  # a class: no prefix for re
])
def test_a_pattern_without_a_prefix_is_guarded_by_its_first_characters(pattern: str, guard: str) -> None:
    assert hoisted(pattern) == guard + pattern


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["token", "TOKEN", "Secret", "pass", "pwd", "=", " ", "x", "aToken", "-"]),
                max_size=30).map("".join))
def test_a_guarded_pattern_matches_what_the_pattern_matches(text: str) -> None:
    for pattern in (r"(?<![A-Za-z0-9])(?i:token|secret)=", r"(?:(?<![a-z])(?i:pass|pwd)|(?<=[a-z])Token)=",
                    r"(?<![a-z])(?i:token)=\w*"):
        assert _spans(hoisted(pattern), re.ASCII, text) == _spans(pattern, re.ASCII, text)


def test_the_trigger_scan_searches_once_per_line_that_has_a_trigger() -> None:
    built = RuleTable()
    if built.line_starts("x") is None:
        pytest.skip("google-re2 is not installed: the pure-Python keyword index scans instead")
    triggers = built.triggers
    assert triggers is not None
    calls = []
    regex = triggers._regex

    class Counting:
        def search(self, data: bytes, position: int) -> object:
            calls.append(position)
            return regex.search(data, position)  # type: ignore[attr-defined]

    triggers._regex = Counting()
    lines = ["token " * 20_000, "Authorization: Bearer " * 5_000, "plain words", "A" * 50_000]
    low = "\n".join(lines).lower()
    starts = list(triggers.starts(low))
    assert len(calls) <= len(lines) + 1
    assert len(starts) == 3  # one position on each line that holds a trigger


@pytest.mark.parametrize("shape", SHAPES)
def test_each_rule_scans_a_long_line_once_per_pass(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scans: dict[str, int] = {}
    original = engine._rule_spans

    def counted(compiled: object, *args: object) -> object:
        rule_id = compiled.id  # type: ignore[attr-defined]
        scans[rule_id] = scans.get(rule_id, 0) + 1
        return original(compiled, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_rule_spans", counted)
    text = shape * (60_000 // len(shape))
    once = SecretFilter().redact(text)
    assert max(scans.values(), default=0) <= MAX_PASSES
    assert SecretFilter().redact(once) == once


_SPAN = st.tuples(st.integers(0, 200), st.integers(1, 40)).map(lambda p: (p[0], p[0] + p[1]))


@given(st.lists(_SPAN, max_size=30), _SPAN)
def test_the_kept_spans_cover_a_span_exactly_when_one_of_them_contains_it(
        kept: list[tuple[int, int]], probe: tuple[int, int]) -> None:
    spans = engine._Spans((0, 0))
    for start, end in kept:
        spans.add(start, end)
    assert spans.covers(*probe) == any(s <= probe[0] and probe[1] <= e for s, e in kept)


def _windowed_and_whole(text: str) -> None:
    windowed_equals_whole(text)


@pytest.mark.parametrize("rule", REGEX_RULES, ids=[r.id for r in REGEX_RULES])
def test_searching_near_the_first_literals_finds_what_a_full_search_finds(rule: Rule) -> None:
    for text in (*rule.samples, *rule.near_misses, " ".join(rule.samples) * 3):
        _windowed_and_whole(text)


@settings(max_examples=40, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_windowed_search_agrees_with_a_full_search_on_generated_text(text: str) -> None:
    _windowed_and_whole(text)


def test_every_bounded_rule_reads_no_further_than_its_reach() -> None:
    from perth.redact.derive import reach

    assert reach(r"ab(?![c-e]{3})") == 2 + 3
    assert reach(r"x[0-9]{1,5000}") == 0  # unbounded for practical purposes: whole-text search
    table = engine.Engine().table
    assert sum(1 for order in range(len(table.specs)) if table.compiled(order).reach) >= 120


def test_a_keyword_dense_long_line_is_replaced_whole_and_the_result_is_a_fixed_point() -> None:
    from perth.redact.engine import DENSE_FROM, DENSE_RULE, DENSE_SPACING

    dense = "password: x " * (DENSE_FROM // 6)
    assert len(dense) > DENSE_FROM and dense.count("password") > len(dense) // DENSE_SPACING
    secrets = SecretFilter()
    out = secrets.redact(dense + "\nls -la\n")
    assert out == f"[REDACTED:{DENSE_RULE}]\nls -la\n"
    assert secrets.redact(out) == out
    assert "".join(secrets.redact_lines([dense + "\n", "ls\n"])) == f"[REDACTED:{DENSE_RULE}]\nls\n"


def test_a_long_line_with_sparse_keywords_is_matched_rule_by_rule() -> None:
    from perth.redact.engine import DENSE_FROM

    secret = "Zq8vR2mK9pL4wX7t"
    line = ("ls -la /srv/app && " * (DENSE_FROM // 19)) + f"export API_TOKEN={secret}"
    out = SecretFilter().redact(line)
    assert secret not in out and "ls -la /srv/app" in out and "dense-line" not in out
