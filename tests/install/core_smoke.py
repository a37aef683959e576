"""Install the core alone (no extra) into a fresh virtual environment and tour it.

Run by ``make smoke-core`` (part of ``make test``): every optional dependency is absent there,
so any command that imports one unguarded ends in a traceback, which this script reports as a
failure.  Each step must exit with one of its expected codes, print no traceback, and — when it
fails on purpose — say so in one ``perth: error:`` line.

    python tests/install/core_smoke.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: (arguments, extra environment, standard input, accepted exit codes)
TOUR: tuple[tuple[tuple[str, ...], dict[str, str], str | None, tuple[int, ...]], ...] = (
    (("doctor",), {}, None, (0,)),
    (("doctor", "--format", "json"), {}, None, (0,)),
    (("log", "first step of the tour", "--type", "milestone"), {}, None, (0,)),
    (("log", "-"), {}, "from standard input\n", (0,)),
    (("status",), {}, None, (0,)),
    (("history",), {}, None, (0,)),
    (("history", "--commands"), {}, None, (0,)),
    (("search", "tour"), {}, None, (0,)),
    (("export",), {}, None, (0,)),
    (("redact",), {}, "export GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n", (0,)),
    (("init", "bash"), {}, None, (0,)),
    (("init", "zsh"), {}, None, (0,)),
    (("init", "fish"), {}, None, (0,)),
    (("summarize", "--dry-run"), {}, None, (0,)),
    (("journal",), {}, None, (0,)),
    (("handoff",), {}, None, (0,)),
    (("snapshot", "list"), {}, None, (0,)),
    (("shellperf", "ledger"), {}, None, (0,)),
    # Features whose extra is absent: a clean one-line error (exit 4), never a traceback.
    (("summarize",), {"PERTH_TRACE__EXPORTER": "console"}, None, (4,)),
    (("doctor",), {"PERTH_TRACE__EXPORTER": "otlp"}, None, (1,)),
    (("shellperf", "report", "--chart", "trend.svg"), {}, None, (0, 3, 4)),
)


def make_venv(where: Path) -> Path:
    """A fresh virtual environment with Perth's core installed (a normal, non-editable install)."""
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    python = where / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
    return where / "bin" / "perth"


def run_step(perth: Path, env: dict[str, str], step: tuple[tuple[str, ...], dict[str, str], str | None,
                                                            tuple[int, ...]], cwd: Path) -> str | None:
    """Run one step; the reason it failed, or ``None``."""
    args, extra, stdin, accepted = step
    done = subprocess.run([str(perth), *args], env={**env, **extra}, input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120, check=False)
    shown = f"perth {' '.join(args)}" + (f" ({extra})" if extra else "")
    if "Traceback" in done.stderr or "Traceback" in done.stdout:
        return f"{shown}: traceback\n{done.stderr[-2000:]}"
    if done.returncode not in accepted:
        return f"{shown}: exit {done.returncode}, expected {accepted}\n{done.stderr[-1000:]}"
    if done.returncode and args[0] != "doctor":  # doctor's exit 1 is its report of a failed check
        lines = done.stderr.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("perth: error: "):
            return f"{shown}: exit {done.returncode} without a one-line error:\n{done.stderr[-1000:]}"
    return None


def tour(perth: Path, base: Path) -> list[str]:
    """Every step of the tour; the failures."""
    home, work = base / "perth-home", base / "work"
    work.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ", "VIRTUAL_ENV"))}
    env.update(PERTH_HOME=str(home), HOME=str(base), PATH=f"{perth.parent}:{env.get('PATH', '')}")
    failures = []
    for step in TOUR:
        problem = run_step(perth, env, step, work)
        print(f"{'FAIL' if problem else 'ok  '} perth {' '.join(step[0])}")
        if problem:
            failures.append(problem)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="perth-core-smoke-"))
    try:
        perth = make_venv(base / "venv")
        missing = subprocess.run([str(perth.parent / "python"), "-c", "import opentelemetry"],
                                 capture_output=True, check=False).returncode
        if missing == 0:
            print("the core install pulled an optional dependency (opentelemetry)", file=sys.stderr)
            return 1
        failures = tour(perth, base)
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(base)], check=False)
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"core-only smoke tour: {len(TOUR) - len(failures)} of {len(TOUR)} steps clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
