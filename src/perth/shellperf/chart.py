"""The trend chart of the ledger: medians of the four latencies, run after run.

Drawn with pygal (an optional extra: ``pip install 'perth[charts]'``), as SVG; PNG goes through
pygal's cairosvg renderer when that is installed.  Missing medians are gaps in the lines, never
zeros.
"""

from __future__ import annotations

from perth.errors import InvalidInputError, UnavailableError
from perth.shellperf.analysis import metric_stats
from perth.shellperf.records import PRIMARY_METRICS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.shellperf.records import LedgerEntry

FORMATS: tuple[str, ...] = (".svg", ".png")


def trend_series(entries: Sequence[LedgerEntry]) -> tuple[list[str], dict[str, list[float | None]]]:
    """X labels (oldest first) and one median series per latency."""
    from perth.clock import to_local

    ordered = sorted(entries, key=lambda e: e.run.created_at)
    labels = [to_local(e.run.created_at) for e in ordered]
    series: dict[str, list[float | None]] = {name: [] for name in PRIMARY_METRICS}
    for entry in ordered:
        stats = metric_stats(entry.run)
        for name in PRIMARY_METRICS:
            found = stats.get(name)
            series[name].append(None if found is None or found.median is None else round(found.median, 3))
    return labels, series


def _chart(entries: Sequence[LedgerEntry], title: str, **options: object) -> Any:
    try:
        import pygal  # type: ignore[import-untyped, import-not-found, unused-ignore]  # optional extra, untyped
    except ImportError as exc:
        from perth.extras import missing_extra

        raise missing_extra("the trend chart (pygal)", "charts") from exc
    labels, series = trend_series(entries)
    chart = pygal.Line(title=title, x_label_rotation=30, show_minor_x_labels=False, y_title="ms (median)",
                       allow_interruptions=True, width=900, height=450, **options)
    chart.x_labels = labels
    chart.x_labels_major_count = min(len(labels), 10)
    for name, values in series.items():
        chart.add(name, values)
    return chart


def trend_svg(entries: Sequence[LedgerEntry], title: str) -> str:
    """The chart as a self-contained SVG document: no script, nothing fetched (the web dashboard's).

    pygal's tooltips need its script (fetched from a CDN) and an inline configuration script; both are
    left out, so the document runs under a policy forbidding every script.  Each element and CSS rule
    is on a line of its own."""
    import re

    svg = str(_chart(entries, title, js=[], disable_xml_declaration=True).render(is_unicode=True))
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL)
    # One element (and CSS rule) per line: pygal writes the whole document on a few lines of many kilobytes, which
    # the secret filter (that every web answer passes) would replace whole as keyword-dense lines.
    svg = re.sub(r"<style\b[^>]*>.*?</style>", lambda style: style.group(0).replace("}", "}\n"), svg, flags=re.DOTALL)
    return re.sub(r">\s*<", ">\n<", svg)


def write_trend_chart(path: str, entries: Sequence[LedgerEntry], title: str) -> str:
    """Render the chart to ``path`` (``.svg`` or ``.png``)."""
    suffix = path[path.rfind("."):].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise InvalidInputError(f"cannot draw a chart as {path!r}", "name the file .svg or .png")
    chart = _chart(entries, title)
    if suffix == ".svg":
        chart.render_to_file(path)
        return path
    try:
        chart.render_to_png(path)
    except (ImportError, OSError) as exc:
        raise UnavailableError("PNG charts need cairosvg and the cairo library",
                               "pip install cairosvg (and apt-get install libcairo2), or write .svg") from exc
    return path
