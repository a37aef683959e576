"""Every string of a JSON answer goes through the secret filter: filtering in one bulk pass gives what
filtering each string alone gives, keys included, structure unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.runtime import Runtime
from perth.views.redaction import filter_strings
from tests.search.conftest import make_rt

SECRETS = ["ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "AKIA" + "Q3EGRAJT7XJ5WV2K",
           "xoxb-" + "1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "password=hunter2hunter2"]
texts = st.one_of(st.text(max_size=40), st.sampled_from(SECRETS),
                  st.builds(lambda a, s, b: f"{a}{s}{b}", st.text(max_size=10), st.sampled_from(SECRETS),
                            st.text(max_size=10)))
values = st.recursive(st.one_of(st.none(), st.integers(), st.booleans(), texts),
                      lambda inner: st.one_of(st.lists(inner, max_size=5),
                                              st.dictionaries(texts, inner, max_size=5)), max_leaves=30)


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    home: Path = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PERTH_HOME", str(home))
        runtime = make_rt()
        yield runtime
        runtime.close()


def one_by_one(rt: Runtime, value: Any) -> Any:
    if isinstance(value, str):
        return str(rt.redact(value, "web"))
    if isinstance(value, dict):
        return {one_by_one(rt, k): one_by_one(rt, v) for k, v in value.items()}
    if isinstance(value, list):
        return [one_by_one(rt, item) for item in value]
    return value


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values)
def test_bulk_filtering_equals_filtering_each_string(rt: Runtime, value: Any) -> None:
    assert filter_strings(rt, value, "web") == one_by_one(rt, value)


def test_secrets_in_keys_values_and_multiline_strings_are_gone(rt: Runtime) -> None:
    value = {SECRETS[0]: [f"line one\nthen {SECRETS[1]}", {"k": SECRETS[2]}], "n": 3}
    out = repr(filter_strings(rt, value, "web"))
    assert all(secret not in out for secret in SECRETS[:3]) and "[REDACTED:" in out and "'n': 3" in out
