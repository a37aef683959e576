"""Documents of the feature registry; JSON contracts ``perth.features.<thing>.v1`` (docs/features.md)."""

from __future__ import annotations

from perth.clock import to_iso
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.features.measured import Measured
    from perth.features.model import Feature
    from perth.features.registry import CheckReport
    from perth.features.resolve import Resolution


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _run(measured: Measured) -> dict[str, Any] | None:
    if not measured.run_id:
        return None
    return {"id": measured.run_id, "scope": measured.scope, "created_at": to_iso(measured.created_at)}


def _run_note(measured: Measured) -> Note:
    if not measured.run_id:
        return Note("No recorded shellperf run: measure the shell that sources the loader with `perth shellperf run`.")
    return Note(f"Measured: shellperf run {measured.run_id[-8:]} ({measured.scope}), medians.")


def _cascade_items(resolution: Resolution) -> Items:
    return Items([f"{s.name}: {s.reason}" for s in resolution.cascaded], "Disabled with a dependency")


def status_view(report: CheckReport, features: dict[str, Feature]) -> Document:
    """``perth features status``."""
    resolution = report.resolution
    rows: list[tuple[str, ...]] = []
    items: list[dict[str, Any]] = []
    for check in report.budgets:
        feature, state = features[check.name], resolution.states[check.name]
        rows.append((check.name, feature.phase, state.reason, _ms(check.measured_ms),
                     "-" if check.budget_ms is None else f"{check.budget_ms:g}", check.status,
                     ", ".join(feature.depends_on)))
        items.append({"name": check.name, "phase": feature.phase, "enabled": state.enabled, "state": state.reason,
                      "layer": state.layer, "cascaded_from": state.cascaded_from,
                      "depends_on": list(feature.depends_on),
                      "measured_ms": check.measured_ms, "budget_ms": check.budget_ms, "budget_status": check.status,
                      "origin": feature.origin})
    blocks: list[Block] = [Table(("feature", "phase", "state", "last ms", "budget ms", "budget", "depends on"), rows),
                           _run_note(report.measured) if rows else
                           Note("No feature declared: write [features.NAME] tables in features.toml in the config"
                                " directory, or pass --file (perth features import --zshrc FILE proposes some).")]
    if resolution.cascaded:
        blocks.append(_cascade_items(resolution))
    if resolution.problems:
        blocks.append(Items([p.message for p in resolution.problems], "Problems"))
    data = {"shell": resolution.shell, "platform": resolution.platform, "run": _run(report.measured),
            "features": items, "problems": [p.to_json() for p in resolution.problems]}
    return Document("perth.features.status.v1", data, title=f"Shell features ({resolution.shell})", blocks=blocks)


def check_view(report: CheckReport) -> Document:
    """``perth features check``."""
    findings = report.findings
    verdict = "OK" if not findings else ("FAIL" if report.mode == "gate" else "WARN")
    budgets = [b for b in report.budgets if b.budget_ms is not None]
    rows = [(b.name, f"{b.budget_ms:g}", _ms(b.measured_ms), b.status) for b in budgets]
    blocks: list[Block] = [Fields([("verdict", verdict), ("mode", report.mode),
                                   ("problems", str(len(report.resolution.problems))),
                                   ("over budget", str(sum(b.status == "over" for b in budgets)))]),
                           Table(("feature", "budget ms", "measured ms", "status"), rows, "Budgets"),
                           _run_note(report.measured)]
    if findings:
        blocks.append(Items(findings, "Findings"))
    data = {"shell": report.resolution.shell, "mode": report.mode, "verdict": verdict, "findings": findings,
            "problems": [p.to_json() for p in report.resolution.problems],
            "budgets": [b.to_json() for b in report.budgets], "run": _run(report.measured),
            "exit_code": report.exit_code}
    return Document("perth.features.check.v1", data, title="Shell features check", blocks=blocks)


def build_view(resolution: Resolution, output: str, compiled: str | None) -> Document:
    """``perth features build -o FILE``."""
    off = [s for s in resolution.states.values() if not s.enabled]
    blocks: list[Block] = [Fields([("shell", resolution.shell), ("written", output), ("compiled", compiled or "-"),
                                   ("load order", " ".join(f.name for f in resolution.loaded) or "(none)")])]
    if off:
        blocks.append(Items([f"{s.name}: {s.reason}" for s in sorted(off, key=lambda s: s.name)], "Not loaded"))
    data = {"shell": resolution.shell, "output": output, "compiled": compiled,
            "order": [f.name for f in resolution.loaded],
            "phases": {f.name: f.phase for f in resolution.loaded},
            "not_loaded": [{"name": s.name, "reason": s.reason, "cascaded_from": s.cascaded_from}
                           for s in sorted(off, key=lambda s: s.name)]}
    return Document("perth.features.build.v1", data, title="Loader written", blocks=blocks)


def switch_view(name: str, on: bool, resolution: Resolution) -> Document:
    """``perth features enable|disable NAME``."""
    state = resolution.states[name]
    blocks: list[Block] = [Fields([("feature", name), ("switched", "on" if on else "off"), ("now", state.reason)])]
    cascaded = [s for s in resolution.cascaded if s.name != name]
    if cascaded:
        blocks.append(Items([f"{s.name}: {s.reason}" for s in cascaded], "Also not loaded"))
    if on and not state.enabled:
        blocks.append(Note(f"{name} stays off: {state.reason}."))
    data = {"name": name, "switched": on, "enabled": state.enabled, "state": state.reason, "layer": state.layer,
            "cascaded": [{"name": s.name, "because": s.cascaded_from, "state": s.reason} for s in cascaded]}
    return Document("perth.features.switch.v1", data, title=f"Feature {name}", blocks=blocks)


def graph_view(data: dict[str, Any]) -> Document:
    """``perth features graph --format json``."""
    return Document("perth.features.graph.v1", data)
