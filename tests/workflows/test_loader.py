"""Workflow files: the minimal shape from the issue parses; errors name the file, line and key."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import InvalidInputError
from perth.workflows.loader import expand, load, parse, schema, substitute

MINIMAL = """\
name: nightly
steps:
  - id: bundle
    job: {kind: shell, args: ["git", "bundle", "create", "/backups/app.bundle", "--all"]}
  - id: verify
    needs: [bundle]
    job: {kind: shell, args: ["git", "bundle", "verify", "/backups/app.bundle"]}
    retry: {attempts: 3}
"""


def test_the_minimal_shape_parses(tmp_path: object) -> None:
    spec = parse(MINIMAL, "nightly.yml")
    assert spec.name == "nightly"
    assert [(s.id, s.needs, s.attempts) for s in spec.steps] == [("bundle", (), 1), ("verify", ("bundle",), 3)]
    assert spec.steps[0].args == ("git", "bundle", "create", "/backups/app.bundle", "--all")


def test_the_published_schema_is_a_valid_schema_that_accepts_the_minimal_shape() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(yaml.safe_load(MINIMAL), schema())
    assert json.dumps(schema())


@pytest.mark.parametrize(("text", "expected"), [
    ("name: x\nsteps:\n  - id: a\n    job: {kind: shell}\n    retry: {attempts: 0}\n",
     "f.yml:5: steps[0].retry.attempts: 0 is less than the minimum of 1"),
    ("name: x\nsteps:\n  - id: a\n    needs: [b]\n    job: {kind: shell}\n", "f.yml:4: steps[0].needs[0]: unknown step 'b'"),
    ("name: x\nsteps:\n  - id: a\n    needs: [b]\n    job: {kind: shell}\n  - id: b\n    needs: [a]\n"
     "    job: {kind: shell}\n", "f.yml:4: steps[0].needs: a cycle: a -> b -> a"),
    ("name: x\nsteps:\n  - id: a\n    job: {kind: shell}\n  - id: a\n    job: {kind: shell}\n",
     "f.yml:5: steps[1].id: duplicate step id 'a'"),
    ("name: x\nsteps: []\n", "f.yml:2: steps: [] should be non-empty"),
    ("name: x\nsteps:\n  - id: a\n    job: {kind: shell}\n    colour: red\n",
     "f.yml:3: steps[0]: Additional properties are not allowed ('colour' was unexpected)"),
    ("name: x\nsteps: [\n", "f.yml:3: not valid YAML"),
])
def test_errors_name_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(text, "f.yml")
    assert caught.value.message.startswith(expected)


def test_load_names_a_missing_file(tmp_path: object) -> None:
    with pytest.raises(Exception, match="no workflow file"):
        load("/nonexistent/flow.yml")


def test_inputs_have_defaults_and_unknown_ones_are_refused() -> None:
    spec = parse("name: x\ninputs: {dest: {default: /tmp/b}}\nsteps:\n  - id: a\n    job: {kind: shell}\n")
    inputs = substitute(spec, {})
    assert inputs == {"dest": "/tmp/b"}
    assert expand("to=${{ inputs.dest }}/x", substitute(spec, {"dest": "/srv"})) == "to=/srv/x"
    with pytest.raises(InvalidInputError, match="unknown input 'nope'"):
        substitute(spec, {"nope": "1"})


@given(st.text(max_size=200))
def test_any_text_parses_or_fails_with_a_located_error(text: str) -> None:
    error: InvalidInputError | None = None
    try:
        parse(text, "any.yml")
    except InvalidInputError as exc:
        error = exc
    assert error is None or error.message.startswith("any.yml:")
