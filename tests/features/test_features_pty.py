"""Real zsh and bash started in a pseudo-terminal through a generated loader (the shellperf harness).

Order, containment, deferral after the prompt (timestamps), a single compinit, and the first prompt
no longer waiting for a slow feature moved to ``postprompt``.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest

from perth.features.loader import build_loader
from perth.features.model import merge, read_file
from perth.features.resolve import resolve
from perth.features.switches import Switches
from perth.shellperf.analysis import metric_stats
from perth.shellperf.launch import plan_launch, resolve_shell
from perth.shellperf.probe import MS, Probe
from perth.shellperf.records import RunSpec
from perth.shellperf.runner import measure_interleaved
from perth.shellperf.segments import parse_segment_lines
from perth.shellperf.terminal import PtyLauncher, SpawnRequest

pytestmark = pytest.mark.integration
SHELLS = ["zsh", "bash"]
CLOCK = {"zsh": "zmodload zsh/datetime; ", "bash": ""}


def _rc(tmp_path: Path, shell: str, declarations: str, name: str = "loader") -> Path:
    """Declarations -> loader -> an rc file that sources it."""
    toml = tmp_path / f"{name}.toml"
    toml.write_text(declarations)
    features = merge(read_file(str(toml)))
    loader = tmp_path / f"{name}.{shell}"
    loader.write_text(build_loader(resolve(features, Switches(), shell).check(), [str(toml)]))
    rc = tmp_path / f"{name}.{shell}rc"
    rc.write_text(f"source {loader}\n")
    return rc


class Started:
    """One interactive start: the screen, when the prompt was seen (epoch seconds), the SEGMENT lines."""

    def __init__(self, shell: str, rc: Path, *, wait_s: float = 1.0) -> None:
        spec = RunSpec(shell=shell, rc=str(rc), samples=1, warmup=0, measure_exit=False)
        with tempfile.TemporaryDirectory() as workdir:
            plan = plan_launch(spec, resolve_shell(spec, os.environ), os.environ, os.path.join(workdir, "run"))
            session = PtyLauncher().spawn(SpawnRequest(argv=plan.argv, env=plan.sample_env(0), cwd=plan.cwd,
                                                       rows=24, cols=120))
            epoch_offset_ns = time.time_ns() - time.perf_counter_ns()
            probe = Probe(session, session.started_ns + 10_000 * MS, keep_replay=False)
            try:
                end = probe.wait_for(plan.prompt_tokens, 0)
                assert end is not None, probe.screen.tail()
                self.prompt_epoch = (probe.screen.time_at(end) + epoch_offset_ns) / 1e9
                probe.settle(quiet_ms=wait_s * 1000, max_ms=wait_s * 3000)
            finally:
                session.close()
            self.screen = probe.screen.text
            log = Path(plan.segment_log(0))
            self.segment_lines = log.read_text().splitlines() if log.exists() else []

    def at(self, name: str) -> float:
        """The ``at=`` epoch of segment ``name``'s line."""
        for line in self.segment_lines:
            match = re.match(rf"SEGMENT name={re.escape(name)} .* at=(\S+)", line)
            if match:
                return float(match.group(1).replace(",", "."))
        raise AssertionError(f"no segment {name}: {self.segment_lines}")


def _log_line(log: Path, shell: str, text: str) -> str:
    return f'{CLOCK[shell]}echo "{text} $EPOCHREALTIME" >> {log}'


@pytest.mark.parametrize("shell", SHELLS)
def test_features_load_in_resolved_order_each_timed_as_a_segment(tmp_path: Path, shell: str) -> None:
    log = tmp_path / "order.log"
    declarations = "".join(
        f'[features.{name}]\nphase = "{phase}"\ndepends_on = {deps}\nsnippet = \'{_log_line(log, shell, name)}\'\n'
        for name, phase, deps in (("zeta", "init", '["beta"]'), ("beta", "init", "[]"), ("alpha", "init", "[]"),
                                  ("first", "preload", "[]"), ("gamma", "init", '["zeta", "alpha"]')))
    started = Started(shell, _rc(tmp_path, shell, declarations))
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["first", "alpha", "beta", "zeta", "gamma"]
    parsed = parse_segment_lines(started.segment_lines)
    assert parsed.malformed == 0
    assert [n for n in parsed.values if n not in ("pre_plugin_total", "post_plugin_total", "prompt_ready")] == [
        "first", "alpha", "beta", "zeta", "gamma"]
    assert parsed.phases["first"] == "preload" and parsed.phases["gamma"] == "init"
    assert parsed.values["pre_plugin_total"] <= parsed.values["post_plugin_total"] <= parsed.values["prompt_ready"]


