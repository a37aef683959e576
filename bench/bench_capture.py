"""Capture benchmarks (SPEC C2), each against a baseline measured in the same run.

Command texts and times come from `corpus.py` (a Zipf-like vocabulary with a long tail, varied
lengths, multi-line commands, a few secrets; imported history years old mixed with new lines).

1. Ingest rate of the `perth ingest` process (the installed script, as a user or the daemon runs
   it): 20 shells' spool lines (zsh, bash and fish; most in five repositories, in their
   subdirectories, on branches that change, some in tmux panes, some elsewhere) -> parsed,
   redacted, pane-linked and stored, into a store already holding as many commands
   (goal >= 20,000 commands/s); baseline: reading and parsing the same lines only. Warm and
   cold page cache (cold: the database, the spool files and Perth's own modules evicted with
   posix_fadvise before a fresh process starts; see ``evict``); the median of ``--repeat`` runs,
   each on a fresh copy of the same store and spool, is gated, their range printed beside it.
   Every run is checked: each line stored once, the secrets in the corpus redacted.  A third
   (warm) figure: the spool of a user who never writes a multi-line command.
2. `perth import-history` of a 100,000-line zsh extended history into a store holding recent
   captured commands, process wall time (goal <= 5 s), warm and cold, median of ``--repeat``
   runs; baseline: reading and parsing the file only, in-process.  Every run is checked: each
   line stored, the secrets redacted; and (warm) a history without multi-line commands.
3. `perth search` p95 over 1,000,000 stored commands, common and rare terms, with `perth daemon`
   running (goal <= 50 ms: its command server runs the search in a warm process), and without it
   (``PERTH_COMMAND_SERVER=0``: reported, no goal); baseline: `python -c pass`, interleaved.
4. Start-up cost of the documented install (goal <= 2 ms): first_prompt_ms, measured by
   `perth shellperf`'s pty harness, of the same rc file with the script of `perth init SHELL --install`
   sourced vs without Perth (zsh, bash), interleaved; the `eval "$(perth init SHELL)"` form for reference.
5. Added time per real command of the shell hook (goal <= 1 ms): 300 `true` commands typed into an
   interactive zsh, bash and fish in a pseudo-terminal, Enter -> next prompt, with vs without the hook.

Run: `make bench-capture` or `.venv/bin/python bench/bench_capture.py [--only SECTION ...] [--no-gate]`;
exits 1 when a goal is not met.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import HistoryCorpus
from gate import Gate, start
from perth.capture.spool_format import SpoolRecord, format_line, parse_line
from perth.ids import uuid7
from perth.store.sqlite import SQLiteStore
from timing import percentile, wall_ms


def evict(*paths: Path) -> None:
    """Drop the files' pages from the page cache (a cold start without root: posix_fadvise) — the
    store (with its -wal and -shm), the input files, and Perth's own modules (sources and bytecode).
    Python and the third-party libraries stay cached, as on a machine in use; ``drop_caches`` would
    need root and would empty the cache of everyone on the host."""
    import perth

    package = Path(perth.__file__).parent
    modules = [p for p in package.rglob("*") if p.suffix in (".py", ".pyc")]
    for path in [*paths, *modules]:
        for file in [path, *(path.parent / f"{path.name}{suffix}" for suffix in ("-wal", "-shm"))]:
            if file.is_file():
                fd = os.open(file, os.O_RDONLY)
                try:
                    os.fsync(fd) if os.access(file, os.W_OK) else None
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


REPOSITORIES = ("/home/dev/src/api", "/home/dev/src/web-app", "/home/dev/src/infra", "/home/dev/src/ml-pipeline",
                "/home/dev/src/dotfiles")
ELSEWHERE = ("/home/dev", "/home/dev/Downloads", "/home/dev/notes", "/etc/nginx", "/var/log")
SHELLS = ("zsh",) * 12 + ("bash",) * 6 + ("fish",) * 2
#: Secret-bearing text the corpus plants (``HistoryCorpus.secret``): none may be stored as is.
SECRET_MARKS = ("ghp_", "Bearer ", "AWS_SECRET_ACCESS_KEY=", "--password ", "postgres://app:")


def spool_lines(corpus: HistoryCorpus, count: int) -> list[tuple[str, str]]:
    """``count`` (spool file name, line) pairs of 20 shells in time order, as a day's work leaves them.

    Each shell works mostly in one of five repositories — at its root or in one of its
    subdirectories (Zipf-drawn) — on a branch that changes now and then, and sometimes elsewhere
    (home, /tmp, /etc); twelve of them run in tmux panes; some shells are far busier than others.
    Command texts, durations and exit statuses are realistic, with the corpus's secrets.
    """
    from corpus import Zipf

    rng = random.Random(1)
    subdirs = {repo: [repo] + [f"{repo}/{w.split('/')[-1].split('.')[0]}" for w in corpus.words[:400:25]]
               for repo in REPOSITORIES}
    features = [w for w in corpus.words if w.startswith("feature/")]
    branches = {repo: ["main", *features[i * 5:i * 5 + 5]] for i, repo in enumerate(REPOSITORIES)}
    where, branch_rank, busy = Zipf(16, 1.1, rng), Zipf(6, 1.3, rng), Zipf(20, 0.8, rng)
    current = [0] * len(SHELLS)
    lines = []
    for start_ms, command in zip(corpus.start_times_ms(count, old_share=0.0), corpus.commands(count), strict=True):
        shell = busy.draw()
        repo = REPOSITORIES[shell % len(REPOSITORIES)]
        if rng.random() < 0.01:
            current[shell] = branch_rank.draw()
        if rng.random() < 0.12:
            cwd, root, branch = rng.choice(ELSEWHERE), "", ""
        else:
            cwd, root, branch = subdirs[repo][where.draw()], repo, branches[repo][current[shell]]
        name = SHELLS[shell]
        session = f"{4100 + shell}-1733{shell:06d}"
        record = SpoolRecord(start_ms * 1000, rng.choice((800, 2_000, 40_000, 1_500_000, 95_000_000)),
                             rng.choice((0,) * 12 + (1, 2, 127, 130)), name, session, "",
                             f"%{shell}" if shell < 12 else "", "", cwd, root, branch, "laptop", "dev", command)
        lines.append((f"{name}-{session}.spool", format_line(record) + "\n"))
    return lines


def write_spools(spool: Path, lines: list[tuple[str, str]]) -> None:
    """Append the lines to their shells' spool files, in order."""
    files: dict[str, list[str]] = {}
    for name, line in lines:
        files.setdefault(name, []).append(line)
    for name, texts in files.items():
        with (spool / name).open("a", encoding="utf-8") as handle:
            handle.write("".join(texts))


