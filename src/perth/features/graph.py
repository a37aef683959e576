"""The dependency graph as DOT, Mermaid or JSON: nodes in load order, edges sorted, same input same bytes.

An edge goes from a dependency to the feature that needs it (the direction of loading). Disabled
features are drawn dashed (DOT) or with a ``disabled`` class (Mermaid).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from perth.features.model import Feature
    from perth.features.resolve import Resolution

GRAPH_FORMATS: tuple[str, ...] = ("dot", "json", "mermaid")


def node_order(features: Mapping[str, Feature], resolution: Resolution) -> list[str]:
    """Load order first, then features on or behind a cycle by name."""
    ordered = [f.name for f in resolution.order]
    return ordered + sorted(set(features) - set(ordered))


def edges(features: Mapping[str, Feature]) -> list[tuple[str, str]]:
    """``(dependency, dependent)`` pairs between declared features, sorted."""
    return sorted((dep, name) for name, f in features.items() for dep in f.depends_on if dep in features)


def graph_data(features: Mapping[str, Feature], resolution: Resolution) -> dict[str, Any]:
    """``perth.features.graph.v1`` (without the schema field)."""
    nodes = [{"name": name, "phase": features[name].phase, "enabled": resolution.states[name].enabled,
              "state": resolution.states[name].reason} for name in node_order(features, resolution)]
    return {"shell": resolution.shell, "nodes": nodes,
            "edges": [{"from": a, "to": b} for a, b in edges(features)],
            "order": [f.name for f in resolution.loaded],
            "problems": [p.to_json() for p in resolution.problems]}


def _dot_id(name: str) -> str:
    return f'"{name}"'


def to_dot(features: Mapping[str, Feature], resolution: Resolution) -> str:
    """Graphviz DOT."""
    lines = ["digraph features {", "  rankdir=LR;", "  node [shape=box];"]
    for name in node_order(features, resolution):
        style = "" if resolution.states[name].enabled else ", style=dashed"
        lines.append(f'  {_dot_id(name)} [label="{name}\\n{features[name].phase}"{style}];')
    lines += [f"  {_dot_id(a)} -> {_dot_id(b)};" for a, b in edges(features)]
    return "\n".join([*lines, "}"])


def to_mermaid(features: Mapping[str, Feature], resolution: Resolution) -> str:
    """A Mermaid flowchart (node ids are positions in the load order, labels the names)."""
    names = node_order(features, resolution)
    ids = {name: f"f{i}" for i, name in enumerate(names)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[n]}["{n} ({features[n].phase})"]' for n in names]
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in edges(features)]
    off = [ids[n] for n in names if not resolution.states[n].enabled]
    if off:
        lines += ["  classDef disabled stroke-dasharray: 5 5", f"  class {','.join(off)} disabled"]
    return "\n".join(lines)
