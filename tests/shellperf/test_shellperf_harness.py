"""The measurement state machine on the scripted terminal (virtual clock: exact figures)."""

from __future__ import annotations

import os

import pytest

from perth.record import replace
from perth.shellperf.fake_terminal import FakeLauncher, FakeSession, FakeShell
from perth.shellperf.governance import advance, assess, stability
from perth.shellperf.harness import median_of_starts
from perth.shellperf.records import GovernanceState, Measurement, Run, RunSpec, Sample
from perth.shellperf.runner import measure, measure_interleaved
from perth.shellperf.settings import ShellperfSettings
from perth.shellperf.terminal import SpawnRequest, TerminalSession

SPEC = RunSpec("bash", samples=3, warmup=1, timeout_ms=500, presses=3, keys=2)


def _run(shell: FakeShell, spec: RunSpec = SPEC, profile: str = "streak") -> Run:
    return measure(spec, os.environ, FakeLauncher(shell), created_at=1_800_000_000_000, profile=profile)


def test_exact_metrics_from_the_fake_shell() -> None:
    run = _run(FakeShell(first_prompt_ms=40, command_ms=5, enter_ms=2, key_ms=1, exit_ms=30))
    assert run.status == "complete" and len(run.measured) == 3 and run.samples[0].warmup
    metrics = run.measured[0].metrics
    assert {k: v.value for k, v in metrics.items()} == {
        "first_prompt_ms": 40.0, "first_command_ms": 45.0, "command_lag_ms": 2.0, "input_lag_ms": 1.0,
        "exit_ms": 30.0, "deferred_ready_ms": 45.0}
    assert {v.provenance for v in metrics.values()} == {"native"}


def test_a_shell_that_never_prompts_yields_missing_values_not_numbers() -> None:
    run = _run(FakeShell(first_prompt_ms=None, exit_ms=None))
    assert run.status == "partial"
    for sample in run.measured:
        assert all(m.value is None and m.provenance == "missing" for m in sample.metrics.values())
        assert "timed out" in sample.metrics["first_prompt_ms"].reason


def test_a_prompt_without_the_token_is_named_as_the_reason() -> None:
    run = _run(FakeShell(prompt_template="$ "))
    sample = run.measured[0]
    assert sample.metrics["first_command_ms"].value == 45.0  # the command ran: that is measured
    assert sample.metrics["first_prompt_ms"].value is None
    assert "make the prompt show the host name or the current directory" in sample.metrics["first_prompt_ms"].reason
    assert sample.metrics["command_lag_ms"].provenance == "missing"


def test_segments_are_native_gaps_derived_and_absences_missing() -> None:
    lines = ("SEGMENT name=pre_plugin_total ms=1.5 phase=lifecycle", "SEGMENT name=plugins ms=10 phase=init",
             "SEGMENT name=post_plugin_total ms=12.0 phase=lifecycle", "SEGMENT name=prompt_ready ms=13.25 phase=prompt",
             "SEGMENT broken")
    run = _run(FakeShell(segment_lines=lines))
    segments = run.measured[0].segments
    assert segments["plugins"] == Measurement(10.0, "native")
    assert segments["plugin_load"] == Measurement(10.5, "derived", "post_plugin_total - pre_plugin_total")
    assert run.measured[0].monotonic is True and run.measured[0].notes == ("1 malformed SEGMENT line(s) ignored",)


def test_interleaving_alternates_configurations() -> None:
    launcher = FakeLauncher()
    specs = [replace(SPEC, warmup=0, samples=2, label="a"), replace(SPEC, warmup=0, samples=2, label="b")]
    runs = measure_interleaved(specs, os.environ, launcher, created_at=1_800_000_000_000)
    assert [r.scope for r in runs] == ["a", "b"]
    cwds = [os.path.basename(r.cwd) for r in launcher.requests if "exit" not in r.argv]
    first, second = runs[0].token, runs[1].token
    assert cwds == [f"{first}cwd", f"{second}cwd", f"{second}cwd", f"{first}cwd"]


def _settings(**changes: object) -> ShellperfSettings:
    return replace(ShellperfSettings(stable_runs=2, clean_runs=2), **changes)


def test_streaks_recommend_warn_then_gate_and_instability_resets() -> None:
    run = _run(FakeShell())
    state = GovernanceState(scope=run.scope)
    settings = _settings()
    state = advance(state, run, True, settings)
    assert (state.recommended, state.stable_streak) == ("observe", 1)
    state = advance(state, run, True, settings)
    assert state.recommended == "warn"
    state = advance(advance(state, run, True, settings), run, True, settings)
    assert state.recommended == "gate"
    partial = _run(FakeShell(first_prompt_ms=None, exit_ms=None), profile="ci")
    assert advance(state, partial, True, settings).recommended == "observe"
    tolerated = _run(FakeShell(first_prompt_ms=None, exit_ms=None), profile="streak")
    kept = advance(state, tolerated, True, settings)
    assert kept.recommended == "gate" and "tolerated" in kept.reason
    assert advance(state, _run(FakeShell(), profile="explore"), True, settings) == state


def test_unstable_metrics_are_not_stable() -> None:
    run = _run(FakeShell())
    noisy = [replace(s, metrics={**s.metrics, "first_prompt_ms": Measurement.native(40 + 30 * i)})
             for i, s in enumerate(run.samples)]
    unstable = replace(run, samples=tuple(noisy))
    assert stability(run, _settings()) == (True, "stable")
    assert not stability(unstable, _settings())[0]


