"""The benchmarks' gate (exit status, --no-gate, JSON results) and the report rendered from them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from gate import Gate  # noqa: E402
from report import BEGIN, END, main  # noqa: E402


def args(tmp_path: Path, *, no_gate: bool = False) -> argparse.Namespace:
    return argparse.Namespace(no_gate=no_gate, results=str(tmp_path / "results"))


def test_a_missed_goal_fails_the_run_unless_no_gate(tmp_path: Path) -> None:
    gate = Gate("core", "python bench/bench_core.py")
    assert gate.check("log <= 3x", "2.5x", "python 10 ms", "2.5x", True)
    assert gate.finish(args(tmp_path)) == 0
    assert not gate.check("history p95 <= 100 ms", "120 ms", "python 10 ms", "12x", False)
    assert gate.finish(args(tmp_path)) == 1
    assert gate.finish(args(tmp_path, no_gate=True)) == 0
    written = json.loads((tmp_path / "results" / "core.json").read_text())
    assert [g["met"] for g in written["goals"]] == [True, False]
    assert written["command"] == "python bench/bench_core.py"


def test_the_report_replaces_only_the_marked_section(tmp_path: Path) -> None:
    gate = Gate("mux", "python bench/bench_mux.py")
    gate.check("restore <= 2 s", "1.2 s", "raw | tmux 0.7 s", "1.7x", True)
    gate.note("zoom restored")
    gate.finish(args(tmp_path))
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nprose before\n\n{BEGIN}\nold figures\n{END}\n\nprose after\n")
    assert main([str(tmp_path / "results"), str(doc)]) == 0
    text = doc.read_text()
    assert "old figures" not in text and "prose before" in text and "prose after" in text
    assert "| restore <= 2 s | 1.2 s | raw \\| tmux 0.7 s | 1.7x | yes |" in text
    assert "### mux — 1 of 1 goals met" in text and "- zoom restored" in text


def test_an_update_replaces_the_benchmarks_that_ran_and_keeps_the_others(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    for bench, figure in (("mux", "1.2 s"), ("core", "2.5x")):
        gate = Gate(bench, f"python bench/bench_{bench}.py")
        gate.check("goal", figure, "base", "1x", True)
        gate.finish(args(tmp_path))
    doc.write_text(f"prose\n\n{BEGIN}\nold\n{END}\n")
    assert main([str(tmp_path / "results"), str(doc)]) == 0
    for name in ("mux.json", "core.json"):
        (tmp_path / "results" / name).unlink()
    gate = Gate("mux", "python bench/bench_mux.py")
    gate.check("goal", "0.9 s", "base", "1x", True)
    gate.finish(args(tmp_path))
    assert main(["--update", str(tmp_path / "results"), str(doc)]) == 0
    text = doc.read_text()
    assert "| goal | 0.9 s |" in text and "| goal | 1.2 s |" not in text and "| goal | 2.5x |" in text
    assert text.index("### core") < text.index("### mux") and text.count("### mux") == 1
    assert text.startswith("prose") and text.rstrip().endswith(END)


def test_the_report_refuses_a_document_without_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "x.json").write_text(json.dumps({"bench": "x", "command": "c", "measured_at": "d",
                                                              "goals": []}))
    doc = tmp_path / "benchmarks.md"
    doc.write_text("no markers\n")
    assert main([str(tmp_path / "results"), str(doc)]) == 1
    assert "no <!-- results:begin -->" in capsys.readouterr().err
    assert doc.read_text() == "no markers\n"