@pytest.mark.parametrize("shell", SHELLS)
def test_a_failing_feature_is_reported_once_and_skipped_and_the_rest_load(tmp_path: Path, shell: str) -> None:
    marker = tmp_path / "after.log"
    (tmp_path / "syntax.sh").write_text("if then fi (\n")
    declarations = (
        '[features.fails]\nsnippet = "false"\n'
        '[features.gone]\nsource = "no-such-file.sh"\n'
        '[features.broken]\nsource = "syntax.sh"\n'
        '[features.needs-fails]\nsnippet = "echo SHOULD-NOT-RUN"\ndepends_on = ["fails"]\n'
        f'[features.zafter]\nsnippet = "echo loaded >> {marker}"\n'
        f'[features.zlater]\nphase = "postprompt"\nsnippet = "echo deferred >> {marker}"\n')
    started = Started(shell, _rc(tmp_path, shell, declarations))
    screen = started.screen
    assert screen.count("perth: feature fails failed (status 1); skipped") == 1
    assert screen.count("perth: feature gone has no readable file") == 1
    assert screen.count("perth: feature broken failed") == 1
    assert screen.count("perth: feature needs-fails not loaded: it depends on fails, which failed; skipped") == 1
    assert "SHOULD-NOT-RUN" not in screen
    assert marker.read_text().splitlines() == ["loaded", "deferred"]
    assert "needs-fails" not in parse_segment_lines(started.segment_lines).values


@pytest.mark.parametrize("shell", SHELLS)
def test_a_postprompt_feature_runs_after_the_prompt_is_on_screen(tmp_path: Path, shell: str) -> None:
    log = tmp_path / "deferred.log"
    slow = f"{_log_line(log, shell, 'start')}; sleep 0.3; {_log_line(log, shell, 'end')}"
    declarations = (f"[features.quick]\nsnippet = '{_log_line(log, shell, 'init')}'\n"
                    f'[features.slow]\nphase = "postprompt"\nsnippet = \'{slow}\'\n')
    started = Started(shell, _rc(tmp_path, shell, declarations))
    times = {line.split()[0]: float(line.split()[1].replace(",", ".")) for line in log.read_text().splitlines()}
    prompt_ready = started.at("prompt_ready")  # the shell's own clock, as the prompt is being drawn
    assert times["init"] < prompt_ready < times["start"] < times["end"]
    assert started.prompt_epoch < times["end"] - 0.2  # the harness saw the prompt while the feature still ran
    assert started.at("slow") >= times["end"] and started.at("deferred_total") >= started.at("slow")
    assert parse_segment_lines(started.segment_lines).phases["slow"] == "postprompt"


@pytest.mark.parametrize("shell", SHELLS)
def test_idle_features_run_after_the_postprompt_ones(tmp_path: Path, shell: str) -> None:
    log = tmp_path / "phases.log"
    declarations = "".join(f'[features.{p}x]\nphase = "{p}"\nsnippet = \'{_log_line(log, shell, p)}\'\n'
                           for p in ("idle", "postprompt", "init"))
    rc = _rc(tmp_path, shell, declarations)
    if shell == "zsh":
        Started(shell, rc)
    else:  # bash's idle point is after the first command line (an empty one counts)
        _start_and_press_enter(shell, rc)
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["init", "postprompt", "idle"]


