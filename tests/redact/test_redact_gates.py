"""Gates and triggers: the necessary conditions that keep most texts away from the patterns.

A gate must never reject a text its rule would match: the derivation is checked on handmade
patterns, on every sample and near miss, on mutated samples (hypothesis), and end to end by
comparing the filter with and without gates on the corpus and on shell history.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.corpus import build_corpus
from tests.fixtures.redact.history import history_lines

from perth.redact import SecretFilter, engine, generate, pem
from perth.redact import filter as filter_module
from perth.redact.derive import consumes_newline, min_run, steps
from perth.redact.engine import gated, in_order, lower
from perth.redact.keywords import GATES
from perth.redact.rules import RULES, Rule
from perth.redact.table import RuleTable, compile_rule, trigger

RULE_IDS = [rule.id for rule in RULES]
HERE = Path(generate.__file__).resolve().parent
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def gate_passes(rule: Rule, text: str) -> bool:
    order = RULES.index(rule)
    low = lower(text)
    keyword = any(k in low for k in rule.keywords)
    return keyword and gated([order], low, text) == [order]


def raw_matches(rule: Rule, text: str) -> bool:
    """Whether the rule's pattern (or key-block finder) matches at all, before value checks."""
    if rule.kind == "pem-block":
        return bool(pem.find_blocks(text))
    return compile_rule(rule, 0).regex.search(text) is not None


@pytest.mark.parametrize(("pattern", "expected_steps", "expected_run"), [
    (r"(?<![A-Za-z0-9])ghp_[A-Za-z0-9]{36}(?![A-Za-z0-9])", (("ghp_",),), 40),
    (r"(?:AKIA|ASIA)[A-Z0-9]{16}", (("akia", "asia"),), 20),
    (r"curl[^\n]{0,9}[ \t](?:-u|--user)[ \t]x:", (("curl",), ("-u",), ("x:",)), 4),
    (r"(?i:Token)[ \t]?=", (("token",), ("=",)), 5),
    (r"key(?:_id)?=[a-z]{8}", (("key",), ("=",)), 12),
    (r"(?:secret|[a-z]{3})=", (("=",),), 4),
    (r"-----BEGIN[ ]PRIVATE KEY-----", (("-----begin private key-----",),), 10),
    (r"a[^ ]{50}", (("a",),), 1),
    (r"(?:x{3})+y", (("xxx",), ("y",)), 4),
])
def test_steps_and_runs_are_derived_from_the_parse_tree(pattern: str, expected_steps: object,
                                                        expected_run: int) -> None:
    assert steps(pattern) == expected_steps
    assert min_run(pattern) == expected_run


def test_no_rule_matches_across_a_line_break() -> None:
    # The triggers search each line on its own and re2 matches steps within one line.
    assert consumes_newline(r"a[^x]b") and consumes_newline(r"a\sb") and consumes_newline("a.b")
    assert not consumes_newline(r"a[^\s]b") and not consumes_newline(r"(?<=\n)a[^\n]b")
    assert [rule.id for rule in RULES if consumes_newline(rule.pattern)] == []


def test_the_generated_modules_are_up_to_date() -> None:
    hint = "run: .venv/bin/python -m perth.redact.generate"
    assert (HERE / "keywords.py").read_text(encoding="utf-8") == generate.keywords_source(), hint
    assert (HERE / "ruleset.py").read_text(encoding="utf-8") == generate.ruleset_source(), hint


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_every_sample_passes_its_rules_gate_and_trigger(rule: Rule) -> None:
    keywords, rule_steps, _run = GATES[RULES.index(rule)]
    regex = re.compile(trigger(keywords, rule_steps))
    for sample in rule.samples:
        assert gate_passes(rule, sample), sample
        for line in sample.split("\n"):
            if raw_matches(rule, line):
                assert regex.search(lower(line)), line
    for near_miss in rule.near_misses:
        if raw_matches(rule, near_miss):
            assert gate_passes(rule, near_miss), near_miss


def _mutations(draw: st.DrawFn) -> tuple[Rule, str]:
    rule = draw(st.sampled_from(RULES))
    text = draw(st.sampled_from(rule.samples)).split("\n")[0]
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(["", " ", "=", ":", "\t", "'", '"', "-", "_", ".", "x", "A", "0"]))
        cut = draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut:]
    return rule, text


mutations = st.composite(_mutations)


@SETTINGS
@given(mutations())
def test_a_mutated_sample_the_pattern_still_matches_passes_the_gate(case: tuple[Rule, str]) -> None:
    rule, text = case
    if raw_matches(rule, text) and any(k in lower(text) for k in rule.keywords):
        assert gate_passes(rule, text), text


@SETTINGS
@given(mutations())
def test_re2_style_triggers_agree_with_the_ordered_steps(case: tuple[Rule, str]) -> None:
    rule, text = case
    keywords, rule_steps, _run = GATES[RULES.index(rule)]
    assert rule_steps, "every rule has steps (else its trigger is its keywords)"
    low = lower(text.replace("\n", " "))
    found = re.search(trigger(keywords, rule_steps), low) is not None
    assert found == in_order(low, rule_steps)


def _ungated(patched: pytest.MonkeyPatch) -> SecretFilter:
    """A filter as it was before gates: the keyword prefilter alone picks the rules to run."""
    patched.setattr(engine, "gated", lambda orders, low, text, triggered=False: list(orders))
    patched.setattr(filter_module, "_gates_pass", lambda present, low, text: True)
    patched.setattr(RuleTable, "triggers", property(lambda self: None))
    patched.setattr(RuleTable, "line_starts", lambda self, low: None)
    return SecretFilter()


def test_gates_change_nothing_on_the_corpus_and_on_history(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_corpus()
    lines = [c.text for c in corpus if c.labels and "\n" not in c.text]
    history = "".join(history_lines(150_000, lines, seed=3, secret_rate=0.05))
    texts = [c.text for c in corpus] + history.splitlines()
    secrets = SecretFilter()
    expected = [(secrets.redact(t), secrets.findings(t)) for t in texts]
    whole = (secrets.redact_block(history), secrets.redact(history), secrets.drain_counts())
    with monkeypatch.context() as patched:
        ungated = _ungated(patched)
        assert [(ungated.redact(t), ungated.findings(t)) for t in texts] == expected
        assert (ungated.redact_block(history), ungated.redact(history), ungated.drain_counts()) == whole


def test_re2_triggers_are_built_when_google_re2_is_installed() -> None:
    re2 = pytest.importorskip("re2", reason="google-re2 accelerates large texts when installed")
    for keywords, rule_steps, _run in GATES:
        re2.compile(trigger(keywords, rule_steps).encode())
    built = RuleTable()
    assert built.line_starts("x") is not None and built.triggers is not None
    for text in ("export GITHUB_TOKEN=ghp_x", "plain words", "curl -u a:b https://x", "key=key=secret"):
        low = lower(text)
        assert built.triggers.present(low) == {k for k in built.keywords if k in low}


def test_the_key_block_rule_is_the_finders_header() -> None:
    # The key-block rule runs pem.find_blocks, which needs a HEADER match: its gate, derived
    # from the rule's pattern, must hold for that header.
    rule = next(rule for rule in RULES if rule.kind == "pem-block")
    assert rule.pattern == pem.HEADER.pattern


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(sorted({k for owned, _steps, _run in GATES for k in owned})), max_size=8))
def test_the_engines_keyword_index_names_the_same_rules_as_the_gates(present: set[str]) -> None:
    from perth.redact.keywords import owners

    assert sorted(engine.rules_with(present)) == owners(present)
