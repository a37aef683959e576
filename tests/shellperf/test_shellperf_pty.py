"""Real zsh and bash on a pseudo-terminal: known delays shift the figures, silence stays missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perth.shellperf.analysis import metric_stats, segment_stats
from perth.shellperf.instrument import library_source
from perth.shellperf.records import Run, RunSpec
from perth.shellperf.runner import measure
from perth.shellperf.terminal import PtyLauncher

pytestmark = pytest.mark.integration
SHELLS = ["zsh", "bash"]
DELAY_MS = 300


def _measure(tmp_path: Path, shell: str, body: str, name: str, **options: object) -> Run:
    rc = tmp_path / f"{name}.{shell}rc"
    rc.write_text(body)
    spec = RunSpec(shell=shell, rc=str(rc), samples=int(options.pop("samples", 3)), warmup=0,
                   timeout_ms=int(options.pop("timeout_ms", 5000)), presses=2, keys=2, **options)  # type: ignore[arg-type]
    return measure(spec, os.environ, PtyLauncher(), created_at=1_800_000_000_000)


def _median(run: Run, metric: str) -> float:
    value = metric_stats(run)[metric].median
    assert value is not None, run.measured[0].metrics[metric].reason
    return value


def _values(runs: list[Run], metric: str) -> list[float]:
    values = [sample.metrics[metric].value for run in runs for sample in run.measured]
    assert all(v is not None for v in values), [s.metrics[metric].reason for r in runs for s in r.measured]
    return [float(v) for v in values if v is not None]


@pytest.mark.parametrize("shell", SHELLS)
def test_a_sleep_before_the_prompt_shifts_first_prompt_by_that_much(tmp_path: Path, shell: str) -> None:
    # Quick and slow starts alternate, so a burst of load elsewhere on the machine hits both alike;
    # the fastest start of each is the one least disturbed by it.
    quick: list[Run] = []
    slow: list[Run] = []
    for i in range(5):
        quick.append(_measure(tmp_path, shell, "true\n", f"quick{i}", samples=1))
        slow.append(_measure(tmp_path, shell, f"sleep {DELAY_MS / 1000}\n", f"slow{i}", samples=1))
    assert all(run.status == "complete" for run in quick + slow)
    for metric in ("first_prompt_ms", "first_command_ms"):
        assert min(_values(slow, metric)) >= DELAY_MS  # the sleep runs before the prompt: never less
        shift = min(_values(slow, metric)) - min(_values(quick, metric))
        assert DELAY_MS - 15 <= shift <= DELAY_MS + 60, (metric, shift)  # sleep(1) overshoots a little
    assert min(_values(quick, "first_command_ms")) >= min(_values(quick, "first_prompt_ms"))
    assert min(_values(quick, "command_lag_ms")) < 100 and min(_values(quick, "input_lag_ms")) < 100


@pytest.mark.parametrize("shell", SHELLS)
def test_a_config_that_never_prints_a_prompt_yields_missing_samples(tmp_path: Path, shell: str) -> None:
    run = _measure(tmp_path, shell, "sleep 30\n", "hang", samples=2, timeout_ms=700, measure_exit=False)
    assert run.status == "partial"
    for sample in run.measured:
        for name in ("first_prompt_ms", "first_command_ms", "command_lag_ms", "input_lag_ms"):
            assert sample.metrics[name].value is None and sample.metrics[name].provenance == "missing"
        assert "timed out" in sample.metrics["first_prompt_ms"].reason
    assert metric_stats(run)["first_prompt_ms"].n == 0


@pytest.mark.parametrize("shell", SHELLS)
def test_a_prompt_without_the_token_is_missing_but_the_typed_ahead_command_is_measured(tmp_path: Path,
                                                                                       shell: str) -> None:
    body = "PS1='> '; PROMPT='> '\n" if shell == "zsh" else "PS1='> '\n"
    run = _measure(tmp_path, shell, body, "plain", samples=1, timeout_ms=1500, measure_exit=False)
    sample = run.measured[0]
    assert sample.metrics["first_command_ms"].value is not None  # typed ahead, before any prompt: it ran
    assert "make the prompt show" in sample.metrics["first_prompt_ms"].reason


@pytest.mark.parametrize("shell", SHELLS)
def test_segments_from_an_instrumented_rc(tmp_path: Path, shell: str) -> None:
    library = tmp_path / f"lib.{shell}"
    library.write_text(library_source(shell))
    body = (f"source {library}\nperth_segment_mark pre_plugin_total\nperth_segment_begin plugins\nsleep 0.1\n"
            "perth_segment_end plugins\nperth_segment_wrap tiny true\nperth_segment_mark post_plugin_total\n")
    run = _measure(tmp_path, shell, body, "instrumented", samples=2)
    segments = segment_stats(run)
    assert run.status == "complete", [s.missing for s in run.measured]
    assert 95 <= (segments["plugins"].median or 0) <= 200
    assert segments["prompt_ready"].median is not None and segments["tiny"].median is not None
    assert all(s.monotonic is True for s in run.measured)
    assert all(s.segments["plugin_load"].provenance == "derived" for s in run.measured)
    assert all(s.phases["prompt_ready"] == "prompt" for s in run.measured)
    assert _median(run, "first_prompt_ms") >= (segments["prompt_ready"].median or 0)


def test_fish_is_measured_too(tmp_path: Path) -> None:
    run = _measure(tmp_path, "fish", "true\n", "fish", samples=1, measure_exit=False)
    assert run.measured[0].metrics["first_prompt_ms"].value is not None, run.measured[0].metrics


def test_the_clock_starts_in_the_child_just_before_exec(tmp_path: Path) -> None:
    """exec_ns is read by the child after fork and terminal set-up; the program's output comes after it."""
    from perth.shellperf.terminal import PtySession, SpawnRequest

    session = PtySession(SpawnRequest(argv=("/bin/echo", "hi"), env={"PATH": "/usr/bin:/bin"}, cwd=str(tmp_path)))
    try:
        chunk = session.read(session.started_ns + 5_000_000_000)
        assert chunk is not None and chunk.data.startswith(b"hi")
        assert session.started_ns < session.exec_ns < chunk.at_ns
    finally:
        session.close()
    missing = PtySession(SpawnRequest(argv=(str(tmp_path / "no-such-program"),), env={}, cwd=str(tmp_path)))
    try:  # the time is sent before execve, so a failed exec still reports it (then exits 127)
        assert missing.exec_ns > missing.started_ns
        assert missing.wait_exit(missing.started_ns + 5_000_000_000) is not None
    finally:
        missing.close()


def test_the_typed_ahead_command_is_as_long_as_zsh_benchs(tmp_path: Path) -> None:
    from perth.shellperf.launch import plan_launch, resolve_shell

    spec = RunSpec(norc=True)
    plan = plan_launch(spec, resolve_shell(spec, os.environ), os.environ, str(tmp_path / "w"))
    assert len(plan.typed_command) == len(b' "builtin" "." "./s"\r') == 21
