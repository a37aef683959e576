"""Measuring one start of a shell on a terminal, the way zsh-bench defines its latencies.

Per sample (one shell process; ``t0`` is the child's clock reading just before ``execve``, see
:mod:`perth.shellperf.terminal` — zsh-bench starts its clock at a marker printed just before the
shell's ``exec`` too):

- the harness types `` echo "<token>""fc"`` (20 characters, as zsh-bench's first command) right
  after ``t0``, before any prompt: the terminal echo shows the quotes, so only the command's
  *output* ``<token>fc`` can match;
- ``first_prompt_ms``: ``t0`` → the prompt's token (the run's directory or host name) first on screen;
- ``first_command_ms``: ``t0`` → the typed-ahead command's output on screen;
- ``command_lag_ms``: Enter on an empty line → the next prompt's token, the mean over a burst of
  ``presses`` Enters, one at a time;
- ``input_lag_ms``: with a fairly long command line already typed, one keystroke → that character
  redrawn on screen by the line editor (ZLE or readline: both switch the terminal's own echo off
  and draw the line themselves), the mean over ``keys`` keystrokes;
- ``deferred_ready_ms``: ``t0`` → deferred loading finished (:mod:`perth.shellperf.readiness`);
  command and input lag are measured after it;
- capability flags (:mod:`perth.shellperf.capabilities`), read by a probe command at the end;
- ``exit_ms``: ``t0`` of a separate ``shell -l -i -c exit`` → its exit (zsh-bench's exit time: a proxy).

With ``--spawns K`` a sample is K starts back to back, and each of its metrics and segments is the
median of the K values (:func:`median_of_starts`): one start slowed by something else on the machine
(a burst of load, a page-cache miss) does not make the sample, so the spread between samples is the
configuration's and much less the machine's. The median taken is the lower middle value, one a
start observed: its provenance stays; a value missing in any start is missing.

Whatever is not seen before the per-sample timeout is recorded as missing with the reason; the
process group is killed.  Screen text is matched after escape sequences are stripped.
"""

from __future__ import annotations

import gc
import os

from perth.shellperf.probe import MS, Probe, ReplayEvent
from perth.shellperf.readiness import deferred_ready, git_prompt, probe_capabilities
from perth.shellperf.records import Measurement, RunSpec, Sample
from perth.shellperf.segments import monotonic, read_segment_log, segment_measurements
from perth.shellperf.terminal import SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.shellperf.launch import LaunchPlan
    from perth.shellperf.terminal import TerminalLauncher

INPUT_PREFIX = b": perth" + b" abc \\def" * 8
KEY = b"x"


def _first_prompt(probe: Probe, plan: LaunchPlan, prompt_end: int | None, command_end: int | None) -> Measurement:
    if prompt_end is not None:
        return Measurement.native(probe.elapsed_ms(prompt_end))
    if command_end is not None:
        return Measurement.missing(
            f"the prompt never showed the run's token (host {plan.prompt_tokens[1]} or directory"
            f" {plan.prompt_tokens[0]}): make the prompt show the host name or the current directory")
    return Measurement.missing(probe.why_not("the prompt's token appeared"))


def _command_lag(probe: Probe, plan: LaunchPlan, presses: int) -> Measurement:
    lags: list[float] = []
    for _ in range(presses):
        probe.settle(quiet_ms=10, max_ms=200)
        start = len(probe.screen)
        typed_at = probe.type(b"\r")
        end = probe.wait_for(plan.prompt_tokens, start)
        if end is None:
            return Measurement.missing(probe.why_not(f"the prompt after Enter {len(lags) + 1} of {presses}"))
        lags.append((probe.screen.time_at(end) - typed_at) / MS)
    return Measurement.native(sum(lags) / len(lags))


def _input_lag(probe: Probe, keys: int) -> Measurement:
    probe.type(INPUT_PREFIX)
    probe.settle(quiet_ms=30, max_ms=1000)
    lags: list[float] = []
    for _ in range(keys):
        start = len(probe.screen)
        typed_at = probe.type(KEY)
        end = probe.wait_for((KEY.decode(),), start)
        if end is None:
            return Measurement.missing(probe.why_not(f"keystroke {len(lags) + 1} of {keys} was redrawn"))
        lags.append((probe.screen.time_at(end) - typed_at) / MS)
        probe.settle(quiet_ms=5, max_ms=100)
    probe.type(b"\x15")  # kill the line
    return Measurement.native(sum(lags) / len(lags))


