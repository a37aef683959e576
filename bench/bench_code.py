"""Code index benchmarks (SPEC C10), against baselines measured in the same run.

The tree: the sources of a large pure-Python package from PyPI (Django 5.2's wheel: about 900
Python files, downloaded with ``pip download`` into a temporary folder when the benchmark runs), or
any folder given with ``--source``.

1. Cold index (fresh store, every file parsed, default workers) <= 5 s; baseline: Universal Ctags
   (``ctags -R``) on the same tree; ratio = Perth / ctags.
2. Re-index after a one-file change <= 300 ms (median of the runs).
3. ``find`` and ``callers`` in process: p95 <= 20 ms each over random symbols; the same ``perth code
   find`` as a whole process, next to ``python -c pass``.
4. ``map --tokens 2048``: time, and the share of the 20 most-referenced symbols the map includes.
5. Agreement with an independent tool: the Python classes, functions and methods ctags finds
   (name, file, line) against Perth's (recall and precision; reported, not gated).

Exits 1 when a goal is missed (``--no-gate`` only reports).
Run: `.venv/bin/python bench/bench_code.py [--source DIR] [--runs N] [--no-gate] [--results DIR]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from gate import start
from perth.codeindex import service
from perth.codeindex.graph import Graph
from perth.codeindex.indexer import index_repo
from perth.codeindex.repomap import build_map
from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime
from timing import percentile, wall_ms

PACKAGE = "django>=5.2,<5.3"
GOALS = {"cold_s": 5.0, "reindex_ms": 300.0, "find_p95_ms": 20.0, "callers_p95_ms": 20.0}


def fetch_tree(folder: Path) -> Path:
    """Download the package's wheel (no dependencies) and unpack its sources."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
                    "-d", str(folder / "wheel"), PACKAGE], check=True, capture_output=True)
    wheel = next((folder / "wheel").glob("*.whl"))
    tree = folder / "tree"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tree)
    hour_ago = time.time() - 3600  # a checked-out tree, not files written a moment ago
    for path in tree.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    return tree


def runtime(home: Path) -> Runtime:
    env = {"PERTH_HOME": str(home)}
    return Runtime(load_settings(resolve_paths(env), env, {}), environ=env, cwd=str(home))


