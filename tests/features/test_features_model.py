"""Declarations: every key validated, errors naming the file, the feature, the key and what is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.errors import ConfigError, NotFoundError
from perth.features.model import KEYS, PHASES, Feature, merge, parse_document, parse_feature, read_file


def _one(table: dict[str, object], name: str = "f") -> Feature:
    return parse_document("decl.toml", {"features": {name: table}})[0]


def test_a_full_declaration_reads_every_key(tmp_path: Path) -> None:
    path = tmp_path / "features.toml"
    path.write_text('[features.nvm]\ndescription = "node versions"\nphase = "postprompt"\ndepends_on = ["path"]\n'
                    'source = "plugins/nvm.zsh"\nenabled = false\nbudget_ms = 12.5\nplatforms = ["linux"]\n'
                    'shells = ["zsh"]\n\n[features.path]\nsnippet = "path+=(~/bin)"\n')
    nvm, path_feature = read_file(str(path))
    assert (nvm.name, nvm.phase, nvm.depends_on, nvm.enabled, nvm.budget_ms) == (
        "nvm", "postprompt", ("path",), False, 12.5)
    assert nvm.platforms == ("linux",) and nvm.shells == ("zsh",) and nvm.description == "node versions"
    assert nvm.source_path == str(tmp_path / "plugins" / "nvm.zsh")  # relative to the declaring file
    assert path_feature.snippet == "path+=(~/bin)" and path_feature.phase == "init"
    assert path_feature.shells == ("zsh", "bash") and path_feature.enabled


@pytest.mark.parametrize(("table", "key", "accepted"), [
    ({"source": "a", "phase": "boot"}, "phase", ", ".join(PHASES)),
    ({"source": "a", "shells": ["fish"]}, "shells", "zsh, bash"),
    ({"source": "a", "platforms": ["amiga"]}, "platforms", "linux"),
    ({"source": "a", "enabled": "yes"}, "enabled", "true or false"),
    ({"source": "a", "budget_ms": -3}, "budget_ms", "budget_ms = 20"),
    ({"source": "a", "budget_ms": True}, "budget_ms", "budget_ms = 20"),
    ({"source": "a", "depends_on": "b"}, "depends_on", "feature names"),
    ({"source": "a", "colour": "red"}, "colour", "description, phase"),
    ({"source": "a", "snippet": "b"}, "source", "exactly one"),
    ({}, "source", "exactly one"),
    ({"source": "$(brew --prefix)/x.zsh"}, "source", "remove quotes"),
    ({"snippet": ""}, "snippet", "non-empty"),
])
def test_bad_values_name_the_feature_the_key_and_the_accepted_values(table: dict[str, object], key: str,
                                                                     accepted: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _one(table)
    message = caught.value.message
    assert "decl.toml" in message and "feature 'f'" in message and repr(key) in message and accepted in message


@pytest.mark.parametrize("name", ["prompt_ready", "-x", "a b", "x" * 49])
def test_names_that_cannot_be_segments_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="feature name"):
        _one({"source": "a"}, name)


def test_paths_with_tilde_and_variables_are_kept_for_the_shell() -> None:
    assert _one({"source": "~/.fzf.zsh"}).source_path == "~/.fzf.zsh"
    assert _one({"source": "${ZSH}/oh-my-zsh.sh"}).source_path == "${ZSH}/oh-my-zsh.sh"


def test_files_toml_errors_and_duplicates(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_file(str(tmp_path / "absent.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[features.a\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_file(str(bad))
    top = tmp_path / "top.toml"
    top.write_text("[plugins.a]\nsource = 'x'\n")
    with pytest.raises(ConfigError, match="unknown top-level key 'plugins'"):
        read_file(str(top))
    first = parse_document("one.toml", {"features": {"a": {"source": "x"}}})
    second = parse_document("two.toml", {"features": {"a": {"snippet": "y"}}})
    with pytest.raises(ConfigError, match=r"declared in one\.toml and in two\.toml"):
        merge([*first, *second])


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 100_000), st.floats(allow_nan=True),
                   st.text(max_size=12), st.lists(st.text(max_size=8), max_size=3),
                   st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


def _outcome(name: str, table: dict[str, object]) -> Feature | ConfigError:
    try:
        return parse_feature("any.toml", name, table)
    except ConfigError as error:
        return error


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12), st.dictionaries(st.sampled_from([*KEYS, "other", ""]), VALUES, max_size=6))
def test_any_table_is_a_feature_or_one_config_error(name: str, table: dict[str, object]) -> None:
    outcome = _outcome(name, table)
    if isinstance(outcome, ConfigError):
        assert "\n" not in outcome.message and outcome.fix
    else:
        assert outcome.name == name and outcome.phase in PHASES
        assert (outcome.source is None) != (outcome.snippet is None)