@pytest.mark.parametrize(("mode", "code"), [("observe", 0), ("warn", 0), ("gate", 5)])
def test_modes_decide_the_exit_code(mode: str, code: int) -> None:
    from perth.shellperf.budgets import check_budgets

    run = _run(FakeShell(first_prompt_ms=80))
    budgets = check_budgets(run, {"first_prompt_ms": 50.0, "segment:plugins": 5.0}, "final")
    assert [b.status for b in budgets] == ["over", "missing"]
    result = assess(run, [], budgets, state=GovernanceState(scope=run.scope), settings=_settings(mode=mode),
                    baseline=None)
    assert result.verdict == "FAIL" and result.exit_code == code
    assert "first_prompt_ms: 80.0 ms over the final budget of 50 ms" in result.reasons


def test_strict_profiles_fail_partial_runs() -> None:
    partial = _run(FakeShell(first_prompt_ms=None, exit_ms=None), profile="ci")
    result = assess(partial, [], [], state=GovernanceState(scope="s"), settings=_settings(mode="gate"), baseline=None)
    assert result.verdict == "FAIL" and result.exit_code == 5
    tolerant = replace(partial, profile="streak")
    assert assess(tolerant, [], [], state=GovernanceState(scope="s"), settings=_settings(mode="gate"),
                  baseline=None).verdict == "OK"


def test_run_json_round_trips() -> None:
    run = _run(FakeShell(segment_lines=("SEGMENT name=a ms=1 phase=init",)))
    assert Run.from_json(run.to_json()) == run
    assert Sample.from_json(run.samples[0].to_json()) == run.samples[0]


def test_lifecycle_order_violations_are_reported() -> None:
    from perth.shellperf.analysis import lifecycle_check

    lines = ("SEGMENT name=pre_plugin_total ms=9 phase=lifecycle", "SEGMENT name=post_plugin_total ms=3 phase=lifecycle")
    run = _run(FakeShell(segment_lines=lines))
    assert all(s.monotonic is False for s in run.measured)
    assert lifecycle_check(run) == {"checked": 3, "violations": [1, 2, 3]}
    assert run.measured[0].segments["prompt_ready"].provenance == "missing"  # the library's hook never ran


def test_progress_draws_on_a_terminal_only() -> None:
    import io

    from perth.cli.shellperf import SampleProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    run = _run(FakeShell())
    shown, piped = Terminal(), io.StringIO()
    for stream in (shown, piped):
        progress = SampleProgress("shellperf zsh", "samples", stream=stream, delay_s=0)
        progress.advance(2, 4, run.samples[0])
        progress.close()
    assert "shellperf zsh: 2 samples" in shown.getvalue() and piped.getvalue() == ""


class _OneShellPerStart(FakeLauncher):
    """Each interactive start gets the next of ``prompts`` as its first-prompt time (``None``: never prompts)."""

    def __init__(self, prompts: list[float | None]) -> None:
        super().__init__()
        self.prompts = iter(prompts)

    def spawn(self, request: SpawnRequest) -> TerminalSession:
        if "exit" in request.argv:
            return super().spawn(request)
        self.requests.append(request)
        return FakeSession(FakeShell(first_prompt_ms=next(self.prompts)), request)


def test_with_spawns_each_sample_is_the_median_of_its_starts_and_warmups_are_one_start() -> None:
    launcher = _OneShellPerStart([99.0, 40.0, 90.0, 41.0, 300.0, 50.0, 45.0])
    spec = replace(SPEC, samples=2, warmup=1, spawns=3, measure_exit=False)
    run = measure(spec, os.environ, launcher, created_at=1_800_000_000_000)
    assert len(launcher.requests) == 7  # 1 warm-up start, then 2 samples of 3 starts
    assert [s.metrics["first_prompt_ms"] for s in run.measured] == [Measurement(41.0, "native"),
                                                                    Measurement(50.0, "native")]
    assert [s.metrics["first_command_ms"].value for s in run.measured] == [46.0, 55.0]  # its own median
    assert run.samples[0].warmup and run.samples[0].metrics["first_prompt_ms"].value == 99.0
    assert run.spec.spawns == 3 and RunSpec.from_json(run.spec.to_json()) == run.spec


def test_a_value_missing_in_any_start_is_missing_in_the_sample() -> None:
    launcher = _OneShellPerStart([40.0, None, 42.0])
    run = measure(replace(SPEC, samples=1, warmup=0, spawns=3, measure_exit=False), os.environ, launcher,
                  created_at=1_800_000_000_000)
    value = run.measured[0].metrics["first_prompt_ms"]
    assert value.value is None and value.provenance == "missing" and value.reason.startswith("start 2 of 3: ")
    assert run.status == "partial"


def test_median_of_starts_keeps_provenance_and_the_lifecycle_check() -> None:
    def start(ms: float, gap: float, ok: bool | None) -> Sample:
        return Sample(index=4, metrics={"first_prompt_ms": Measurement(ms, "native")},
                      segments={"plugin_load": Measurement(gap, "derived", "post - pre")}, monotonic=ok,
                      notes=("n",), capabilities={"has_compsys": True})

    one = median_of_starts([start(3.0, 1.0, True), start(1.0, 9.0, True), start(2.0, 5.0, None)])
    assert one.metrics["first_prompt_ms"] == Measurement(2.0, "native")
    assert one.segments["plugin_load"] == Measurement(5.0, "derived", "post - pre")
    assert (one.index, one.monotonic, one.notes, dict(one.capabilities)) == (4, None, ("n",), {"has_compsys": True})
    assert median_of_starts([start(1.0, 1.0, True), start(2.0, 1.0, False)]).monotonic is False
    assert median_of_starts([start(1.0, 1.0, True), start(4.0, 1.0, True)]).metrics["first_prompt_ms"].value == 1.0
    assert RunSpec.from_json({k: v for k, v in SPEC.to_json().items() if k != "spawns"}).spawns == 1  # older runs
