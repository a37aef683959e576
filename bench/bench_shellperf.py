"""Shell start-up harness benchmarks (SPEC C8), each against a baseline measured in the same run.

1. Harness overhead: first_prompt_ms of `bash --norc --noprofile` and `zsh -f` measured by the
   harness, against a bare pty spawn-to-first-byte of the same command, interleaved
   (goal: <= 2 ms added).
2. Repeatability: RSD of first_prompt_ms for an unchanged configuration measured n = 20 times
   (goal: <= 5%); the configuration defines 3,000 functions so that start-up is not trivially short.
   Measured as `perth shellperf run` measures by default: each of the 20 samples is the median of
   `shellperf.spawns` starts (the product's default, read from its configuration keys; --spawns K
   overrides it, --spawns 1 is one start a sample); the bare spawns beside it are single starts.
3. Instrumentation cost with PERTH_SEGMENT_LOG unset: per-call time of the library's helpers,
   against an empty function timed the same way (goal: <= 0.1 ms per helper call).
4. Agreement with zsh-bench (the reference tool) on light zsh configurations: median first_prompt_ms
   of `perth shellperf` against the median of zsh-bench's `--raw` first_prompt_lag_ms, rounds
   interleaved (goal: within 10% or 1 ms). Needs a zsh-bench checkout given with --zsh-bench DIR
   (nothing is downloaded); without it this part is reported as not run.

Run: `make bench-shellperf` or `.venv/bin/python bench/bench_shellperf.py [--rounds N] [--samples N] [--spawns K]
[--zsh-bench DIR] [--only PART] [--no-gate] [--results DIR]`.  Exits 1 when a goal is missed (unless `--no-gate`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from gate import Gate, start
from perth.config import spec_for
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
FLAGS = ("has_compsys", "has_syntax_highlighting", "has_autosuggestions")
AGREEMENT_CONFIGS = {
    "prompt only": "PS1='%1~%# '\n",
    "3,000 functions": "PS1='%1~%# '\nfor i in {1..3000}; do eval \"_perth_bench_f$i() { : }\"; done\n",
    "compsys": "PS1='%1~%# '\nautoload -Uz compinit && compinit -C -d \"$ZDOTDIR/.zcompdump\"\n",
}


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


def repeatability(shell: str, samples: int, spawns: int) -> dict[str, float]:
    """RSD of first_prompt_ms over ``samples`` samples (of ``spawns`` starts each) of an unchanged rc file, and of
    bare spawns of it."""
    body = {"zsh": "for i in {1..3000}; do eval \"_perth_bench_f$i() { : }\"; done\n",
            "bash": "for i in {1..3000}; do eval \"_perth_bench_f$i() { :; }\"; done\n"}[shell]
    with tempfile.TemporaryDirectory() as workdir:
        rc = Path(workdir) / f"bench.{shell}rc"
        rc.write_text(body)
        spec = RunSpec(shell=shell, rc=str(rc), samples=samples, warmup=2, spawns=spawns, presses=1, keys=1,
                       measure_exit=False)
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


def zsh_bench_raw(zsh_bench: Path, zdotdir: str, iters: int) -> dict[str, list[float]]:
    """One `zsh-bench --raw` run of the configuration in ``zdotdir``: every metric's values."""
    import subprocess

    env = {**os.environ, "ZDOTDIR": zdotdir, "SHELL": shutil.which("zsh") or "zsh", "USER": os.environ.get("USER", "")}
    done = subprocess.run([str(zsh_bench / "zsh-bench"), "--git", "no", "--iters", str(iters), "--raw"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    values: dict[str, list[float]] = {}
    for line in done.stdout.splitlines():
        name, sep, rest = line.partition("=( ")
        if sep:
            values[name] = [float(v) for v in rest.rstrip(" )").split()]
    if "first_prompt_lag_ms" not in values:
        raise SystemExit(f"zsh-bench failed ({done.returncode}): {done.stderr[-300:]} {done.stdout[-300:]}")
    return values


def agreement(zsh_bench: Path, rounds: int, iters: int) -> dict[str, dict[str, float]]:
    """Median first prompt and first command of both tools per configuration, rounds interleaved."""
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, body in AGREEMENT_CONFIGS.items():
            zdotdir = Path(workdir) / name.replace(" ", "-").replace(",", "")
            zdotdir.mkdir()
            (zdotdir / ".zshrc").write_text(body)
            ours: dict[str, list[float]] = {"first_prompt_ms": [], "first_command_ms": [], "has_compsys": [],
                                            "has_syntax_highlighting": [], "has_autosuggestions": []}
            theirs: dict[str, list[float]] = {"first_prompt_lag_ms": [], "first_command_lag_ms": [], "has_compsys": [],
                                              "has_syntax_highlighting": [], "has_autosuggestions": []}
            spec = RunSpec(zdotdir=str(zdotdir), samples=iters, warmup=1, presses=1, keys=1,
                           measure_exit=False)
            for index in range(rounds):
                for tool in ("perth", "zsh-bench") if index % 2 == 0 else ("zsh-bench", "perth"):
                    if tool == "perth":
                        _perth_round(spec, ours)
                    else:
                        _zsh_bench_round(zsh_bench, zdotdir, iters, theirs)
            fp, zfp = statistics.median(ours["first_prompt_ms"]), statistics.median(theirs["first_prompt_lag_ms"])
            fc, zfc = statistics.median(ours["first_command_ms"]), statistics.median(theirs["first_command_lag_ms"])
            figures[name] = {"perth_first_prompt_ms": fp, "zsh_bench_first_prompt_ms": zfp,
                             "perth_first_command_ms": fc, "zsh_bench_first_command_ms": zfc,
                             "delta_ms": fp - zfp, "ratio": fp / zfp, "n": len(ours["first_prompt_ms"]),
                             "flags_agree": float(all(set(ours[f]) == set(theirs[f]) for f in FLAGS))}
    return figures


def _perth_round(spec: RunSpec, into: dict[str, list[float]]) -> None:
    run = measure(spec, os.environ, PtyLauncher(), created_at=0)
    for sample in run.measured:
        for metric, values in into.items():
            value = sample.capabilities.get(metric) if metric in FLAGS else sample.metrics[metric].value
            if value is not None:
                values.append(float(value))


def _zsh_bench_round(zsh_bench: Path, zdotdir: Path, iters: int, into: dict[str, list[float]]) -> None:
    values = zsh_bench_raw(zsh_bench, str(zdotdir), iters + 1)
    for metric, kept in into.items():
        kept.extend(values[metric][1:])  # its first iteration is a warm-up, like Perth's


def agrees(figure: dict[str, float]) -> bool:
    """Within 10% or 1 ms."""
    reference = figure["zsh_bench_first_prompt_ms"]
    return abs(figure["delta_ms"]) <= max(1.0, 0.1 * reference)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30, help="Interleaved rounds for the overhead benchmark.")
    parser.add_argument("--samples", type=int, default=20, help="Samples for the repeatability benchmark.")
    parser.add_argument("--spawns", type=int, default=spec_for("shellperf.spawns").default,
                        help="Starts per repeatability sample (default: shellperf.spawns, as `perth shellperf run`).")
    parser.add_argument("--calls", type=int, default=10_000, help="Calls per batch for the helper cost.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument("--zsh-bench", type=Path, help="A zsh-bench checkout, for the agreement benchmark.")
    parser.add_argument("--agreement-rounds", type=int, default=4, help="Interleaved rounds per configuration.")
    parser.add_argument("--agreement-iters", type=int, default=6, help="Samples per tool per round.")
    parser.add_argument("--only", action="append", choices=("overhead", "repeatability", "instrumentation",
                                                             "agreement"), help="Run only this part (repeatable).")
    args, gate = start("shellperf", parser)
    parts = set(args.only or ("overhead", "repeatability", "instrumentation", "agreement"))
    figures: dict[str, dict[str, dict[str, float]]] = {"overhead": {}, "repeatability": {}, "instrumentation": {},
                                                       "agreement": {}}
    for shell in ("bash", "zsh") if "overhead" in parts else ():
        o = figures["overhead"][shell] = overhead(shell, args.rounds)
        report(f"Harness overhead, {shell} without start-up files ({args.rounds} interleaved rounds, medians)",
               [("bare pty spawn -> first byte", f"{o['bare_ms']:.3f} ms"),
                ("harness first_prompt_ms", f"{o['harness_ms']:.3f} ms"),
                ("added by the harness", f"{o['added_ms']:+.3f} ms (goal <= 2 ms)"),
                ("ratio harness / bare", f"{o['ratio']:.3f}x")])
        gate.check(f"harness overhead, {shell} without start-up files ({args.rounds} interleaved rounds, medians),"
                   " <= 2 ms added", f"first_prompt_ms {o['harness_ms']:.3f} ms ({o['added_ms']:+.3f} ms added)",
                   f"bare pty spawn -> first byte {o['bare_ms']:.3f} ms", f"{o['ratio']:.3f}x",
                   o["added_ms"] <= 2.0)
    for shell in ("zsh", "bash") if "repeatability" in parts else ():
        r = figures["repeatability"][shell] = repeatability(shell, args.samples, args.spawns)
        report(f"Repeatability, {shell} with an unchanged rc (n = {int(r['n'])}, each the median of {args.spawns}"
               " starts)",
               [("median first_prompt_ms", f"{r['median_ms']:.2f} ms"),
                ("RSD", f"{r['rsd_percent']:.2f}% (goal <= 5%)"), ("outliers flagged", str(int(r["outliers"]))),
                ("robust RSD (1.4826 MAD / median)", f"{r['robust_rsd_percent']:.2f}%"),
                ("RSD of bare spawns, same rc", f"{r['bare_rsd_percent']:.2f}% (the machine's own noise)"),
                ("ratio harness RSD / bare RSD", f"{r['ratio_to_bare']:.2f}x")])
        gate.check(f"repeatability, {shell} with an unchanged rc (n = {int(r['n'])} samples, each the median of"
                   f" {args.spawns} starts), RSD of first_prompt_ms <= 5%",
                   f"RSD {r['rsd_percent']:.2f}% (median {r['median_ms']:.2f} ms)",
                   f"RSD of bare spawns, same rc {r['bare_rsd_percent']:.2f}%", f"{r['ratio_to_bare']:.2f}x",
                   r["rsd_percent"] <= 5.0)
    for shell in ("zsh", "bash") if "instrumentation" in parts else ():
        c = figures["instrumentation"][shell] = instrumentation_cost(shell, args.calls)
        report(f"Instrumentation helpers with PERTH_SEGMENT_LOG unset, {shell} (median of 7 batches)",
               [("empty function call", f"{c['empty_function_us']:.2f} us"),
                ("slowest helper call", f"{c['worst_helper_us']:.2f} us"),
                ("added over an empty function", f"{c['added_us']:+.2f} us"),
                ("share of the 0.1 ms budget", f"{c['share_of_budget']:.3f}x")])
        gate.check(f"instrumentation helpers with PERTH_SEGMENT_LOG unset, {shell}, <= 0.1 ms per call",
                   f"slowest helper {c['worst_helper_us']:.2f} us ({c['added_us']:+.2f} us added)",
                   f"empty function {c['empty_function_us']:.2f} us",
                   f"{c['worst_helper_us'] / c['empty_function_us']:.2f}x the empty function"
                   if c["empty_function_us"] else "-", c["worst_helper_us"] <= 100.0)
    if "agreement" in parts:
        run_agreement(args, figures["agreement"], gate)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return gate.finish(args)


def run_agreement(args: argparse.Namespace, into: dict[str, dict[str, float]], gate: Gate) -> None:
    """The agreement part: figures into ``into``, one goal per configuration (and its flags) in ``gate``."""
    if args.zsh_bench is None:
        gate.note("Agreement with zsh-bench: not run (give a zsh-bench checkout with --zsh-bench DIR)")
        return
    into.update(agreement(args.zsh_bench, args.agreement_rounds, args.agreement_iters))
    for name, a in into.items():
        ok = agrees(a)
        report(f"Agreement with zsh-bench, zsh {name} ({int(a['n'])} samples each, {args.agreement_rounds}"
               " interleaved rounds, medians)",
               [("perth first_prompt_ms", f"{a['perth_first_prompt_ms']:.2f} ms"),
                ("zsh-bench first_prompt_lag_ms", f"{a['zsh_bench_first_prompt_ms']:.2f} ms"),
                ("difference", f"{a['delta_ms']:+.2f} ms, ratio {a['ratio']:.3f}x (goal: within 10% or 1 ms)"
                 f" {'ok' if ok else 'MISSED'}"),
                ("first command (perth / zsh-bench)",
                 f"{a['perth_first_command_ms']:.2f} / {a['zsh_bench_first_command_ms']:.2f} ms"),
                ("has_compsys, _syntax_highlighting, _autosuggestions", "same in both tools" if a["flags_agree"]
                 else "DIFFER")])
        gate.check(f"agreement with zsh-bench, zsh {name} ({int(a['n'])} samples each, medians), first_prompt_ms"
                   " within 10% or 1 ms", f"perth {a['perth_first_prompt_ms']:.2f} ms ({a['delta_ms']:+.2f} ms)",
                   f"zsh-bench first_prompt_lag_ms {a['zsh_bench_first_prompt_ms']:.2f} ms", f"{a['ratio']:.3f}x", ok)
        gate.check(f"agreement with zsh-bench, zsh {name}: has_compsys, _syntax_highlighting, _autosuggestions",
                   "same in both tools" if a["flags_agree"] else "DIFFER", "zsh-bench's flags, same run",
                   "agree" if a["flags_agree"] else "differ", bool(a["flags_agree"]))


if __name__ == "__main__":
    raise SystemExit(main())
