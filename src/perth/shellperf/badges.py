"""Badges for a README or a CI page: shields.io endpoint JSON and standalone SVG.

Four badges: ``first-prompt`` (median first prompt, coloured against the final budget like
zsh-bench: green up to half the budget, yellow-green up to the budget, orange up to twice it,
red beyond), ``drift`` (worst class against the baseline and the largest slow-down), ``budget``
(how many budgets of the gating stage are exceeded) and ``governance`` (mode and recommendation).
A value that was not measured makes a grey ``missing`` badge — never a number.
"""

from __future__ import annotations

import json
import os
from xml.sax.saxutils import escape

from perth.record import Record
from perth.shellperf.analysis import metric_stats

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from perth.shellperf.records import GovernanceState, Run
    from perth.shellperf.settings import ShellperfSettings

COLORS = {"brightgreen": "#4c1", "green": "#97ca00", "yellow": "#dfb317", "orange": "#fe7d37", "red": "#e05d44",
          "blue": "#007ec6", "lightgrey": "#9f9f9f"}
CLASS_COLORS = {"OK": "brightgreen", "WARN": "yellow", "FAIL": "red", "MISSING": "lightgrey"}
MODE_COLORS = {"observe": "blue", "warn": "yellow", "gate": "brightgreen"}


class Badge(Record):
    """One badge: its file name, left label, right message and colour name."""

    name: str
    label: str
    message: str
    color: str

    def endpoint(self) -> dict[str, Any]:
        """The shields.io endpoint JSON (https://shields.io/badges/endpoint-badge)."""
        return {"schemaVersion": 1, "label": self.label, "message": self.message, "color": self.color}


def first_prompt_badge(run: Run, budget_ms: float | None) -> Badge:
    """Median first prompt, coloured against the budget."""
    stats = metric_stats(run).get("first_prompt_ms")
    if stats is None or stats.median is None:
        return Badge("first-prompt", "first prompt", "missing", "lightgrey")
    value = stats.median
    color = "blue"
    if budget_ms:
        ratio = value / budget_ms
        color = next((c for limit, c in ((0.5, "brightgreen"), (1.0, "green"), (2.0, "orange")) if ratio <= limit),
                     "red")
    return Badge("first-prompt", "first prompt", f"{value:.1f} ms", color)


def drift_badge(assessment: Mapping[str, Any]) -> Badge:
    """Worst class against the baseline and the largest slow-down among the metrics."""
    deltas = [d for d in assessment.get("deltas", []) if d.get("kind") == "metric"]
    if not deltas:
        return Badge("drift", "drift", "no baseline", "lightgrey")
    order = ("FAIL", "WARN", "MISSING", "OK")
    level = next(level for level in order if level == "OK" or any(d["classification"] == level for d in deltas))
    slowest = max((d["delta_percent"] for d in deltas if d.get("delta_percent") is not None), default=None)
    message = level if slowest is None else f"{level} ({slowest:+.1f}% max)"
    return Badge("drift", "drift", message, CLASS_COLORS[level])


def budget_badge(assessment: Mapping[str, Any]) -> Badge:
    """Exceeded budgets of the gating stage."""
    budgets = assessment.get("budgets", [])
    if not budgets:
        return Badge("budget", "budget", "none set", "lightgrey")
    over = sum(1 for b in budgets if b["status"] == "over")
    missing = sum(1 for b in budgets if b["status"] == "missing")
    if over:
        return Badge("budget", "budget", f"{over} over", "red")
    if missing:
        return Badge("budget", "budget", f"{missing} missing", "lightgrey")
    return Badge("budget", "budget", "within", "brightgreen")


def governance_badge(state: GovernanceState, mode: str) -> Badge:
    """The mode in force, and the recommendation when it differs."""
    message = mode if state.recommended == mode else f"{mode} (recommends {state.recommended})"
    return Badge("governance", "shellperf", message, MODE_COLORS.get(mode, "lightgrey"))


def badges_for(settings: ShellperfSettings, run: Run, assessment: Mapping[str, Any],
               state: GovernanceState) -> list[Badge]:
    """The four badges of a run, from its recorded assessment and its scope's governance state."""
    budget = settings.budgets.get("final", {}).get("first_prompt_ms")
    mode = state.recommended if settings.mode == "auto" else settings.mode
    return [first_prompt_badge(run, budget), drift_badge(assessment), budget_badge(assessment),
            governance_badge(state, mode)]


def _text_width(text: str) -> int:
    """Approximate width in pixels of Verdana 11px (about 6.5 px per narrow glyph, 8.5 per wide)."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "mwMW%")
    return int(6.5 * (len(text) - wide) + 8.5 * wide) + 10


def badge_svg(badge: Badge) -> str:
    """A standalone flat badge."""
    label, message = escape(badge.label), escape(badge.message)
    left, right = _text_width(badge.label), _text_width(badge.message)
    total = left + right
    color = COLORS.get(badge.color, badge.color)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img"'
        f' aria-label="{label}: {message}"><title>{label}: {message}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label}</text><text x="{left + right / 2:.1f}" y="14">{message}</text>'
        "</g></svg>\n"
    )


def write_badges(directory: str, badges: Sequence[Badge]) -> list[str]:
    """Write ``<name>.json`` (endpoint) and ``<name>.svg`` for each badge; returns the paths."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for badge in badges:
        for suffix, content in ((".json", json.dumps(badge.endpoint(), indent=2) + "\n"), (".svg", badge_svg(badge))):
            path = os.path.join(directory, badge.name + suffix)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(content)
            written.append(path)
    return written
