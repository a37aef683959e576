"""Runtimes over the test's PERTH_HOME, and schema checks of emitted events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from typing import Any

import pytest

from tests.events.brokers import clean_up
from tests.panes.conftest import make_rt, rt

__all__ = ["check_event", "make_rt", "rt"]


@pytest.fixture(autouse=True)
def _clean_brokers() -> Iterator[None]:
    """Remove what each test created on the shared brokers."""
    yield
    clean_up()


@cache
def _validator(event_type: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(files("perth.events").joinpath("schemas", f"{event_type}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_event(body: str | bytes) -> dict[str, Any]:
    """Parse an envelope with the CloudEvents SDK and validate its data against the type's JSON Schema."""
    from cloudevents.v1.http import from_json

    event = from_json(body)
    attributes = event.get_attributes()
    assert attributes["specversion"] == "1.0"
    assert attributes["datacontenttype"] == "application/json"
    assert str(attributes["source"]).startswith("perth://")
    assert attributes["correlationid"] and attributes["sourceversion"]
    _validator(str(attributes["type"])).validate(event.get_data())
    return dict(json.loads(body))
