"""The rule table: every rule detects its samples, ignores its near misses, and runs in linear time."""

from __future__ import annotations

import re
import time

import pytest

from perth.redact import SecretFilter, pem
from perth.redact.engine import _acceptable, _secret_span
from perth.redact.keywords import KEYWORDS
from perth.redact.lint import catastrophic_problem, problems
from perth.redact.rules import PROVIDER, RULES, Rule
from perth.redact.table import compile_rule

RULE_IDS = [rule.id for rule in RULES]


def rule_matches(rule: Rule, text: str) -> list[str]:
    """The values ``rule`` alone would redact in ``text`` (its pattern plus its value checks)."""
    if rule.kind == "pem-block":
        return [text[s:e] for s, e in pem.find_blocks(text)]
    compiled = compile_rule(rule, 0)
    spans = [_secret_span(m, compiled.secret_groups) for m in compiled.regex.finditer(text)]
    return [text[s:e] for s, e in spans if s < e and _acceptable(rule, text[s:e])]


def test_there_are_at_least_80_provider_rules_with_unique_kebab_case_ids() -> None:
    assert len([r for r in RULES if r.category == PROVIDER]) >= 80
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule_id) for rule_id in RULE_IDS)


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_detects_every_sample_and_labels_it(rule: Rule) -> None:
    assert rule.samples, "every rule carries at least one sample"
    secrets = SecretFilter()
    for sample in rule.samples:
        assert rule_matches(rule, sample), f"{rule.id} does not match its sample"
        labels = [finding.rule_id for finding in secrets.findings(sample)]
        assert rule.id in labels, f"the filter labels {rule.id}'s sample as {labels}"


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_ignores_every_near_miss(rule: Rule) -> None:
    assert rule.near_misses, "every rule carries at least one near miss"
    for near_miss in rule.near_misses:
        assert rule_matches(rule, near_miss) == [], f"{rule.id} matches {near_miss!r}"


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_keywords_are_lowercase_and_found_in_every_sample(rule: Rule) -> None:
    assert rule.keywords
    assert all(k == k.lower() and k.strip() == k and k for k in rule.keywords)
    for sample in rule.samples:
        assert any(k in sample.lower() for k in rule.keywords), f"no keyword of {rule.id} in sample"


def test_the_import_free_keyword_list_equals_the_rules_keywords() -> None:
    expected = sorted({k for rule in RULES for k in rule.keywords})
    assert sorted(KEYWORDS) == expected, (
        "regenerate src/perth/redact/keywords.py: .venv/bin/python -m perth.redact.generate")


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_passes_the_linear_time_linter(rule: Rule) -> None:
    assert problems(rule.pattern) == []


@pytest.mark.parametrize(("pattern", "check"), [
    (r"(?:ab)+x", "unbounded"), (r"x[a-z]*", "unbounded"), (r"x[a-z]{2,}", "unbounded"),
    (r"x(?:a{1,3}){1,9}", "nested"), (r"(a)x\1", "backref"), (r"x{0,3}", "empty"),
    (r"x[a-z]{0,100}[a-z0-9]{0,100}y", "overlap"), (r"[a-z]{1,20}x", "start"),
    (r"x[a-z]{1,300000}", "too-large"),
])
def test_linter_reports_each_problem(pattern: str, check: str) -> None:
    assert any(p.startswith(check + ":") for p in problems(pattern)), problems(pattern)


def test_linter_accepts_possessive_runs_and_lookbehind_starts() -> None:
    assert problems(r"(?<![A-Za-z0-9])ghp_[A-Za-z0-9]{36}") == []
    assert problems(r"x[a-z]{0,100}+[a-z0-9]{0,100}y") == []


@pytest.mark.parametrize(("pattern", "bad"), [
    (r"(a+)+$", True), (r"(?:x*y?)*z", True), (r"(a{1,5})+", True), (r"ghp_[a-z]{36}", False),
    (r"(?:ab|cd){1,4}", False),
])
def test_user_patterns_are_refused_only_for_exponential_shapes(pattern: str, bad: bool) -> None:
    assert bool(catastrophic_problem(pattern)) is bad


def adversarial_input(rule: Rule, size: int = 1_000_000) -> str:
    """About ``size`` characters built to make ``rule`` backtrack: its own prefix followed by
    long runs of its classes, repeated keywords, ``====``, nested quotes, almost-samples."""
    sample = rule.samples[0]
    keyword = rule.keywords[0]
    pieces = [
        sample[:-1] * 2,
        (keyword + "=") * 50,
        keyword + "A" * 5000,
        keyword + "a1" * 3000,
        keyword + ": " + "=" * 4000,
        keyword + '="' + "'\"" * 2000,
        sample.replace(" ", "") * 3,
        "-----BEGIN RSA PRIVATE KEY-----" + "A" * 3000,
        keyword + "://" + "a:" * 2000 + "@",
        keyword.upper() + "_" * 3000,
    ]
    unit = "".join(pieces)
    return (unit * (size // len(unit) + 1))[:size]


#: A linear scan of the adversarial megabyte takes well under half a second per rule; a pattern that
#: backtracks super-linearly takes minutes.  The bound separates the two with room for a loaded machine.
CATASTROPHE_S = 5.0


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_scans_a_megabyte_of_adversarial_input_in_linear_time(rule: Rule) -> None:
    text = adversarial_input(rule)
    started = time.perf_counter()
    if rule.kind == "pem-block":
        pem.find_blocks(text)
    else:
        for _ in compile_rule(rule, 0).regex.finditer(text):
            pass
    elapsed = time.perf_counter() - started
    assert elapsed < CATASTROPHE_S, f"{rule.id}: {elapsed:.2f} s"


def test_the_whole_filter_reaches_a_fixed_point_on_text_holding_every_keyword_on_every_line() -> None:
    # The filter's worst case (every rule runs on every line); its throughput is measured by
    # bench/bench_redact.py.  Here: every line is redacted alike, and redacting again changes nothing.
    line = "".join(f"{k}= {k}:\"{k}'" for k in KEYWORDS)
    text = (line + "\n") * 30
    started = time.perf_counter()
    out = SecretFilter().redact(text)
    assert time.perf_counter() - started < 30 * CATASTROPHE_S
    lines = out.split("\n")
    assert len(lines) == 31 and lines[-1] == "" and len(set(lines[:-1])) == 1
    assert "[REDACTED:" in lines[0]
    assert SecretFilter().redact(out) == out