def ctags_s(tree: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["ctags", "-R", "--languages=Python", "-f", str(out), str(tree)], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def ctags_definitions(tree: Path, out: Path) -> set[tuple[str, str, int]]:
    """(path, name, line) of every Python class, function and member ctags tags."""
    subprocess.run(["ctags", "-R", "--languages=Python", "--fields=+nK", "-f", str(out), "."], check=True,
                   capture_output=True, cwd=tree)
    found = set()
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if line.startswith("!") or len(parts) < 5 or parts[3] not in ("class", "function", "member"):
            continue
        number = next((p[5:] for p in parts[4:] if p.startswith("line:")), "")
        if number.isdigit():
            found.add((parts[1].removeprefix("./"), parts[0], int(number)))
    return found


def agreement(rt: Runtime, theirs: set[tuple[str, str, int]]) -> tuple[float, float, int]:
    repo = rt.store.code.get_repo(name="bench")
    assert repo is not None
    ours = {(s.path, s.name, s.line) for s in rt.store.code.definitions(repo.id)
            if s.kind in ("class", "function", "method") and s.path.endswith(".py")}
    both = ours & theirs
    return len(both) / max(1, len(theirs)), len(both) / max(1, len(ours)), len(theirs)


def cold_index(tree: Path, work: Path, runs: int) -> tuple[list[float], Path]:
    times = []
    home = work / "home-0"
    for run in range(runs):
        home = work / f"home-{run}"
        rt = runtime(home)
        repo = service.add_repo(rt, str(tree), name="bench")
        started = time.perf_counter()
        report = index_repo(rt, repo)
        times.append(time.perf_counter() - started)
        rt.close()
    print(f"  tree: {report.files} files, {report.symbols} symbols, {report.edges} edges")
    return times, home


def reindex_ms(rt: Runtime, tree: Path, runs: int) -> list[float]:
    repo = rt.store.code.get_repo(name="bench")
    assert repo is not None
    target = sorted(tree.rglob("*.py"))[len(list(tree.rglob("*.py"))) // 2]
    original = target.read_text()
    times = []
    for run in range(runs):
        target.write_text(original + f"\n\ndef bench_added_{run}():\n    return {run}\n")
        started = time.perf_counter()
        report = index_repo(rt, rt.store.code.get_repo(name="bench") or repo)
        times.append((time.perf_counter() - started) * 1000)
        assert report.parsed == 1, report
    target.write_text(original)
    return times


def query_ms(rt: Runtime, samples: int) -> tuple[list[float], list[float], list[str]]:
    repo = rt.store.code.get_repo(name="bench")
    assert repo is not None
    graph = Graph(rt.store.code, repo.id)
    symbols = [s for s in rt.store.code.definitions(repo.id) if s.kind in ("function", "method", "class")]
    picked = random.Random(7).sample(symbols, min(samples, len(symbols)))
    finds, callers = [], []
    for s in picked:
        started = time.perf_counter()
        graph.find(s.name)
        finds.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        graph.callers(graph.lookup(s.qualname))
        callers.append((time.perf_counter() - started) * 1000)
    return finds, callers, [s.name for s in picked[:10]]


def map_figures(rt: Runtime) -> tuple[float, float, int]:
    repo = rt.store.code.get_repo(name="bench")
    assert repo is not None
    started = time.perf_counter()
    repo_map = build_map(rt.store.code, repo.id, budget=2048)
    elapsed = (time.perf_counter() - started) * 1000
    defined = {s.qualname for s in rt.store.code.definitions(repo.id)
               if s.kind in ("class", "function", "method")}
    counts = Counter(dst for _path, dst, _name, n in rt.store.code.references(repo.id) for _ in range(n)
                     if dst in defined)
    top = [q for q, _ in counts.most_common(20)]
    shown = {s.qualname for f in repo_map.files for s in f.symbols}
    return elapsed, sum(q in shown for q in top) / max(1, len(top)), repo_map.tokens


def cli_ms(home: Path, names: list[str], runs: int) -> tuple[float, float]:
    env = {**os.environ, "PERTH_HOME": str(home)}
    perth = [sys.executable, "-m", "perth", "code", "find", "--repo", "bench"]
    cli = [wall_ms([*perth, names[i % len(names)]], env) for i in range(runs)]
    bare = [wall_ms([sys.executable, "-c", "pass"], env) for _ in range(runs)]
    return statistics.median(cli), statistics.median(bare)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", type=Path, help="Index this folder instead of downloading the package.")
    parser.add_argument("--runs", type=int, default=3, help="Cold runs (re-index runs are 3x this).")
    args, gate = start("code", parser)
    if shutil.which("ctags") is None:
        raise SystemExit("ctags is missing: apt-get install universal-ctags (make deb-deps)")
    with tempfile.TemporaryDirectory(prefix="perth-bench-code-") as folder:
        work = Path(folder)
        tree = args.source.resolve() if args.source else fetch_tree(work)
        print(f"Code index benchmark on {PACKAGE if not args.source else tree} ({os.cpu_count()} CPUs)")
        ctags = statistics.median(ctags_s(tree, work / f"tags-{i}") for i in range(args.runs))
        cold, home = cold_index(tree, work, args.runs)
        rt = runtime(home)
        reindex = reindex_ms(rt, tree, args.runs * 3)
        finds, callers, names = query_ms(rt, 200)
        map_ms, share, tokens = map_figures(rt)
        recall, precision, tagged = agreement(rt, ctags_definitions(tree, work / "tags-agree"))
        rt.close()
        cli, bare = cli_ms(home, names, 10)
    figures = {"cold_s": statistics.median(cold), "reindex_ms": statistics.median(reindex),
               "find_p95_ms": percentile(finds, 95), "callers_p95_ms": percentile(callers, 95)}
    print(f"  cold index: median {figures['cold_s']:.2f} s (best {min(cold):.2f} s) vs ctags -R {ctags:.2f} s"
          f" -> ratio {figures['cold_s'] / ctags:.1f}x   (goal <= {GOALS['cold_s']:g} s)")
    print(f"  re-index after a one-file change: median {figures['reindex_ms']:.0f} ms, max {max(reindex):.0f} ms"
          f"   (goal <= {GOALS['reindex_ms']:g} ms)")
    print(f"  find: p50 {percentile(finds, 50):.2f} ms, p95 {figures['find_p95_ms']:.2f} ms;"
          f" callers: p50 {percentile(callers, 50):.2f} ms, p95 {figures['callers_p95_ms']:.2f} ms"
          f"   (goal p95 <= {GOALS['find_p95_ms']:g} ms)")
    print(f"  perth code find (whole process): {cli:.0f} ms vs python -c pass {bare:.0f} ms -> {cli / bare:.1f}x")
    print(f"  map --tokens 2048: {map_ms:.0f} ms, {tokens} tokens, includes {share:.0%} of the 20 most-referenced"
          " symbols")
    print(f"  definitions vs ctags (Python classes, functions, methods): recall {recall:.2%},"
          f" precision {precision:.2%} of {tagged} ctags tags")
    print()
    gate.check(f"cold index (fresh store, every file parsed, median of {args.runs}) <= {GOALS['cold_s']:g} s",
               f"{figures['cold_s']:.2f} s (best {min(cold):.2f} s)", f"ctags -R {ctags:.2f} s",
               f"{figures['cold_s'] / ctags:.1f}x", figures["cold_s"] <= GOALS["cold_s"])
    gate.check(f"re-index after a one-file change, median <= {GOALS['reindex_ms']:g} ms",
               f"{figures['reindex_ms']:.0f} ms (max {max(reindex):.0f} ms)",
               f"cold index {figures['cold_s'] * 1000:.0f} ms",
               f"{figures['reindex_ms'] / (figures['cold_s'] * 1000):.3f}x",
               figures["reindex_ms"] <= GOALS["reindex_ms"])
    for key, label, times in (("find_p95_ms", "find", finds), ("callers_p95_ms", "callers", callers)):
        gate.check(f"`{label}` in process, p95 <= {GOALS[key]:g} ms", f"p95 {figures[key]:.2f} ms"
                   f" (p50 {percentile(times, 50):.2f} ms)", f"`python -c pass` {bare:.0f} ms",
                   f"{figures[key] / bare:.3f}x", figures[key] <= GOALS[key])
    gate.note(f"`perth code find` as a whole process: {cli:.0f} ms vs `python -c pass` {bare:.0f} ms"
              f" ({cli / bare:.1f}x)")
    gate.note(f"`map --tokens 2048`: {map_ms:.0f} ms, {tokens} tokens, includes {share:.0%} of the 20"
              " most-referenced symbols")
    gate.note(f"definitions vs ctags (Python classes, functions, methods): recall {recall:.2%},"
              f" precision {precision:.2%} of {tagged} ctags tags")
    return gate.finish(args)


if __name__ == "__main__":
    sys.exit(main())