def perth_command() -> list[str]:
    """The installed ``perth`` script beside this Python (what a user runs), else ``python -m perth``."""
    script = Path(sys.executable).with_name("perth")
    return [str(script)] if script.exists() else [sys.executable, "-m", "perth"]


def fresh_copy(pristine: Path, run: Path) -> Path:
    """A copy of a prepared home for one run (each run starts from the same store and files),
    written to disk before the run starts: otherwise the run's first fsync (SQLite's checkpoint)
    would wait for the kernel to write the copy out, a cost of the benchmark, not of Perth."""
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(pristine, run)
    for path in [run, *run.rglob("*")]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return run


def check_stored(home: Path, expected: int) -> None:
    """Every line was stored once, and none of the corpus's secrets as written."""
    db = sqlite3.connect(home / "perth.db")
    try:
        stored = db.execute("SELECT COUNT(*) FROM commands").fetchone()[0]
        leaked = [mark for mark in SECRET_MARKS
                  if db.execute("SELECT COUNT(*) FROM commands WHERE instr(command, ?) > 0 AND command NOT LIKE"
                                " '%[REDACTED:%'", (mark,)).fetchone()[0]]
        redacted = db.execute("SELECT COUNT(*) FROM commands WHERE command LIKE '%[REDACTED:%'").fetchone()[0]
    finally:
        db.close()
    if stored != expected or leaked or not redacted:
        raise SystemExit(f"{home}: {stored} commands stored of {expected}, {redacted} redacted,"
                         f" secrets left as written: {leaked}")


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    """``median unit (min-max of n runs)``."""
    if len(values) == 1:
        return f"{values[0]:,.{digits}f} {unit}"
    return (f"{statistics.median(values):,.{digits}f} {unit} ({min(values):,.{digits}f}-{max(values):,.{digits}f}"
            f" over {len(values)} runs)")


