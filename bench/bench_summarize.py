"""Context collection and fail-fast benchmarks (SPEC C4), each against a baseline measured in the same run.

1. Context collection on a repository of 10,000 tracked files with a 5 MB working-tree diff (plus an
   untracked node_modules and a virtualenv the file walk must skip): ``collect_context`` must stay
   within its time budget (``context.collector_timeout_ms``) and byte limits.  Baseline: the bare git
   calls it makes (``git status --porcelain``, ``git diff --stat HEAD``, ``git log -10``) run one after
   another, without the diff; ratio = collection / baseline.  Reported: time vs budget, bytes vs limits.
2. A provider whose circuit breaker is open fails in <= 50 ms: ``generate`` with the chain
   ``[anthropic]`` and its breaker open, in process; baseline: the same call on the local ``none``
   provider (extractive, no network).  The whole ``perth summarize --provider anthropic`` process is
   timed too, against ``python -c pass``.

Run: `make bench-summarize` or `.venv/bin/python bench/bench_summarize.py [--runs N] [--no-gate]`; exits 1
when a goal is not met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gate import Gate, start
from perth.config import load_settings
from perth.errors import UnavailableError
from perth.paths import resolve_paths
from perth.resilience.breaker import BreakerState
from perth.runtime import Runtime
from perth.summarize.context import collect_context
from perth.summarize.prompt import prepare
from perth.summarize.service import BREAKER_PREFIX, generate
from timing import wall_ms

FILES = 10_000
DIFF_BYTES = 5 * 1024 * 1024


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def build_repo(root: Path) -> Path:
    """10,000 committed files in nested folders, then ~5 MB of uncommitted changes."""
    repo = root / "big"
    for i in range(FILES):
        folder = repo / f"pkg{i % 20}" / f"mod{i % 7}" / f"sub{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{i}.py").write_text(f"VALUE_{i} = {i}\n")
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "initial")
    changed = 500
    line = "x" * 99 + "\n"
    per_file = DIFF_BYTES // changed // len(line)
    for i in range(changed):
        path = repo / f"pkg{i % 20}" / f"mod{i % 7}" / f"sub{i % 3}" / f"file{i}.py"
        path.write_text(line * per_file)
    for skipped in ("node_modules/lib", ".venv/lib"):
        folder = repo / skipped
        folder.mkdir(parents=True)
        for j in range(2000):
            (folder / f"f{j}.js").write_text("x")
    (repo / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    return repo


def runtime(home: Path, cwd: Path, extra: dict[str, str] | None = None) -> Runtime:
    env = {"PERTH_HOME": str(home), **(extra or {})}
    return Runtime(load_settings(resolve_paths(env), env), environ=env, cwd=str(cwd))


def bench_collection(gate: Gate, repo: Path, home: Path, runs: int) -> None:
    rt = runtime(home, repo)
    budget_ms = rt.settings.get_int("context.collector_timeout_ms")
    diff_limit = rt.settings.get_int("context.diff_bytes")
    section_limit = rt.settings.get_int("context.section_bytes")
    baseline, collected, sizes, statuses = [], [], [], set()
    for _ in range(runs):
        started = time.perf_counter()
        for args in (("status", "--porcelain"), ("diff", "--stat", "HEAD"), ("log", "-10", "--oneline")):
            git(repo, *args)
        baseline.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        context = collect_context(rt, None)
        collected.append((time.perf_counter() - started) * 1000)
        sizes.append(sum(len(s.text.encode()) for s in context.sections))
        statuses |= {f"{r.name}={r.status}" for r in context.reports}
    base, took = statistics.median(baseline), statistics.median(collected)
    limit = diff_limit + section_limit * 7
    rt.close()
    gate.check(f"context collection on a {FILES:,}-file repository with a {DIFF_BYTES // 1024 // 1024} MB diff stays"
               f" within its budget ({budget_ms} ms; at most {limit:,} bytes)",
               f"{took:.1f} ms ({took / budget_ms:.1%} of the budget); {max(sizes):,} bytes, the diff cut at"
               f" {diff_limit:,} of {DIFF_BYTES:,}",
               f"bare `git status` + `git diff --stat` + `git log`: {base:.1f} ms",
               f"{took / base:.2f}x", took <= budget_ms and max(sizes) <= limit)
    gate.note("collectors: " + ", ".join(sorted(statuses)))


def bench_fail_fast(gate: Gate, repo: Path, home: Path, runs: int) -> None:
    rt = runtime(home, repo, {"ANTHROPIC_API_KEY": "bench-key-not-used", "PERTH_LLM__ANTHROPIC_BASE_URL":
                              "http://127.0.0.1:9"})
    now = rt.clock()
    rt.store.breakers.put(BreakerState(name=BREAKER_PREFIX + "anthropic", state="open", failures=3, opened_at=now,
                                      last_error="bench: forced open", updated_at=now))
    prompt = prepare(rt, None, since_ms=None)
    local, fast = [], []
    for _ in range(runs):
        started = time.perf_counter()
        generate(rt, prompt, ["none"])
        local.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        try:
            generate(rt, prompt, ["anthropic"])
        except UnavailableError as exc:  # the open breaker: exit 4
            if "circuit breaker" not in exc.message:
                raise SystemExit(f"unexpected failure: {exc.message}") from exc
        else:
            raise SystemExit("the open breaker let a call through")
        fast.append((time.perf_counter() - started) * 1000)
    rt.close()
    env = {**os.environ, "PERTH_HOME": str(home), "ANTHROPIC_API_KEY": "bench-key-not-used"}
    python = statistics.median(wall_ms([sys.executable, "-c", "pass"], env) for _ in range(runs))
    process = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "perth", "summarize", "--provider", "anthropic"], env=env,
                              cwd=repo, capture_output=True, check=False)
        process.append((time.perf_counter() - started) * 1000)
        assert done.returncode == 4, done.stderr
    base, took, proc = statistics.median(local), statistics.median(fast), statistics.median(process)
    gate.check("a provider whose circuit breaker is open fails in <= 50 ms (`generate` on `[anthropic]`, in process)",
               f"{took:.2f} ms", f"the same call on the local `none` provider: {base:.2f} ms", f"{took / base:.2f}x",
               took <= 50)
    gate.note(f"the whole `perth summarize --provider anthropic` process with that breaker open (exit 4):"
              f" {proc:.1f} ms, {proc / python:.2f}x `python -c pass` ({python:.1f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args, gate = start("summarize", parser)
    with tempfile.TemporaryDirectory(prefix="perth-bench-summarize-") as tmp:
        root = Path(tmp)
        print("building the repository...", file=sys.stderr)
        repo = build_repo(root)
        home = root / "home"
        bench_collection(gate, repo, home, args.runs)
        bench_fail_fast(gate, repo, home, args.runs)
    return gate.finish(args)


if __name__ == "__main__":
    raise SystemExit(main())
