"""Goals as a gate: every benchmark records each goal it names, prints them as a table, writes
them as JSON for the report (``bench/report.py`` renders ``docs/benchmarks.md`` from them), and
exits 1 when a goal is not met — unless ``--no-gate`` (exploration) is given."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Goal:
    """One goal as measured: what it asks, the figure, the baseline of the same run, the ratio."""

    goal: str
    figure: str
    baseline: str
    ratio: str
    met: bool


@dataclass
class Gate:
    """The goals of one benchmark run."""

    bench: str
    command: str
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, goal: str, figure: str, baseline: str, ratio: str, met: bool) -> bool:
        """Record a goal; returns whether it was met."""
        self.goals.append(Goal(goal, figure, baseline, ratio, met))
        print(f"  [{'met' if met else 'NOT MET'}] {goal}: {figure} (baseline {baseline}; {ratio})", flush=True)
        return met

    def note(self, text: str) -> None:
        """A line of context kept with the results (printed, and carried into the report)."""
        self.notes.append(text)
        print(f"  {text}", flush=True)

    def finish(self, args: argparse.Namespace) -> int:
        """Print the summary, write the results, and return the process status."""
        missed = [g for g in self.goals if not g.met]
        print(f"\n{self.bench}: {len(self.goals) - len(missed)} of {len(self.goals)} goals met")
        for goal in missed:
            print(f"  NOT MET: {goal.goal}: {goal.figure}")
        if args.results:
            os.makedirs(args.results, exist_ok=True)
            with open(os.path.join(args.results, f"{self.bench}.json"), "w", encoding="utf-8") as handle:
                json.dump({"bench": self.bench, "command": self.command, "measured_at": time.strftime("%Y-%m-%d"),
                           "host": host(), "goals": [asdict(g) for g in self.goals], "notes": self.notes},
                          handle, indent=2)
        if missed and args.no_gate:
            print("  (--no-gate: exiting 0 anyway)")
            return 0
        return 1 if missed else 0


def host() -> dict[str, str]:
    """What the figures were measured on."""
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "cpus": str(os.cpu_count()),
            "machine": platform.machine(), "system": platform.system()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--no-gate`` and ``--results DIR``, shared by every benchmark."""
    parser.add_argument("--no-gate", action="store_true", help="Exit 0 even when a goal is not met (exploration).")
    parser.add_argument("--results", metavar="DIR", help="Write this run's goals as JSON into DIR (for the report).")


def start(bench: str, parser: argparse.ArgumentParser) -> tuple[argparse.Namespace, Gate]:
    """Parse the arguments (adding the shared ones) and open the gate of this run."""
    add_arguments(parser)
    args = parser.parse_args()
    return args, Gate(bench, " ".join(["python", *sys.argv]))
