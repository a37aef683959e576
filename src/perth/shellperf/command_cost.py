"""The time an interactive shell takes per real command: Enter on a typed command -> the next prompt.

``command_lag_ms`` presses Enter on an empty line, which zsh's ``preexec`` never sees (no command
runs) — so a hook's per-command work is not in it.  :func:`per_command_ms` types a real command
(``true`` by default) ``commands`` times into one shell started on a pseudo-terminal, each time
waiting for the next prompt's token, and returns the mean.  Comparing it for two rc files (with
and without a hook) gives what the hook adds to every command.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from perth.errors import UnavailableError
from perth.shellperf.launch import plan_launch, resolve_shell
from perth.shellperf.probe import MS, Probe
from perth.shellperf.records import RunSpec
from perth.shellperf.terminal import PtyLauncher, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.shellperf.terminal import TerminalLauncher


def per_command_ms(shell: str, rc: str, environ: Mapping[str, str], *, commands: int = 300, line: bytes = b"true",
                   timeout_ms: int = 120_000, launcher: TerminalLauncher | None = None) -> float:
    """Mean milliseconds from Enter on ``line`` to the next prompt, over ``commands`` commands in one shell."""
    spec = RunSpec(shell=shell, rc=rc, samples=1, warmup=0, timeout_ms=timeout_ms, measure_exit=False)
    workdir = tempfile.mkdtemp(prefix="perth-command-cost-")
    try:
        plan = plan_launch(spec, resolve_shell(spec, environ), environ, os.path.join(workdir, "run"))
        session = (launcher or PtyLauncher()).spawn(SpawnRequest(argv=plan.argv, env=plan.sample_env(0),
                                                                 cwd=plan.cwd, rows=spec.rows, cols=spec.cols))
        probe = Probe(session, session.started_ns + timeout_ms * MS, keep_replay=False)
        try:
            if probe.wait_for(plan.prompt_tokens, 0) is None:
                raise UnavailableError(f"{shell} showed no prompt: " + probe.why_not("the first prompt"),
                                       "check the rc file: its prompt must show the current directory")
            return _mean_lag(probe, plan.prompt_tokens, line + b"\r", commands)
        finally:
            session.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _mean_lag(probe: Probe, tokens: tuple[str, ...], keys: bytes, commands: int) -> float:
    total = 0
    for done in range(commands):
        probe.settle(quiet_ms=5, max_ms=200)
        start = len(probe.screen)
        typed_at = probe.type(keys)
        end = probe.wait_for(tokens, start)
        if end is None:
            raise UnavailableError(probe.why_not(f"the prompt after command {done + 1} of {commands}"),
                                   "raise the timeout or check the rc file")
        total += probe.screen.time_at(end) - typed_at
    return total / commands / MS
