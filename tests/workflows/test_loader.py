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


STEPS = "name: x\ninputs: {env: {default: dev}}\nsteps:\n  - id: a\n    job: {kind: shell}\n"


@pytest.mark.parametrize(("tail", "expected"), [
    ("  - id: b\n    when: steps.a.outputs.x ==\n    job: {kind: shell}\n",
     "f.yml:7: steps[1].when: 'steps.a.outputs.x ==' ends too early"),
    ("  - id: b\n    when: steps.a.outputs.x == 'y'\n    job: {kind: shell}\n",
     "f.yml:7: steps[1].when: steps.a.outputs.x: step a is not among the steps this one needs"),
    ("  - id: b\n    needs: [a]\n    job: {kind: shell, args: ['${{ steps.a.output.x }}']}\n",
     "f.yml:8: steps[1].job.args[0]: steps.a.output.x: a step offers outputs, status, attempts"),
    ("  - id: b\n    job: {kind: shell, args: [ok, '${{ inputs.nope }}']}\n",
     "f.yml:7: steps[1].job.args[1]: inputs.nope: not a declared input (inputs: env)"),
    ("  - id: b\n    job: {kind: shell, args: ['${{ secrets.token }}']}\n",
     "f.yml:7: steps[1].job.args[0]: secrets.token: expressions read inputs.*, steps.*, run.*"),
    ("  - id: b\n    job: {kind: shell}\n    workflow: other.yml\n",
     "f.yml:6: steps[1]: a step has exactly one of job: or workflow:"),
    ("  - id: b\n    workflow: missing.yml\n", "f.yml:7: steps[1].workflow: no workflow file"),
    ("triggers:\n  - schedule: '61 * * * *'\n", "f.yml:7: triggers[0].schedule: '61 * * * *' is not a cron"),
    ("triggers:\n  - schedule: '0 2 * * *'\n    timezone: Mars/Olympus\n",
     "f.yml:8: triggers[0].timezone: unknown time zone 'Mars/Olympus'"),
    ("triggers:\n  - schedule: '0 2 * * *'\n    missed: all\n", "f.yml:8: triggers[0].missed: 'all' is not one of"),
    ("triggers:\n  - event: perth.nothing.happened\n", "f.yml:7: triggers[0].event: unknown event type"),
    ("triggers:\n  - event: perth.shellperf.classified\n    when: inputs.env == 'x'\n",
     "f.yml:8: triggers[0].when: inputs.env: an event trigger reads id, type, source, time, subject, data"),
    ("triggers:\n  - event: perth.shellperf.classified\n    inputs: {who: x}\n",
     "f.yml:8: triggers[0].inputs.who: not a declared input (inputs: env)"),
    ("outputs: {p: '${{ steps.zz.outputs.p }}'}\n", "f.yml:6: outputs.p: steps.zz.outputs.p: not a step of this"),
])
def test_expressions_nesting_and_triggers_are_checked_with_their_place(tail: str, expected: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(STEPS + tail, "f.yml")
    assert caught.value.message.startswith(expected), caught.value.message


def test_nested_files_are_read_relative_and_cycles_refused(tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    (base / "sub").mkdir()
    (base / "sub" / "child.yml").write_text(
        "name: child\ninputs: {n: {default: 1}}\nsteps:\n  - id: c\n    job: {kind: shell}\n")
    (base / "parent.yml").write_text(
        "name: parent\nsteps:\n  - id: p\n    workflow: sub/child.yml\n    with: {n: 2}\n")
    spec = load(str(base / "parent.yml"))
    assert spec.steps[0].kind == "workflow" and spec.steps[0].with_inputs == {"n": "2"}
    assert spec.steps[0].workflow is not None and spec.steps[0].workflow["name"] == "child"
    (base / "parent.yml").write_text(
        "name: parent\nsteps:\n  - id: p\n    workflow: sub/child.yml\n    with: {m: 2}\n")
    with pytest.raises(InvalidInputError, match=r"parent.yml:5: steps\[0\].with.m: the nested workflow has no input"):
        load(str(base / "parent.yml"))
    (base / "a.yml").write_text("name: a\nsteps:\n  - id: x\n    workflow: b.yml\n")
    (base / "b.yml").write_text("name: b\nsteps:\n  - id: y\n    workflow: a.yml\n")
    with pytest.raises(InvalidInputError, match=r"b.yml:4: steps\[0\].workflow: workflows nest each other: a.yml -> b"):
        load(str(base / "a.yml"))


def test_a_stored_spec_round_trips() -> None:
    from perth.workflows.loader import from_data, to_data

    text = STEPS + ("  - id: b\n    needs: [a]\n    when: steps.a.status == 'succeeded'\n"
                    "    job: {kind: shell, args: ['${{ steps.a.outputs.p }}']}\n"
                    "outputs: {p: '${{ steps.b.outputs.p }}'}\n"
                    "triggers:\n  - schedule: '*/5 * * * *'\n    missed: once\n"
                    "  - event: perth.shellperf.classified\n    when: data.verdict == 'FAIL'\n    inputs: {env: x}\n")
    spec = parse(text, "f.yml")
    assert from_data(to_data(spec)) == spec
    jsonschema.validate(to_data(spec) | {"on_failure": []}, schema())
