"""Resolution: a deterministic load order, the problems that forbid one, and who is switched on.

The order is Kahn's algorithm where, among the features ready to load, the earliest phase and then
the smallest name goes first: the same declarations give the same order whatever the file order,
and phases come out grouped (a dependency never sits in a later phase than its dependent: that is
an error). A cycle is reported as its path (``a -> b -> c -> a``, starting at its smallest name).
A feature is on when its switch says so (:mod:`perth.features.switches`), it is declared for the
shell and the platform, and every dependency is on; otherwise the state says why.
"""

from __future__ import annotations

import heapq

from perth.errors import ConfigError
from perth.features.model import current_platform
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.features.model import Feature
    from perth.features.switches import Switches


class Problem(Record):
    """Something that forbids building a loader."""

    kind: str  # cycle | unknown_dependency | phase_order | unknown_switch
    feature: str
    message: str
    fix: str
    path: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The problem as JSON."""
        return {"kind": self.kind, "feature": self.feature, "message": self.message, "fix": self.fix,
                "path": list(self.path)}


class FeatureState(Record):
    """Whether a feature loads, and why."""

    name: str
    enabled: bool
    reason: str
    layer: str  # the switch layer that decided: env | cli | user file | default
    cascaded_from: str | None = None  # the disabled dependency that disabled this feature


class Resolution(Record):
    """Features in load order, the state of each, and the problems found."""

    order: tuple[Feature, ...]
    states: Mapping[str, FeatureState]
    problems: tuple[Problem, ...]
    shell: str
    platform: str

    @property
    def loaded(self) -> tuple[Feature, ...]:
        """The features the loader sources, in order."""
        return tuple(f for f in self.order if self.states[f.name].enabled)

    @property
    def cascaded(self) -> tuple[FeatureState, ...]:
        """Features disabled because a dependency is disabled."""
        return tuple(s for s in self.states.values() if s.cascaded_from is not None)

    def check(self) -> Resolution:
        """``self`` when there is no problem; otherwise the first problem as an error."""
        if self.problems:
            first = self.problems[0]
            more = f" (and {len(self.problems) - 1} more: see `perth features check`)" if len(self.problems) > 1 else ""
            raise ConfigError(first.message + more, first.fix)
        return self


def _ready_key(feature: Feature) -> tuple[int, str]:
    return feature.phase_rank, feature.name


def topological_order(features: Mapping[str, Feature]) -> tuple[list[Feature], set[str]]:
    """Kahn's order over known dependencies; the names left over sit on or behind a cycle."""
    waiting = {name: {d for d in f.depends_on if d in features} for name, f in features.items()}
    dependents: dict[str, list[str]] = {name: [] for name in features}
    for name, deps in waiting.items():
        for dep in deps:
            dependents[dep].append(name)
    ready = [(_ready_key(f), name) for name, f in features.items() if not waiting[name]]
    heapq.heapify(ready)
    order: list[Feature] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(features[name])
        for dependent in dependents[name]:
            waiting[dependent].discard(name)
            if not waiting[dependent]:
                heapq.heappush(ready, (_ready_key(features[dependent]), dependent))
    return order, {name for name, deps in waiting.items() if deps}


def find_cycles(features: Mapping[str, Feature], left: set[str]) -> list[tuple[str, ...]]:
    """Cycles among the names Kahn could not order, each as a closed path from its smallest name."""
    cycles: dict[frozenset[str], tuple[str, ...]] = {}
    for start in sorted(left):
        walk: list[str] = []
        current = start
        while current not in walk:
            walk.append(current)
            current = min(d for d in features[current].depends_on if d in left)
        loop = walk[walk.index(current):]
        pivot = loop.index(min(loop))
        loop = loop[pivot:] + loop[:pivot]
        cycles.setdefault(frozenset(loop), (*loop, loop[0]))
    return sorted(cycles.values())


def structure_problems(features: Mapping[str, Feature], left: set[str]) -> list[Problem]:
    """Unknown dependencies, dependencies in a later phase, and cycles."""
    problems: list[Problem] = []
    for name in sorted(features):
        feature = features[name]
        for dep in feature.depends_on:
            if dep not in features:
                problems.append(Problem("unknown_dependency", name, f"feature {name!r} depends on unknown"
                                        f" feature {dep!r} ({feature.origin})",
                                        f"declare [features.{dep}] or remove it from depends_on"))
            elif features[dep].phase_rank > feature.phase_rank:
                problems.append(Problem("phase_order", name, f"feature {name!r} (phase {feature.phase}) depends on"
                                        f" {dep!r}, which loads later (phase {features[dep].phase})",
                                        f"move {dep!r} to phase {feature.phase} or earlier, or {name!r} later"))
    for path in find_cycles(features, left):
        problems.append(Problem("cycle", path[0], f"dependency cycle: {' -> '.join(path)}",
                                "remove one of these depends_on entries", path))
    return problems


def _own_state(feature: Feature, switches: Switches, shell: str, platform: str) -> FeatureState:
    on, layer = switches.decide(feature.name, feature.enabled)
    if not on:
        return FeatureState(feature.name, False, f"disabled ({layer})", layer)
    if shell not in feature.shells:
        return FeatureState(feature.name, False, f"not declared for {shell} (shells: {', '.join(feature.shells)})",
                            layer)
    if feature.platforms and platform not in feature.platforms:
        return FeatureState(feature.name, False, f"not for {platform} (platforms: {', '.join(feature.platforms)})",
                            layer)
    return FeatureState(feature.name, True, f"enabled ({layer})", layer)


def _cascaded(name: str, dep: str, states: Mapping[str, FeatureState], layer: str) -> FeatureState:
    """``name`` is off because ``dep`` is: the reason names the feature that was switched off."""
    root = dep
    while states[root].cascaded_from is not None:
        root = states[root].cascaded_from or root
    via = "" if root == dep else f", which depends on {root!r}"
    return FeatureState(name, False, f"disabled because it depends on {dep!r}{via}: {root} is {states[root].reason}",
                        layer, cascaded_from=dep)


def _states(order: list[Feature], features: Mapping[str, Feature], left: set[str], switches: Switches, *,
            shell: str, platform: str) -> dict[str, FeatureState]:
    states: dict[str, FeatureState] = {}
    for feature in order:
        state = _own_state(feature, switches, shell, platform)
        unknown = [d for d in feature.depends_on if d not in features]
        off = [d for d in feature.depends_on if d in states and not states[d].enabled]
        if state.enabled and unknown:
            state = FeatureState(feature.name, False, f"depends on unknown feature {unknown[0]!r}", state.layer)
        elif state.enabled and off:
            state = _cascaded(feature.name, off[0], states, state.layer)
        states[feature.name] = state
    for name in sorted(left):
        states[name] = FeatureState(name, False, "on or behind a dependency cycle", "default")
    return states


def resolve(features: Mapping[str, Feature], switches: Switches, shell: str, platform: str | None = None) -> Resolution:
    """Order, switch states and problems for ``shell`` on ``platform`` (default: this machine)."""
    where = platform or current_platform()
    order, left = topological_order(features)
    problems = structure_problems(features, left)
    for name in sorted((set(switches.env) | set(switches.cli)) - set(features)):
        problems.append(Problem("unknown_switch", name, f"--enable/--disable or PERTH_FEATURES_ENABLE/DISABLE"
                                f" names unknown feature {name!r}", "check the spelling"))
    states = _states(order, features, left, switches, shell=shell, platform=where)
    return Resolution(order=tuple(order), states=states, problems=tuple(problems), shell=shell, platform=where)
