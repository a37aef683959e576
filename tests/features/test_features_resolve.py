"""Resolution: deterministic order, cycle paths, unknown and later-phase dependencies, switch layers."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.errors import ConfigError, InvalidInputError
from perth.features.model import PHASES, Feature
from perth.features.resolve import resolve
from perth.features.switches import Switches, cli_layer, env_layer


def _features(*specs: tuple[str, str, tuple[str, ...]]) -> dict[str, Feature]:
    return {name: Feature(name=name, phase=phase, depends_on=deps, snippet=":") for name, phase, deps in specs}


def test_order_is_topological_with_ties_broken_by_phase_then_name() -> None:
    features = _features(("zz", "preload", ()), ("b", "init", ("a",)), ("a", "init", ()), ("c", "init", ()),
                         ("late", "postprompt", ("c",)), ("idle1", "idle", ()), ("d", "init", ("zz",)))
    order = [f.name for f in resolve(features, Switches(), "zsh").check().order]
    assert order == ["zz", "a", "b", "c", "d", "late", "idle1"]


def test_a_cycle_is_an_error_naming_its_path() -> None:
    features = _features(("a", "init", ("b",)), ("b", "init", ("c",)), ("c", "init", ("a",)), ("d", "init", ("a",)),
                         ("e", "init", ()))
    resolution = resolve(features, Switches(), "zsh")
    [problem] = resolution.problems
    assert problem.kind == "cycle" and problem.message == "dependency cycle: a -> b -> c -> a"
    assert [f.name for f in resolution.order] == ["e"]
    assert not resolution.states["d"].enabled and "cycle" in resolution.states["d"].reason
    with pytest.raises(ConfigError, match=r"a -> b -> c -> a"):
        resolution.check()


def test_self_dependency_unknown_dependency_and_later_phase_are_errors() -> None:
    features = _features(("self", "init", ("self",)), ("x", "init", ("ghost",)), ("early", "init", ("later",)),
                         ("later", "idle", ()))
    problems = {p.kind: p for p in resolve(features, Switches(), "zsh").problems}
    assert problems["cycle"].path == ("self", "self")
    assert "unknown feature 'ghost'" in problems["unknown_dependency"].message
    assert "'later', which loads later (phase idle)" in problems["phase_order"].message


def test_switch_precedence_env_over_cli_over_user_file_over_default() -> None:
    features = _features(("a", "init", ()), ("b", "init", ()), ("c", "init", ()), ("d", "init", ()))
    features["d"] = Feature(name="d", snippet=":", enabled=False)
    switches = Switches(env=env_layer({"PERTH_FEATURES_DISABLE": "a", "PERTH_FEATURES_ENABLE": ""}),
                        cli=cli_layer(["a"], ["b"]), user={"a": True, "b": True, "c": False})
    states = resolve(features, switches, "zsh").states
    assert (states["a"].enabled, states["a"].layer) == (False, "env")
    assert (states["b"].enabled, states["b"].layer) == (False, "cli")
    assert (states["c"].enabled, states["c"].layer) == (False, "user file")
    assert (states["d"].enabled, states["d"].layer) == (False, "default")
    with pytest.raises(InvalidInputError, match="both enables and disables 'x'"):
        cli_layer(["x"], ["x"])


def test_disabling_a_feature_disables_its_dependents_and_says_why() -> None:
    features = _features(("base", "init", ()), ("mid", "init", ("base",)), ("top", "postprompt", ("mid",)),
                         ("other", "init", ()))
    resolution = resolve(features, Switches(cli={"base": False}), "zsh")
    assert [f.name for f in resolution.loaded] == ["other"]
    assert {s.name: s.cascaded_from for s in resolution.cascaded} == {"mid": "base", "top": "mid"}
    assert resolution.states["top"].reason == ("disabled because it depends on 'mid', which depends on 'base':"
                                               " base is disabled (cli)")


def test_shells_and_platforms_filter_and_cascade() -> None:
    features = {"z": Feature(name="z", snippet=":", shells=("zsh",)),
                "mac": Feature(name="mac", snippet=":", platforms=("darwin",)),
                "uses": Feature(name="uses", snippet=":", depends_on=("z",))}
    bash = resolve(features, Switches(), "bash", platform="linux")
    assert bash.states["z"].reason == "not declared for bash (shells: zsh)" and not bash.states["uses"].enabled
    assert not bash.states["mac"].enabled and "not for linux" in bash.states["mac"].reason
    assert resolve(features, Switches(), "zsh", platform="darwin").states["mac"].enabled


def test_switches_naming_unknown_features_are_problems() -> None:
    resolution = resolve(_features(("a", "init", ())), Switches(env={"nope": False}, user={"gone": False}), "zsh")
    assert [(p.kind, p.feature) for p in resolution.problems] == [("unknown_switch", "nope")]


@st.composite
def dags(draw: st.DrawFn) -> dict[str, Feature]:
    count = draw(st.integers(min_value=1, max_value=12))
    names = [f"f{i}" for i in range(count)]
    features: dict[str, Feature] = {}
    for index, name in enumerate(names):
        phase = draw(st.sampled_from(PHASES))
        earlier = [n for n in names[:index] if features[n].phase_rank <= PHASES.index(phase)]
        deps = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        features[name] = Feature(name=name, phase=phase, depends_on=tuple(deps), snippet=":")
    return features


@settings(max_examples=150, deadline=None)
@given(dags(), st.randoms())
def test_any_dag_orders_every_feature_after_its_dependencies_whatever_the_declaration_order(
        features: dict[str, Feature], rnd: random.Random) -> None:
    order = [f.name for f in resolve(features, Switches(), "zsh").check().order]
    assert sorted(order) == sorted(features)
    position = {name: i for i, name in enumerate(order)}
    assert all(position[d] < position[n] for n, f in features.items() for d in f.depends_on)
    ranks = [features[n].phase_rank for n in order]
    assert ranks == sorted(ranks)  # phases come out grouped
    shuffled = list(features.items())
    rnd.shuffle(shuffled)
    assert [f.name for f in resolve(dict(shuffled), Switches(), "zsh").order] == order


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefg"), st.lists(st.sampled_from("abcdefg"), max_size=3), min_size=1))
def test_every_reported_cycle_is_a_real_closed_path(graph: dict[str, list[str]]) -> None:
    features = {n: Feature(name=n, snippet=":", depends_on=tuple(d for d in deps if d in graph))
                for n, deps in graph.items()}
    resolution = resolve(features, Switches(), "zsh")
    cycles = [p.path for p in resolution.problems if p.kind == "cycle"]
    for path in cycles:
        assert path[0] == path[-1] == min(path)
        assert all(b in features[a].depends_on for a, b in itertools.pairwise(path))
    assert bool(cycles) == (len(resolution.order) < len(features))