def _interact(probe: Probe, plan: LaunchPlan, spec: RunSpec,
              log: str) -> tuple[dict[str, Measurement], dict[str, bool | None]]:
    probe.type(plan.typed_command)
    probe.wait_for((*plan.prompt_tokens, plan.command_token), 0)
    prompt_end = probe.find_any(plan.prompt_tokens, 0)
    command_end = probe.find_any((plan.command_token,), 0)
    if prompt_end is not None and command_end is None:
        command_end = probe.wait_for((plan.command_token,), prompt_end)
    metrics = {"first_prompt_ms": _first_prompt(probe, plan, prompt_end, command_end)}
    metrics["first_command_ms"] = (Measurement.native(probe.elapsed_ms(command_end)) if command_end is not None
                                   else Measurement.missing(probe.why_not("the typed-ahead command's output appeared")))
    capabilities = git_prompt(probe, plan, command_end)
    ready = probe.wait_for(plan.prompt_tokens, command_end) if command_end is not None else None
    if ready is None:
        reason = "no prompt after the first command: " + probe.why_not("it appeared")
        for name in ("deferred_ready_ms", "command_lag_ms", "input_lag_ms"):
            metrics[name] = Measurement.missing(reason)
        return metrics, capabilities
    metrics["deferred_ready_ms"] = deferred_ready(probe, log)
    metrics["command_lag_ms"] = _command_lag(probe, plan, spec.presses)
    metrics["input_lag_ms"] = _input_lag(probe, spec.keys)
    capabilities.update(probe_capabilities(probe, plan))
    return metrics, capabilities


def measure_exit(launcher: TerminalLauncher, plan: LaunchPlan, spec: RunSpec) -> Measurement:
    """Wall time of ``shell -l -i -c exit`` on a terminal (a proxy, as in zsh-bench)."""
    session = launcher.spawn(SpawnRequest(argv=plan.exit_argv, env=plan.env, cwd=plan.cwd,
                                          rows=spec.rows, cols=spec.cols))
    try:
        ended = session.wait_exit(session.started_ns + spec.timeout_ms * MS)
    finally:
        session.close()
    if ended is None:
        return Measurement.missing(f"`-c exit` did not finish within {spec.timeout_ms} ms")
    return Measurement.native((ended - session.exec_ns) / MS)


def measure_sample(launcher: TerminalLauncher, plan: LaunchPlan, spec: RunSpec, index: int, *,
                   warmup: bool = False, replay: Callable[[int, list[ReplayEvent]], None] | None = None) -> Sample:
    """Start the shell once and measure everything; the process group is killed at the end."""
    log = plan.segment_log(index)
    if os.path.exists(log):
        os.remove(log)
    collecting = gc.isenabled()
    gc.disable()  # a collection in the harness would delay reading the very chunk being timed
    try:
        session = launcher.spawn(SpawnRequest(argv=plan.argv, env=plan.sample_env(index), cwd=plan.cwd,
                                              rows=spec.rows, cols=spec.cols))
        probe = Probe(session, session.started_ns + spec.timeout_ms * MS, keep_replay=replay is not None)
        try:
            metrics, capabilities = _interact(probe, plan, spec, log)
            probe.settle(quiet_ms=20, max_ms=200)  # let deferred work write its markers
        finally:
            session.close()
    finally:
        if collecting:
            gc.enable()
    if spec.measure_exit:
        metrics["exit_ms"] = measure_exit(launcher, plan, spec)
    if replay is not None and probe.replay is not None:
        replay(index, probe.replay)
    segment_log = read_segment_log(log)
    segments = segment_measurements(segment_log)
    notes = (f"{segment_log.malformed} malformed SEGMENT line(s) ignored",) if segment_log.malformed else ()
    return Sample(index=index, metrics=metrics, segments=segments, phases=segment_log.phases, warmup=warmup,
                  monotonic=monotonic(segments), notes=notes, capabilities=capabilities)


def _median_of(values: list[Measurement | None], starts: int) -> Measurement:
    """The lower median of one value over ``starts`` starts (an observed value), or missing with the first reason."""
    for position, value in enumerate(values, start=1):
        if value is None:
            return Measurement.missing(f"not reported by start {position} of {starts}")
        if value.value is None:
            return Measurement.missing(f"start {position} of {starts}: {value.reason}")
    ordered = sorted((v for v in values if v is not None), key=lambda m: m.value or 0.0)
    return ordered[(len(ordered) - 1) // 2]


def median_of_starts(starts: list[Sample]) -> Sample:
    """One sample from several starts of the same configuration: per metric and per segment the lower median
    (a value one start observed, with its provenance); missing when any start misses it. The lifecycle check
    holds when it held in every start; capabilities are the first start's."""
    first = starts[0]
    if len(starts) == 1:
        return first
    metric_names = list(dict.fromkeys(name for s in starts for name in s.metrics))
    segment_names = list(dict.fromkeys(name for s in starts for name in s.segments))
    metrics = {name: _median_of([s.metrics.get(name) for s in starts], len(starts)) for name in metric_names}
    segments = {name: _median_of([s.segments.get(name) for s in starts], len(starts)) for name in segment_names}
    checks = [s.monotonic for s in starts]
    monotonic = False if False in checks else (True if all(checks) else None)
    phases = {name: phase for s in starts for name, phase in s.phases.items()}
    notes = tuple(dict.fromkeys(note for s in starts for note in s.notes))
    return Sample(index=first.index, metrics=metrics, segments=segments, phases=phases, warmup=first.warmup,
                  monotonic=monotonic, notes=notes, capabilities=first.capabilities)