def bench_ingest(workdir: Path, count: int, *, cold: bool, repeat: int, multiline: float = 0.02,
                 ) -> dict[str, list[float] | float]:
    """``perth ingest`` of 20 shells' spool files into a store already holding as many commands
    (``multiline``: the share of commands written on several lines)."""
    corpus = HistoryCorpus(seed=1, multiline=multiline)
    pristine = workdir / f"ingest-{'cold' if cold else 'warm'}-{multiline}"
    spool = pristine / "state" / "spool"
    spool.mkdir(parents=True)
    lines = spool_lines(corpus, 2 * count)
    env = {**os.environ, "PERTH_HOME": str(pristine)}
    write_spools(spool, lines[:count])  # a first half already ingested: the indexes are not empty
    subprocess.run([*perth_command(), "ingest"], env=env, check=True, stdout=subprocess.DEVNULL)
    write_spools(spool, lines[count:])
    data = "".join(line for _, line in lines[count:]).encode()
    started = time.perf_counter()
    for raw in data.split(b"\n")[:-1]:
        parse_line(raw.decode("utf-8", "replace"))
    parse_s = time.perf_counter() - started
    rates, cpu = [], []
    for run in range(repeat):
        home = fresh_copy(pristine, workdir / f"ingest-run{run}")
        if cold:
            evict(home / "perth.db", *(home / "state" / "spool").iterdir())
        before = _children_cpu_s()
        started = time.perf_counter()
        subprocess.run([*perth_command(), "ingest"], env={**env, "PERTH_HOME": str(home)}, check=True,
                       stdout=subprocess.DEVNULL)
        ingest_s = time.perf_counter() - started
        cpu.append(_children_cpu_s() - before)
        rates.append(count / ingest_s)
        check_stored(home, 2 * count)
        shutil.rmtree(home)
    rate = statistics.median(rates)
    return {"ingest_per_s": rates, "parse_only_per_s": count / parse_s, "ingest_ratio_parse": (count / rate) / parse_s,
            "ingest_cpu_s": cpu}


