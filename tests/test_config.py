"""Layered, typed configuration: precedence, validation messages, set/unset."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.config import KEYS, load_settings, parse_text, set_value, spec_for, unset_value
from perth.errors import ConfigError, NotFoundError
from perth.paths import resolve_paths


def _paths(home: Path):  # type: ignore[no-untyped-def]
    return resolve_paths({"PERTH_HOME": str(home)})


def test_defaults_apply_when_nothing_is_set(perth_home: Path) -> None:
    settings = load_settings(_paths(perth_home), environ={})
    assert settings.output.format == "text"
    assert settings.store.busy_timeout_ms == 5000
    assert set(settings.sources.values()) == {"default"}


def test_precedence_default_file_env_flag(perth_home: Path) -> None:
    paths = _paths(perth_home)
    set_value(paths.config_file, "output.format", "markdown")
    set_value(paths.config_file, "history.limit", "7")
    settings = load_settings(paths, environ={"PERTH_OUTPUT__FORMAT": "json"},
                             overrides={"history.limit": "9"})
    assert settings.output.format == "json"
    assert settings.sources["output.format"] == "env"
    assert settings.get_int("history.limit") == 9
    assert settings.sources["history.limit"] == "flag"
    only_file = load_settings(paths, environ={})
    assert only_file.output.format == "markdown"
    assert only_file.sources["output.format"] == "file"


def test_invalid_toml_names_the_file_and_position(perth_home: Path) -> None:
    paths = _paths(perth_home)
    perth_home.mkdir(parents=True)
    Path(paths.config_file).write_text("[output\nformat = 'json'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(paths, environ={})
    assert "not valid TOML" in caught.value.what
    assert str(paths.config_file) in caught.value.what
    assert "line 1" in caught.value.what


def test_unknown_key_suggests_the_closest(perth_home: Path) -> None:
    paths = _paths(perth_home)
    perth_home.mkdir(parents=True)
    Path(paths.config_file).write_text("[output]\nformatt = 'json'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(paths, environ={})
    assert "output.formatt" in caught.value.what
    assert "did you mean 'output.format'" in caught.value.fix


def test_wrong_type_names_key_and_accepted_values(perth_home: Path) -> None:
    paths = _paths(perth_home)
    perth_home.mkdir(parents=True)
    Path(paths.config_file).write_text("[output]\nformat = 'xml'\n[store]\nbusy_timeout_ms = 'soon'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(paths, environ={})
    message = caught.value.message
    assert "output.format must be one of text, json, markdown, llm" in message
    assert "'xml'" in message


def test_integer_below_minimum_is_rejected(perth_home: Path) -> None:
    with pytest.raises(ConfigError, match=r"history\.limit must be an integer >= 1"):
        load_settings(_paths(perth_home), environ={"PERTH_HISTORY__LIMIT": "0"})


def test_unknown_env_variable_is_an_error(perth_home: Path) -> None:
    with pytest.raises(ConfigError, match="PERTH_OUTPUT__FROMAT"):
        load_settings(_paths(perth_home), environ={"PERTH_OUTPUT__FROMAT": "json"})


def test_section_that_is_not_a_table(perth_home: Path) -> None:
    paths = _paths(perth_home)
    perth_home.mkdir(parents=True)
    Path(paths.config_file).write_text("output = 'json'\n")
    with pytest.raises(ConfigError, match="must be a table"):
        load_settings(paths, environ={})


def test_set_and_unset_round_trip(perth_home: Path) -> None:
    path = _paths(perth_home).config_file
    assert set_value(path, "redact.extra_patterns", "foo[0-9]+,bar") == ("foo[0-9]+", "bar")
    assert set_value(path, "panes.auto_create", "off") is False
    settings = load_settings(_paths(perth_home), environ={})
    assert settings.redact.extra_patterns == ("foo[0-9]+", "bar")
    assert settings.get_bool("panes.auto_create") is False
    assert unset_value(path, "panes.auto_create") is True
    assert unset_value(path, "panes.auto_create") is False
    assert load_settings(_paths(perth_home), environ={}).get_bool("panes.auto_create") is True


def test_set_rejects_bad_value_and_leaves_file_untouched(perth_home: Path) -> None:
    path = _paths(perth_home).config_file
    set_value(path, "output.format", "json")
    before = Path(path).read_bytes()
    with pytest.raises(ConfigError):
        set_value(path, "output.format", "yaml")
    assert Path(path).read_bytes() == before
    assert not list(Path(path).parent.glob(".config.toml.*"))


def test_unknown_key_lookup_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="unknown config key"):
        spec_for("nope.key")


@pytest.mark.parametrize("spec", KEYS, ids=lambda s: s.key)
def test_every_key_documents_itself_and_round_trips_its_default(spec) -> None:  # type: ignore[no-untyped-def]
    assert spec.help.strip()
    if isinstance(spec.default, tuple):
        text = ",".join(spec.default)
    else:
        text = str(spec.default).lower() if isinstance(spec.default, bool) else str(spec.default)
    assert parse_text(spec, text, "test") == spec.default


@given(st.text(max_size=40))
def test_bool_parsing_accepts_only_known_words(text: str) -> None:
    spec = spec_for("panes.auto_create")
    known = {"1", "true", "yes", "on", "0", "false", "no", "off"}
    if text.strip().lower() in known:
        assert isinstance(parse_text(spec, text, "test"), bool)
    else:
        with pytest.raises(ConfigError):
            parse_text(spec, text, "test")


def test_api_keys_are_masked_and_the_file_is_private(cli, perth_home: Path) -> None:  # type: ignore[no-untyped-def]
    import json
    import stat

    key = "sk-ant-api03-" + "Q7x" * 20
    assert cli("config", "set", "llm.anthropic_api_key", key).code == 0
    shown = cli("config", "show", "--format", "json")
    assert key not in shown.out
    values = {v["key"]: v["value"] for v in json.loads(shown.out)["values"]}
    assert values["llm.anthropic_api_key"] == "********"
    assert key not in cli("config", "get", "llm.anthropic_api_key").out
    config_file = cli("config", "path").out.strip()
    assert stat.S_IMODE(Path(config_file).stat().st_mode) == 0o600
