"""Shell start-up harness benchmarks (SPEC C8), each against a baseline measured in the same run.

1. Harness overhead: first_prompt_ms of `bash --norc --noprofile` and `zsh -f` measured by the
   harness, against a bare pty spawn-to-first-byte of the same command, interleaved
   (goal: <= 2 ms added).
2. Repeatability: RSD of first_prompt_ms for an unchanged configuration measured n = 20 times
   (goal: <= 5%); the configuration defines 3,000 functions so that start-up is not trivially short.
3. Instrumentation cost with PERTH_SEGMENT_LOG unset: per-call time of the library's helpers,
   against an empty function timed the same way (goal: <= 0.1 ms per helper call).

Run: `make bench-shellperf` or `.venv/bin/python bench/bench_shellperf.py [--rounds N] [--samples N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

from perth.shellperf.analysis import metric_stats
from perth.shellperf.benchfn import REFERENCE, bench_functions
from perth.shellperf.harness import measure_sample
from perth.shellperf.instrument import library_source
from perth.shellperf.launch import plan_launch, resolve_shell
from perth.shellperf.records import RunSpec
from perth.shellperf.runner import measure
from perth.shellperf.stats import describe
from perth.shellperf.terminal import PtyLauncher, first_byte_ms

HELPERS = ("perth_segment_begin", "perth_segment_end", "perth_segment_mark")


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")


def overhead(shell: str, rounds: int) -> dict[str, float]:
    """Median harness first_prompt_ms minus median bare spawn-to-first-byte, interleaved."""
    spec = RunSpec(shell=shell, norc=True, samples=1, warmup=0, presses=1, keys=1, measure_exit=False)
    environ = {k: v for k, v in os.environ.items() if k != "PERTH_SEGMENT_LOG"}
    with tempfile.TemporaryDirectory() as workdir:
        plan = plan_launch(spec, resolve_shell(spec, environ), environ, workdir)
        bare: list[float] = []
        harness: list[float] = []
        for index in range(rounds + 1):
            if index % 2:  # alternate which goes first, so that warm caches favour neither
                value = measure_sample(PtyLauncher(), plan, spec, index).metrics["first_prompt_ms"].value
                first = first_byte_ms(plan.argv, plan.sample_env(index), plan.cwd)
            else:
                first = first_byte_ms(plan.argv, plan.sample_env(index), plan.cwd)
                value = measure_sample(PtyLauncher(), plan, spec, index).metrics["first_prompt_ms"].value
            if index and first is not None and value is not None:  # round 0 warms the caches
                bare.append(first)
                harness.append(value)
    bare_ms, harness_ms = statistics.median(bare), statistics.median(harness)
    return {"bare_ms": bare_ms, "harness_ms": harness_ms, "added_ms": harness_ms - bare_ms,
            "ratio": harness_ms / bare_ms}


def repeatability(shell: str, samples: int) -> dict[str, float]:
    """RSD of first_prompt_ms over ``samples`` starts of an unchanged rc file, and of bare spawns of it."""
    body = {"zsh": "for i in {1..3000}; do eval \"_perth_bench_f$i() { : }\"; done\n",
            "bash": "for i in {1..3000}; do eval \"_perth_bench_f$i() { :; }\"; done\n"}[shell]
    with tempfile.TemporaryDirectory() as workdir:
        rc = Path(workdir) / f"bench.{shell}rc"
        rc.write_text(body)
        spec = RunSpec(shell=shell, rc=str(rc), samples=samples, warmup=2, presses=1, keys=1, measure_exit=False)
        run = measure(spec, os.environ, PtyLauncher(), created_at=0)
        plan = plan_launch(spec, resolve_shell(spec, os.environ), os.environ, os.path.join(workdir, "bare"))
        bare = describe([first_byte_ms(plan.argv, plan.env, plan.cwd) for _ in range(samples)])
    stats = metric_stats(run)["first_prompt_ms"]
    robust = 100 * 1.4826 * (stats.mad or 0) / (stats.median or 1)
    return {"n": stats.n, "median_ms": stats.median or 0.0, "rsd_percent": stats.rsd or 0.0,
            "outliers": len(stats.outliers), "robust_rsd_percent": robust,
            "bare_rsd_percent": bare.rsd or 0.0, "ratio_to_bare": (stats.rsd or 0.0) / (bare.rsd or 1.0)}


def instrumentation_cost(shell: str, calls: int) -> dict[str, float]:
    """Per-call microseconds of the no-op helpers against an empty function."""
    environ = {k: v for k, v in os.environ.items() if k != "PERTH_SEGMENT_LOG"}
    with tempfile.TemporaryDirectory() as workdir:
        library = Path(workdir) / f"perth-segments.{shell}"
        library.write_text(library_source(shell))
        path = resolve_shell(RunSpec(shell=shell), environ)
        timings = bench_functions(shell, path, str(library), HELPERS, calls=calls, batches=7, environ=environ)
    by_name = {t.name: t.per_call_us.median or 0.0 for t in timings}
    worst = max(by_name[h] for h in HELPERS)
    return {"empty_function_us": by_name[REFERENCE], "worst_helper_us": worst,
            "added_us": worst - by_name[REFERENCE], "share_of_budget": worst / 100.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30, help="Interleaved rounds for the overhead benchmark.")
    parser.add_argument("--samples", type=int, default=20, help="Samples for the repeatability benchmark.")
    parser.add_argument("--calls", type=int, default=10_000, help="Calls per batch for the helper cost.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    figures: dict[str, dict[str, dict[str, float]]] = {"overhead": {}, "repeatability": {}, "instrumentation": {}}
    for shell in ("bash", "zsh"):
        o = figures["overhead"][shell] = overhead(shell, args.rounds)
        report(f"Harness overhead, {shell} without start-up files ({args.rounds} interleaved rounds, medians)",
               [("bare pty spawn -> first byte", f"{o['bare_ms']:.3f} ms"),
                ("harness first_prompt_ms", f"{o['harness_ms']:.3f} ms"),
                ("added by the harness", f"{o['added_ms']:+.3f} ms (goal <= 2 ms)"),
                ("ratio harness / bare", f"{o['ratio']:.3f}x")])
    for shell in ("zsh", "bash"):
        r = figures["repeatability"][shell] = repeatability(shell, args.samples)
        report(f"Repeatability, {shell} with an unchanged rc (n = {int(r['n'])})",
               [("median first_prompt_ms", f"{r['median_ms']:.2f} ms"),
                ("RSD", f"{r['rsd_percent']:.2f}% (goal <= 5%)"), ("outliers flagged", str(int(r["outliers"]))),
                ("robust RSD (1.4826 MAD / median)", f"{r['robust_rsd_percent']:.2f}%"),
                ("RSD of bare spawns, same rc", f"{r['bare_rsd_percent']:.2f}% (the machine's own noise)"),
                ("ratio harness RSD / bare RSD", f"{r['ratio_to_bare']:.2f}x")])
    for shell in ("zsh", "bash"):
        c = figures["instrumentation"][shell] = instrumentation_cost(shell, args.calls)
        report(f"Instrumentation helpers with PERTH_SEGMENT_LOG unset, {shell} (median of 7 batches)",
               [("empty function call", f"{c['empty_function_us']:.2f} us"),
                ("slowest helper call", f"{c['worst_helper_us']:.2f} us"),
                ("added over an empty function", f"{c['added_us']:+.2f} us"),
                ("share of the 0.1 ms budget", f"{c['share_of_budget']:.3f}x")])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
