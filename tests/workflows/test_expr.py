"""The expression language: conditions, templates, references checked when a file loads; never eval."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import InvalidInputError
from perth.workflows.expr import ExpressionError, condition, parse, paths, render

SCOPE = {"inputs": {"env": "prod", "n": "3"},
         "steps": {"build": {"status": "succeeded", "outputs": {"path": "/b/app.tar", "size": "120"}, "attempts": 2},
                   "test": {"status": "failed", "outputs": {}, "attempts": 1}},
         "data": {"verdict": "FAIL", "tags": ["a", "b"], "nested": {"x y": 1}}}


@pytest.mark.parametrize(("source", "expected"), [
    ("steps.build.outputs.path == '/b/app.tar'", True),
    ("data.verdict == 'FAIL'", True),
    ('data.verdict != "FAIL"', False),
    ("steps.build.outputs.size > 100 && inputs.env == 'prod'", True),
    ("steps.build.outputs.size >= 121 or steps.test.status == 'failed'", True),
    ("not (steps.test.status == 'failed')", False),
    ("!steps.nothing.outputs.x", True),
    ("steps.nothing.outputs.x == null", True),
    ("inputs.n == 3 and inputs.n < 10.5", True),
    ("contains(data.tags, 'b') && startswith(steps.build.outputs.path, '/b/') && endswith(inputs.env, 'od')", True),
    ("contains(steps.build.outputs.path, 'zzz')", False),
    ("data.nested['x y'] == 1", True),
    ("steps.build.attempts == 2", True),
    ("true && !false && null == null", True),
    ("'abc' < 'abd'", True),
])
def test_conditions(source: str, expected: bool) -> None:
    assert condition(source, SCOPE) is expected


def test_templates_render_values_as_text() -> None:
    assert render("cp ${{ steps.build.outputs.path }} /x/${{inputs.env}}", SCOPE) == "cp /b/app.tar /x/prod"
    assert render("${{ steps.build.outputs.size > 3 }} ${{ steps.gone.outputs.x }}|", SCOPE) == "true |"
    assert render("no expressions", SCOPE) == "no expressions"


@pytest.mark.parametrize(("source", "message"), [
    ("", "an empty expression"),
    ("a ==", "ends too early"),
    ("a == == b", "unexpected '=='"),
    ("__import__('os').system('id')", "unknown function __import__()"),
    ("open('x')", "unknown function open()"),
    ("a.", "a name must follow"),
    ("a[1]", "a quoted key must follow"),
    ("(a == b", "expected ')'"),
    ("a ; b", "unexpected ';"),
    ("contains(a)", "takes 2 arguments"),
    ("(" * 50 + "a" + ")" * 50, "nested deeper"),
    ("x" * 3000, "longer than"),
])
def test_bad_expressions_are_one_clear_error(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(source)


def test_ordering_mixed_types_is_an_error_not_a_guess() -> None:
    with pytest.raises(ExpressionError, match="cannot order"):
        condition("inputs.env < 3", SCOPE)


def test_paths_are_listed_for_reference_checks() -> None:
    tree = parse("steps.a.outputs.x == inputs.y || contains(run.id, data['k'])")
    assert sorted(paths(tree)) == [("data", "k"), ("inputs", "y"), ("run", "id"), ("steps", "a", "outputs", "x")]


@given(st.text(max_size=120))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        tree = parse(text)
    except InvalidInputError:
        return
    with contextlib.suppress(ExpressionError):  # an ordering of mixed types
        assert isinstance(condition(text, SCOPE), bool)
    assert tree


@given(st.recursive(st.one_of(st.sampled_from(["inputs.env", "steps.build.outputs.size", "'x'", "3", "null"])),
                    lambda inner: st.tuples(inner, st.sampled_from(["==", "!=", "&&", "||"]), inner).map(
                        lambda t: f"({t[0]} {t[1]} {t[2]})"), max_leaves=12))
def test_generated_expressions_evaluate_to_a_boolean(source: str) -> None:
    assert isinstance(condition(source, SCOPE), bool)
