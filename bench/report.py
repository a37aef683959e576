"""Render the results of one `make bench` run into docs/benchmarks.md.

Every benchmark writes its goals as JSON (`--results DIR`, see `gate.py`); this script replaces
the part of the document between the `results:begin` and `results:end` markers with one table
per benchmark (goal, figure, baseline of the same run, ratio, met), the command that produced it,
and the run's notes. The prose around the markers explains the figures and is kept as it is.

Run: `make bench` (which calls it), or `python bench/report.py [--update] DIR docs/benchmarks.md`;
with `--update`, only the benchmarks with results in DIR are replaced and the others' tables (of an
earlier run, each with its own date and command) are kept.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
ORDER = ("core", "redact", "capture", "capture-hook", "shellperf", "features", "mux", "summarize", "code", "search",
         "ops", "events", "team")


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rank(name: str) -> tuple[int, str]:
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def sections(block: str) -> dict[str, str]:
    """The tables of a rendered section, by benchmark name (the text of each from its heading on)."""
    parts = block.split("\n### ")[1:]
    return {part.split(" ", 1)[0]: "### " + part.rstrip("\n") + "\n" for part in parts}


def render(results: list[dict[str, object]], kept: dict[str, str] | None = None) -> str:
    """The generated section: one table per benchmark (and the ``kept`` tables of benchmarks that did
    not run this time)."""
    tables = dict(kept or {})
    for result in results:
        tables[str(result["bench"])] = table(result)
    return "\n".join([BEGIN, "", *(tables[name] for name in sorted(tables, key=rank)), END])


def table(result: dict[str, object]) -> str:
    """One benchmark's table, notes included."""
    lines: list[str] = []
    goals = result["goals"]
    assert isinstance(goals, list)
    met = sum(1 for g in goals if g["met"])
    host = result.get("host", {})
    assert isinstance(host, dict)
    lines += [f"### {result['bench']} — {met} of {len(goals)} goals met", "",
              f"Measured {result['measured_at']} (Python {host.get('python')}, SQLite {host.get('sqlite')},"
              f" {host.get('cpus')} CPUs) with `{result['command']}`.", "",
              "| goal | figure | baseline in the same run | ratio | met |", "|---|---|---|---|---|"]
    lines += [f"| {cell(g['goal'])} | {cell(g['figure'])} | {cell(g['baseline'])} | {cell(g['ratio'])} |"
              f" {'yes' if g['met'] else '**no**'} |" for g in goals]
    notes = result.get("notes") or []
    assert isinstance(notes, list)
    if notes:
        lines += ["", *(f"- {cell(str(n))}" for n in notes)]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    update = "--update" in argv
    argv = [arg for arg in argv if arg != "--update"]
    if len(argv) != 2:
        print("usage: python bench/report.py [--update] RESULTS_DIR docs/benchmarks.md", file=sys.stderr)
        return 2
    directory, document = Path(argv[0]), Path(argv[1])
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]
    if not results:
        print(f"no results in {directory}: run the benchmarks with --results {directory}", file=sys.stderr)
        return 1
    text = document.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{document} has no {BEGIN} ... {END} section to replace", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    kept = sections(rest.split(END, 1)[0]) if update else None
    document.write_text(head + render(results, kept) + tail, encoding="utf-8")
    print(f"wrote the figures of {len(results)} benchmarks into {document}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
