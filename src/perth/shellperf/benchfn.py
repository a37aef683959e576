"""``perth shellperf bench-fn``: per-call microseconds of shell functions, median of batches.

The shell starts without start-up files, sources the given rc file (with ``PERTH_SEGMENT_LOG``
unset), then for each function runs ``batches`` batches of ``calls`` calls (output discarded),
timing each batch with the shell's own ``EPOCHREALTIME``.  An empty function is measured the
same way as a reference for the loop's own cost.  A function that does not exist is reported
missing, not timed.
"""

from __future__ import annotations

import os
import re

from perth.errors import InvalidInputError, NotFoundError
from perth.record import Record
from perth.shellperf.stats import Stats, describe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

REFERENCE = "_perth_bench_empty"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_:.-]{0,127}")
_SCRIPTS = {
    "zsh": r"""
zmodload zsh/datetime
_perth_bench_empty() { : }
source "$1" || exit 3
local calls=$2 batches=$3 f b
shift 3
for f in _perth_bench_empty "$@"; do
  if ! whence -w -- "$f" >/dev/null; then print -r -- "MISSING $f"; continue; fi
  for (( b = 0; b < batches; b++ )); do
    local -F t0=$EPOCHREALTIME
    { repeat $calls "$f" } >/dev/null 2>&1
    local -F t1=$EPOCHREALTIME
    print -r -- "BATCH $f $(( (t1 - t0) * 1e6 ))"
  done
done
""",
    "bash": r"""
_perth_bench_empty() { :; }
source "$1" || exit 3
calls=$2 batches=$3
shift 3
for f in _perth_bench_empty "$@"; do
  if ! type -t -- "$f" >/dev/null; then echo "MISSING $f"; continue; fi
  for (( b = 0; b < batches; b++ )); do
    t0=${EPOCHREALTIME//[!0-9]/}
    { for (( i = 0; i < calls; i++ )); do "$f"; done; } >/dev/null 2>&1
    t1=${EPOCHREALTIME//[!0-9]/}
    echo "BATCH $f $(( 10#$t1 - 10#$t0 ))"
  done
done
""",
}


class FunctionTiming(Record):
    """Per-call microseconds of one function over its batches (``missing`` says why there are none)."""

    name: str
    per_call_us: Stats
    missing: str = ""

    def to_json(self) -> dict[str, Any]:
        """One element of ``functions``."""
        return {"name": self.name, "per_call_us": self.per_call_us.to_json(), "missing": self.missing or None}


def _command(shell: str, shell_path: str, rc: str, functions: Sequence[str], *, calls: int, batches: int) -> list[str]:
    flags = ["-f"] if shell == "zsh" else ["--noprofile", "--norc"]
    return [shell_path, *flags, "-c", _SCRIPTS[shell], "perth-bench-fn", os.path.abspath(rc), str(calls),
            str(batches), *functions]


def _check(shell: str, rc: str, functions: Sequence[str], calls: int, batches: int) -> None:
    if shell not in _SCRIPTS:
        raise InvalidInputError(f"bench-fn supports zsh and bash, not {shell!r}", "use --shell zsh or --shell bash")
    if not os.path.isfile(rc):
        raise NotFoundError(f"no rc file {rc}", "give the file that defines the functions with --rc")
    bad = [f for f in functions if not _NAME.fullmatch(f)]
    if bad or not functions:
        raise InvalidInputError(f"invalid function name(s): {', '.join(bad) or '(none given)'}",
                                "name shell functions, e.g. perth shellperf bench-fn --rc ~/.zshrc my_prompt_info")
    if calls < 1 or batches < 1:
        raise InvalidInputError("--calls and --batches must be at least 1", "e.g. --calls 1000 --batches 7")


def parse_output(text: str, calls: int, names: Sequence[str]) -> list[FunctionTiming]:
    """``BATCH name total_us`` and ``MISSING name`` lines → timings in ``names`` order."""
    totals: dict[str, list[float | None]] = {name: [] for name in names}
    missing: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "BATCH" and parts[1] in totals:
            totals[parts[1]].append(float(parts[2].replace(",", ".")) / calls)
        elif len(parts) == 2 and parts[0] == "MISSING":
            missing[parts[1]] = "not a function or command after sourcing the rc file"
    timings = []
    for name in names:
        reason = missing.get(name, "" if totals[name] else "no batch finished")
        timings.append(FunctionTiming(name=name, per_call_us=describe(totals[name]), missing=reason))
    return timings


def bench_functions(shell: str, shell_path: str, rc: str, functions: Sequence[str], *, calls: int = 1000,
                    batches: int = 7, timeout_s: float = 120.0, environ: Mapping[str, str]) -> list[FunctionTiming]:
    """Time ``functions`` (plus the empty reference, first)."""
    import subprocess

    _check(shell, rc, functions, calls, batches)
    env = {k: v for k, v in environ.items() if k != "PERTH_SEGMENT_LOG"}
    names = [REFERENCE, *functions]
    command = _command(shell, shell_path, rc, functions, calls=calls, batches=batches)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=env, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return parse_output(partial, calls, names)  # the finished batches; the rest stay missing
    if done.returncode == 3:
        raise InvalidInputError(f"{rc} failed when sourced by {shell}", "run it by hand to see the error")
    return parse_output(done.stdout, calls, names)