def _children_cpu_s() -> float:
    """CPU seconds (user + system) of the finished child processes: beside wall time, a figure that
    other work on a shared host inflates less."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_import(workdir: Path, lines: int, *, cold: bool, repeat: int, multiline: float = 0.02,
                 ) -> dict[str, list[float] | float]:
    """``perth import-history`` of a zsh extended history into a store holding new captured commands."""
    history = workdir / f"zsh_history-{'cold' if cold else 'warm'}-{multiline}"
    history.write_bytes(HistoryCorpus(seed=2, multiline=multiline).zsh_extended_history(lines))
    from perth.capture.history_import import parse_history

    started = time.perf_counter()
    parsed = sum(1 for _ in parse_history(history.read_bytes(), "zsh"))
    parse_s = time.perf_counter() - started
    assert parsed == lines, parsed
    pristine = workdir / f"import-home-{'cold' if cold else 'warm'}-{multiline}"
    env = {**os.environ, "PERTH_HOME": str(pristine)}
    spool = pristine / "state" / "spool"
    spool.mkdir(parents=True)
    write_spools(spool, spool_lines(HistoryCorpus(seed=3), 10_000))
    subprocess.run([*perth_command(), "ingest"], env=env, check=True, stdout=subprocess.DEVNULL)
    walls = []
    for run in range(repeat):
        home = fresh_copy(pristine, workdir / f"import-run{run}")
        if cold:
            evict(home / "perth.db", history)
        started = time.perf_counter()
        subprocess.run([*perth_command(), "import-history", "--shell", "zsh", "--file", str(history)],
                       env={**env, "PERTH_HOME": str(home)}, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        check_stored(home, lines + 10_000)
        shutil.rmtree(home)
    return {"import_s": walls, "import_parse_only_s": parse_s,
            "import_ratio_parse": statistics.median(walls) / parse_s}


def populate_commands(path: Path, count: int) -> None:
    SQLiteStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    corpus = HistoryCorpus(seed=3)
    db.execute("BEGIN")
    batch = []
    for i, at in enumerate(corpus.start_times_ms(count)):
        batch.append((uuid7(at), at, 5, 0, corpus.command(), "/home/dev/src/app", "zsh", f"b{i}"))
        if len(batch) == 50_000:
            _insert(db, batch)
            batch = []
    _insert(db, batch)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _insert(db: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    db.executemany("INSERT INTO commands(id, start_ms, duration_ms, exit, command, cwd, shell, dedup_key)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)


def bench_search(workdir: Path, count: int, runs: int) -> dict[str, float]:
    """`perth search` as a user runs it, with `perth daemon` running (the command served by its warm
    process) and without it, interleaved with `python -c pass`."""
    home = workdir / "search-home"
    started = time.perf_counter()
    populate_commands(home / "perth.db", count)
    print(f"  populated {count:,} commands in {time.perf_counter() - started:.1f} s", flush=True)
    env = {**os.environ, "PERTH_HOME": str(home)}
    started = time.perf_counter()
    wall_ms([sys.executable, "-m", "perth", "search", "reindex"], env)  # the first search builds the index
    print(f"  built the search index in {time.perf_counter() - started:.1f} s", flush=True)
    corpus = HistoryCorpus(seed=3)
    rare = [w for w in corpus.words[-2000:] if w.isalpha()][:3]
    queries = ["git status", "docker compose", "kubectl get pods", "make test", corpus.words[0], *rare]
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        socket = home / "state" / "command.sock"
        deadline = time.monotonic() + 60
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not socket.exists():
            raise SystemExit("perth daemon did not start its command server within 60 s")
        time.sleep(1.0)  # the daemon's first round of tasks
        cold_env = {**env, "PERTH_COMMAND_SERVER": "0"}
        base, served, cold = [], [], []
        for i in range(runs):
            query = ["-m", "perth", "search", queries[i % len(queries)], "--kind", "command"]
            base.append(wall_ms([sys.executable, "-c", "pass"], env))
            served.append(wall_ms([sys.executable, *query], env))
            cold.append(wall_ms([sys.executable, *query], cold_env))
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
    python = statistics.median(base)
    return {"search_commands": count, "search_p50_ms": statistics.median(served),
            "search_p95_ms": percentile(served, 95), "search_cold_p50_ms": statistics.median(cold),
            "search_cold_p95_ms": percentile(cold, 95), "search_python_pass_ms": python,
            "search_ratio_python": percentile(served, 95) / python,
            "search_cold_ratio_python": percentile(cold, 95) / python}


def _write_rcs(workdir: Path, shell: str, home: Path) -> dict[str, Path]:
    """The same rc file without Perth, with the installed script sourced, and with the eval form."""
    env = {**os.environ, "PERTH_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "perth", "init", shell, "--install"], env=env, capture_output=True,
                          text=True, check=True)
    source = done.stdout.strip()
    prompt = {"zsh": "PS1='%1~%# '", "bash": "PS1='\\W\\$ '", "fish": ""}[shell]
    evaluated = {"zsh": f'eval "$({sys.executable} -m perth init zsh)"',
                 "bash": f'eval "$({sys.executable} -m perth init bash)"',
                 "fish": f"{sys.executable} -m perth init fish | source"}[shell]
    rcs = {"without": prompt, "installed": f"{prompt}\n{source}", "eval": f"{prompt}\n{evaluated}"}
    paths = {}
    for name, text in rcs.items():
        paths[name] = workdir / f"rc-{name}.{shell}"
        paths[name].write_text(text + "\n")
    return paths


def bench_install(workdir: Path, shell: str, samples: int) -> dict[str, float]:
    """first_prompt_ms of the same rc without Perth, with the installed script, with the eval form (interleaved)."""
    from perth.shellperf.analysis import metric_stats
    from perth.shellperf.records import RunSpec
    from perth.shellperf.runner import measure_interleaved
    from perth.shellperf.terminal import PtyLauncher

    home = workdir / f"install-{shell}"
    rcs = _write_rcs(workdir, shell, home)
    specs = [RunSpec(shell=shell, rc=str(rcs[name]), samples=samples, warmup=2, presses=1, keys=1,
                     measure_exit=False, env=(f"PERTH_HOME={home}",)) for name in ("without", "installed", "eval")]
    runs = measure_interleaved(specs, {**os.environ, "PERTH_HOME": str(home)}, PtyLauncher(), created_at=0)
    values = [[s.metrics["first_prompt_ms"].value for s in run.measured] for run in runs]
    if any(v is None for vs in values for v in vs):
        raise SystemExit(f"{shell}: first_prompt_ms missing: {[run.samples[-1].metrics for run in runs]}")
    without, installed, evaluated = (metric_stats(run)["first_prompt_ms"].median or 0.0 for run in runs)

    def paired(other: list[float | None]) -> float:
        """Median of the per-round differences: drift between rounds cancels out."""
        return statistics.median(float(b or 0) - float(a or 0) for a, b in zip(values[0], other, strict=True))

    return {"without_ms": without, "installed_ms": installed, "eval_ms": evaluated,
            "installed_added_ms": paired(values[1]), "eval_added_ms": paired(values[2])}


def bench_hook_latency(workdir: Path, shell: str, commands: int, rounds: int) -> dict[str, float]:
    """Per real command (`true`): the time from Enter to the next prompt, with and without the hook, interleaved."""
    from perth.shellperf.command_cost import per_command_ms

    home = workdir / f"hook-{shell}"
    rcs = _write_rcs(workdir, shell, home)
    environ = {**os.environ, "PERTH_HOME": str(home)}
    figures: dict[str, list[float]] = {"without": [], "installed": []}
    for index in range(rounds):
        order = ("without", "installed") if index % 2 == 0 else ("installed", "without")
        for name in order:
            figures[name].append(per_command_ms(shell, str(rcs[name]), environ, commands=commands))
    without, with_hook = statistics.median(figures["without"]), statistics.median(figures["installed"])
    spool = list((home / "state" / "spool").glob(f"{shell}-*.spool"))
    recorded = sum(len(p.read_text().splitlines()) for p in spool)
    if recorded < commands * rounds:
        raise SystemExit(f"{shell}: the hook recorded {recorded} commands of {commands * rounds}")
    return {"without_ms": without, "with_ms": with_hook, "added_ms": with_hook - without, "recorded": recorded}


SECTIONS = ("ingest", "import", "search", "install", "hook")


#: (cold cache, share of multi-line commands): the corpus as drawn, warm and cold, and — warm — the
#: history of a user who never writes a multi-line command (the secret filter scans such batches
#: another way).
RUNS = ((False, 0.02), (True, 0.02), (False, 0.0))


def _conditions(cold: bool, multiline: float) -> str:
    cache = "cold cache" if cold else "warm cache"
    return cache if multiline else f"{cache}, no multi-line command"


def run_ingest(gate: Gate, workdir: Path, args: argparse.Namespace) -> None:
    for cold, multiline in RUNS:
        conditions = _conditions(cold, multiline)
        ingest = bench_ingest(workdir, args.ingest, cold=cold, repeat=args.repeat, multiline=multiline)
        rates, cpu = ingest["ingest_per_s"], ingest["ingest_cpu_s"]
        assert isinstance(rates, list)
        assert isinstance(cpu, list)
        gate.check(f"`perth ingest` >= 20,000 commands/s ({args.ingest:,} realistic spool lines of 20 shells,"
                   f" {conditions}, into a store holding as many; median of {len(rates)} runs)",
                   spread(rates, "commands/s", 0), f"parsing the same lines only: {ingest['parse_only_per_s']:,.0f}"
                   " lines/s", f"{ingest['ingest_ratio_parse']:.1f}x the parse-only time",
                   statistics.median(rates) >= 20_000)
        gate.note(f"`perth ingest` ({conditions}): {args.ingest / statistics.median(rates):.2f} s wall,"
                  f" {statistics.median(cpu):.2f} s CPU (user + system):"
                  f" {args.ingest / statistics.median(cpu):,.0f} commands per CPU second")


def run_import(gate: Gate, workdir: Path, args: argparse.Namespace) -> None:
    for cold, multiline in RUNS:
        conditions = _conditions(cold, multiline)
        imported = bench_import(workdir, args.import_lines, cold=cold, repeat=args.repeat, multiline=multiline)
        walls = imported["import_s"]
        assert isinstance(walls, list)
        gate.check(f"`perth import-history` of a {args.import_lines:,}-line zsh extended history <= 5 s"
                   f" (redacted and stored, {conditions}; median of {len(walls)} runs)", spread(walls, "s"),
                   f"reading and parsing the file only: {imported['import_parse_only_s']:.2f} s",
                   f"{imported['import_ratio_parse']:.1f}x", statistics.median(walls) <= 5)


def run_search(gate: Gate, workdir: Path, args: argparse.Namespace) -> None:
    search = bench_search(workdir, args.commands, args.runs)
    gate.check(f"`perth search` p95 <= 50 ms over {args.commands:,} commands ({args.runs} runs, common and rare"
               " terms; `perth daemon` running: its command server runs the search)",
               f"p95 {search['search_p95_ms']:.1f} ms (p50 {search['search_p50_ms']:.1f} ms)",
               f"`python -c pass` {search['search_python_pass_ms']:.1f} ms",
               f"{search['search_ratio_python']:.2f}x", search["search_p95_ms"] <= 50)
    gate.note(f"`perth search` without the daemon (PERTH_COMMAND_SERVER=0; no goal): p95"
              f" {search['search_cold_p95_ms']:.1f} ms (p50 {search['search_cold_p50_ms']:.1f} ms),"
              f" {search['search_cold_ratio_python']:.2f}x `python -c pass`")


def run_install(gate: Gate, workdir: Path, args: argparse.Namespace) -> None:
    for shell in ("zsh", "bash"):
        f = bench_install(workdir, shell, args.install_samples)
        gate.check(f"{shell}: the installed hook (`perth init {shell} --install`, sourced) adds <= 2 ms to"
                   f" first_prompt_ms ({args.install_samples} interleaved rounds; median of per-round differences)",
                   f"{f['installed_added_ms']:+.2f} ms ({f['installed_ms']:.2f} ms)",
                   f"the same rc without Perth: {f['without_ms']:.2f} ms",
                   f"{f['installed_ms'] / f['without_ms']:.2f}x", f["installed_added_ms"] <= 2.0)
        gate.note(f"{shell}: `eval \"$(perth init {shell})\"` for reference: {f['eval_ms']:.2f} ms"
                  f" ({f['eval_added_ms']:+.2f} ms, {f['eval_ms'] / f['without_ms']:.2f}x)")


def run_hook(gate: Gate, workdir: Path, args: argparse.Namespace) -> None:
    for shell in ("zsh", "bash", "fish"):
        f = bench_hook_latency(workdir, shell, args.hook_commands, args.hook_rounds)
        gate.check(f"{shell}: the hook adds <= 1 ms per real command ({args.hook_commands} `true` commands per"
                   f" start, {args.hook_rounds} interleaved rounds; Enter -> next prompt)",
                   f"{f['added_ms']:+.3f} ms ({f['with_ms']:.3f} ms per command)",
                   f"without the hook: {f['without_ms']:.3f} ms", f"{f['with_ms'] / f['without_ms']:.2f}x",
                   f["added_ms"] <= 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=1_000_000, help="Stored commands for the search benchmark.")
    parser.add_argument("--ingest", type=int, default=100_000, help="Spool lines for the ingest benchmark.")
    parser.add_argument("--import-lines", type=int, default=100_000, help="Lines of the imported zsh history.")
    parser.add_argument("--repeat", type=int, default=3,
                        help="Runs of each ingest and import figure (warm and cold; the median is gated).")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--install-samples", type=int, default=40, help="Samples per config for the install cost.")
    parser.add_argument("--hook-commands", type=int, default=300, help="`true` commands per shell start.")
    parser.add_argument("--hook-rounds", type=int, default=6, help="Interleaved rounds for the per-command cost.")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="Run only this part (repeatable).")
    args, gate = start("capture", parser)
    runners = {"ingest": run_ingest, "import": run_import, "search": run_search, "install": run_install,
               "hook": run_hook}
    workdir = Path(tempfile.mkdtemp(prefix="perth-bench-capture-"))
    try:
        for name in args.only or SECTIONS:
            runners[name](gate, workdir, args)
        return gate.finish(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
