"""Shell feature loader benchmarks (SPEC C9), each against a baseline measured in the same run.

1. Loader overhead: first_prompt_ms of a login shell whose rc sources the generated loader of 20
   empty features, against the same shell whose rc sources the same 20 files directly; measured
   interleaved (A B, B A, ...) with the harness of `perth shellperf`, timing off in both (the rc
   unsets PERTH_SEGMENT_LOG first, as on every normal start). The zsh loader is compiled to .zwc as
   `perth features build -o` does. The ratio is the median over rounds of loader / direct (the two
   starts of a round run one after the other, so load from elsewhere hits both; the ratio of the
   medians is printed too). Goal: ratio <= 1.05 (zsh and bash).
   The same comparison with timing on (SEGMENT lines written) is printed for information.
2. Deferral gain on the worked example of docs/features.md (docs/examples/omz-like): first_prompt_ms
   of eager.toml (everything before the prompt) over deferred.toml (compinit, nvm, autosuggestions
   and highlighting after it), interleaved. Goal: gain >= 2x. first_command_ms and command_lag_ms
   are printed too: deferring moves work, it does not remove it.

Run: `make bench-features` or `.venv/bin/python bench/bench_features.py [--samples N] [--only overhead|deferral]
[--no-gate] [--results DIR]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from gate import Gate, start
from perth.features.loader import build_loader, compile_zsh_loader
from perth.features.model import Feature, merge, read_file
from perth.features.resolve import resolve
from perth.features.switches import Switches
from perth.shellperf.analysis import metric_stats
from perth.shellperf.records import Run, RunSpec
from perth.shellperf.runner import measure_interleaved
from perth.shellperf.terminal import PtyLauncher

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "omz-like"
OVERHEAD_GOAL = 1.05
DEFERRAL_GOAL = 2.0
FEATURES = 20


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")


def median(run: Run, metric: str) -> float:
    value = metric_stats(run)[metric].median
    if value is None:
        raise SystemExit(f"{metric} was not measured: {run.measured[0].metrics[metric].reason}")
    return value


def paired_ratio(first: Run, second: Run) -> float:
    """The median over rounds of second / first: the two samples of a round ran one after the other, so a
    burst of load from elsewhere on the machine hits both (the ratio of the medians is printed too)."""
    pairs = [(a.metrics["first_prompt_ms"].value, b.metrics["first_prompt_ms"].value)
             for a, b in zip(first.measured, second.measured, strict=True)]
    ratios = [b / a for a, b in pairs if a and b]
    if not ratios:
        raise SystemExit("first_prompt_ms was not measured")
    return statistics.median(ratios)


def _measure(shell: str, rcs: list[Path], samples: int) -> list[Run]:
    specs = [RunSpec(shell=shell, rc=str(rc), samples=samples, warmup=3, presses=1, keys=1, measure_exit=False)
             for rc in rcs]
    return measure_interleaved(specs, os.environ, PtyLauncher(), created_at=0, profile="explore")


def overhead(shell: str, samples: int, workdir: Path) -> dict[str, float]:
    """Loader of 20 empty features vs the 20 files sourced directly (timing off, then on)."""
    files = [workdir / f"feature{i:02d}.{shell}" for i in range(FEATURES)]
    for path in files:
        path.write_text("")
    features = {p.stem: Feature(name=p.stem, source=str(p)) for p in files}
    loader = workdir / f"loader.{shell}"
    loader.write_text(build_loader(resolve(features, Switches(), shell).check()))
    if shell == "zsh" and not compile_zsh_loader(str(loader)):  # as `perth features build -o` does
        raise SystemExit("zcompile failed")
    direct = "".join(f"source {p}\n" for p in files)
    figures: dict[str, float] = {}
    for timing in ("off", "on"):
        prefix = "unset PERTH_SEGMENT_LOG\n" if timing == "off" else ""
        rcs = [workdir / f"{name}-{timing}.{shell}rc" for name in ("direct", "loader")]
        rcs[0].write_text(prefix + direct)
        rcs[1].write_text(prefix + f"source {loader}\n")
        runs = _measure(shell, rcs, samples)
        base, through = (median(run, "first_prompt_ms") for run in runs)
        figures.update({f"direct_{timing}_ms": base, f"loader_{timing}_ms": through,
                        f"ratio_{timing}": paired_ratio(*runs), f"ratio_of_medians_{timing}": through / base})
    return figures


def deferral(samples: int, workdir: Path) -> dict[str, float]:
    """The worked example: eager.toml against deferred.toml."""
    rcs = []
    for variant in ("eager", "deferred"):
        features = merge(read_file(str(EXAMPLE / f"{variant}.toml")))
        loader = workdir / f"{variant}.zsh"
        loader.write_text(build_loader(resolve(features, Switches(), "zsh").check()))
        compile_zsh_loader(str(loader))
        rc = workdir / f"{variant}.zshrc"
        rc.write_text(f"source {loader}\n")
        rcs.append(rc)
    eager, deferred = _measure("zsh", rcs, samples)
    figures = {f"{name}_{metric}": median(run, metric) for name, run in (("eager", eager), ("deferred", deferred))
               for metric in ("first_prompt_ms", "first_command_ms", "command_lag_ms")}
    figures["gain"] = figures["eager_first_prompt_ms"] / figures["deferred_first_prompt_ms"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=20, help="Counted samples per configuration (default 20).")
    parser.add_argument("--only", action="append", choices=("overhead", "deferral"),
                        help="Run only this part (repeatable).")
    args, gate = start("features", parser)
    parts = set(args.only or ("overhead", "deferral"))
    with tempfile.TemporaryDirectory(prefix="perth-bench-features-") as root:
        for shell in ("zsh", "bash") if "overhead" in parts else ():
            workdir = Path(root) / shell
            workdir.mkdir()
            o = overhead(shell, args.samples, workdir)
            report(f"Loader overhead, {shell}: {FEATURES} empty features"
                   f" (n = {args.samples} each, interleaved, medians)",
                   [("sourced directly, timing off", f"{o['direct_off_ms']:.2f} ms"),
                    ("through the loader, timing off", f"{o['loader_off_ms']:.2f} ms"),
                    ("ratio loader / direct, median of rounds", f"{o['ratio_off']:.3f}x (goal <= {OVERHEAD_GOAL}x)"),
                    ("ratio of the medians", f"{o['ratio_of_medians_off']:.3f}x"),
                    ("with timing on (SEGMENT lines)", f"{o['loader_on_ms']:.2f} ms vs {o['direct_on_ms']:.2f} ms:"
                                                       f" {o['ratio_on']:.3f}x (information)")])
            gate.check(f"{shell}: `first_prompt_ms` through the loader of {FEATURES} empty features <="
                       f" {OVERHEAD_GOAL}x sourcing the same files directly (timing off; median over"
                       f" {args.samples} interleaved rounds of the ratio)",
                       f"{o['loader_off_ms']:.2f} ms (median)",
                       f"{FEATURES} `source` lines: {o['direct_off_ms']:.2f} ms",
                       f"{o['ratio_off']:.3f}x (ratio of the medians {o['ratio_of_medians_off']:.3f}x)",
                       o["ratio_off"] <= OVERHEAD_GOAL)
            gate.note(f"{shell} with timing on (SEGMENT lines written): {o['loader_on_ms']:.2f} ms against"
                      f" {o['direct_on_ms']:.2f} ms ({o['ratio_on']:.3f}x), information only")
        if "deferral" in parts:
            workdir = Path(root) / "example"
            workdir.mkdir()
            run_deferral(gate, deferral(args.samples, workdir), args.samples)
    return gate.finish(args)


def run_deferral(gate: Gate, d: dict[str, float], samples: int) -> None:
    """Report and gate the deferral part."""
    report(f"Deferral gain, worked example (docs/examples/omz-like, zsh, n = {samples} each, medians)",
           [("first_prompt_ms eager / deferred", f"{d['eager_first_prompt_ms']:.2f} / "
                                                 f"{d['deferred_first_prompt_ms']:.2f} ms"),
            ("gain", f"{d['gain']:.2f}x (goal >= {DEFERRAL_GOAL}x)"),
            ("first_command_ms eager / deferred", f"{d['eager_first_command_ms']:.2f} / "
                                                  f"{d['deferred_first_command_ms']:.2f} ms"),
            ("command_lag_ms eager / deferred", f"{d['eager_command_lag_ms']:.2f} / "
                                                f"{d['deferred_command_lag_ms']:.2f} ms (deferred work lands here)")])
    gate.check(f"deferral gain on the worked example (docs/features.md): eager / deferred `first_prompt_ms`"
               f" >= {DEFERRAL_GOAL}x (median of {samples})", f"deferred {d['deferred_first_prompt_ms']:.2f} ms",
               f"eager {d['eager_first_prompt_ms']:.2f} ms", f"{d['gain']:.1f}x", d["gain"] >= DEFERRAL_GOAL)
    gate.note(f"deferring moves work: first_command_ms {d['eager_first_command_ms']:.2f} -> "
              f"{d['deferred_first_command_ms']:.2f} ms, command_lag_ms {d['eager_command_lag_ms']:.2f} -> "
              f"{d['deferred_command_lag_ms']:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
