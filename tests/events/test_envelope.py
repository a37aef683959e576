"""The envelope: hand-written JSON equal to json's, CloudEvents 1.0 attributes, one schema per type."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.events import wire
from perth.events.envelope import rfc3339
from perth.events.types import EVENT_TYPES

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_wire_json_parses_back_to_the_same_value(value: Any) -> None:
    assert json.loads(wire.dumps(value)) == value


@given(st.text())
def test_wire_strings_escape_every_control_character(text: str) -> None:
    encoded = wire.string(text)
    assert json.loads(encoded) == text
    assert not any(ord(c) < 0x20 for c in encoded)


@pytest.mark.parametrize("bad", [1.5, object()])
def test_wire_refuses_floats_and_objects(bad: object) -> None:
    with pytest.raises(TypeError, match="cannot carry"):
        wire.dumps(bad)  # type: ignore[arg-type]


def test_time_is_rfc3339_utc_with_milliseconds() -> None:
    assert rfc3339(1_700_000_000_123) == "2023-11-14T22:13:20.123Z"
    assert rfc3339(0) == "1970-01-01T00:00:00.000Z"


def test_every_type_has_a_valid_schema_file_and_no_other() -> None:
    from jsonschema import Draft202012Validator

    folder = files("perth.events").joinpath("schemas")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert names == sorted(f"{t}.json" for t in EVENT_TYPES)
    for name in names:
        schema = json.loads(folder.joinpath(name).read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["title"] == name.removesuffix(".json")
        assert schema["additionalProperties"] is False