def _start_and_press_enter(shell: str, rc: Path) -> None:
    spec = RunSpec(shell=shell, rc=str(rc), samples=1, warmup=0, measure_exit=False)
    with tempfile.TemporaryDirectory() as workdir:
        plan = plan_launch(spec, resolve_shell(spec, os.environ), os.environ, os.path.join(workdir, "run"))
        session = PtyLauncher().spawn(SpawnRequest(argv=plan.argv, env=plan.env, cwd=plan.cwd, rows=24, cols=120))
        probe = Probe(session, session.started_ns + 10_000 * MS, keep_replay=False)
        try:
            end = probe.wait_for(plan.prompt_tokens, 0)
            assert end is not None, probe.screen.tail()
            probe.settle(quiet_ms=100, max_ms=1000)
            probe.type(b"\r")
            assert probe.wait_for(plan.prompt_tokens, len(probe.screen)) is not None
            probe.settle(quiet_ms=200, max_ms=2000)
        finally:
            session.close()


def test_compinit_runs_once_whichever_features_call_it(tmp_path: Path) -> None:
    counter = tmp_path / "compinit.count"
    functions = tmp_path / "fpath"
    functions.mkdir()
    (functions / "compinit").write_text(f'print -r -- "compinit $*" >> {counter}\n')
    call = "autoload -Uz compinit; compinit -i"
    declarations = (f'[features.fpath]\nphase = "preload"\nsnippet = "fpath=({functions} $fpath)"\n'
                    + "".join(f'[features.c{i}]\nsnippet = "{call}"\ndepends_on = ["fpath"]\n' for i in range(3))
                    + f'[features.later]\nphase = "postprompt"\nsnippet = "{call}; compinit"\n')
    started = Started("zsh", _rc(tmp_path, "zsh", declarations))
    assert counter.read_text().splitlines() == ["compinit -i"]
    assert sum(line.startswith("SEGMENT name=perth:compinit ") for line in started.segment_lines) == 1
    assert "later" in parse_segment_lines(started.segment_lines).values  # the deferred caller ran, compinit did not


def test_the_real_compinit_runs_once_and_completion_works(tmp_path: Path) -> None:
    probe_file = tmp_path / "probe.log"
    call = f"autoload -Uz compinit; compinit -i -d {tmp_path}/zcompdump"
    declarations = ("".join(f'[features.c{i}]\nsnippet = "{call}"\n' for i in range(3))
                    + f'[features.report]\ndepends_on = ["c0", "c1", "c2"]\nsnippet = \'print -r -- '
                      f'"runs=$_perth_compinit_runs compdef=${{+functions[compdef]}}" >> {probe_file}\'\n')
    started = Started("zsh", _rc(tmp_path, "zsh", declarations))
    assert probe_file.read_text().strip() == "runs=1 compdef=1"
    assert sum(line.startswith("SEGMENT name=perth:compinit ") for line in started.segment_lines) == 1


@pytest.mark.parametrize("shell", SHELLS)
def test_moving_a_200ms_feature_to_postprompt_brings_the_first_prompt_forward(tmp_path: Path, shell: str) -> None:
    def declarations(phase: str) -> str:
        return f'[features.light]\nsnippet = "true"\n[features.heavy]\nphase = "{phase}"\nsnippet = "sleep 0.2"\n'

    rcs = [_rc(tmp_path, shell, declarations(phase), name=phase) for phase in ("init", "postprompt")]
    specs = [RunSpec(shell=shell, rc=str(rc), samples=3, warmup=1, presses=1, keys=1, measure_exit=False,
                     timeout_ms=5000) for rc in rcs]
    eager, deferred = measure_interleaved(specs, os.environ, PtyLauncher(), created_at=0, profile="explore")
    eager_ms, deferred_ms = (metric_stats(run)["first_prompt_ms"].median for run in (eager, deferred))
    assert eager_ms is not None and deferred_ms is not None
    assert eager_ms - deferred_ms >= 150, (eager_ms, deferred_ms)


def test_without_a_line_editor_deferred_features_still_load(tmp_path: Path) -> None:
    log = tmp_path / "phases.log"
    declarations = "".join(f'[features.{p}x]\nphase = "{p}"\nsnippet = \'{_log_line(log, "zsh", p)}\'\n'
                           for p in ("idle", "postprompt", "init"))
    rc = _rc(tmp_path, "zsh", declarations)
    rc.write_text("unsetopt zle\n" + rc.read_text())
    started = Started("zsh", rc)
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["init", "postprompt", "idle"]
    assert "deferred_total" in parse_segment_lines(started.segment_lines).values
