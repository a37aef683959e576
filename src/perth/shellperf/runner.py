"""A whole measurement run: warm-ups, samples, segments, and the facts needed to reproduce it."""

from __future__ import annotations

import os

from perth.ids import uuid7
from perth.record import replace
from perth.shellperf.harness import measure_sample, median_of_starts
from perth.shellperf.launch import plan_launch, resolve_shell
from perth.shellperf.probe import ReplayEvent
from perth.shellperf.records import Run, RunSpec, Sample
from perth.shellperf.segments import fill_missing_segments

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from perth.shellperf.terminal import TerminalLauncher

    Progress = Callable[[int, int, Sample], None]
    Replay = Callable[[int, list[ReplayEvent]], None]


def shell_version(shell_path: str) -> str:
    """``<shell> --version``'s first line, or ``unknown``."""
    import subprocess

    try:
        done = subprocess.run([shell_path, "--version"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = done.stdout.strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def validate_spec(spec: RunSpec) -> RunSpec:
    """Refuse counts and sizes that cannot give a measurement."""
    from perth.errors import InvalidInputError

    checks = (("-n/--samples", spec.samples, 1), ("--warmup", spec.warmup, 0), ("--spawns", spec.spawns, 1),
              ("--timeout-ms", spec.timeout_ms, 100), ("--presses", spec.presses, 1), ("--keys", spec.keys, 1),
              ("rows", spec.rows, 5), ("cols", spec.cols, 20))
    for name, value, minimum in checks:
        if value < minimum:
            raise InvalidInputError(f"{name} must be at least {minimum} (got {value})",
                                    f"pass {name} {minimum} or more")
    return spec


class _Prepared:
    """One spec ready to measure: its resolved spec, launch plan and samples so far."""

    def __init__(self, spec: RunSpec, environ: Mapping[str, str], workdir: str) -> None:
        validate_spec(spec)
        shell_path = resolve_shell(spec, environ)
        self.spec = replace(spec, shell_path=shell_path, rc=os.path.abspath(spec.rc) if spec.rc else None,
                            zdotdir=os.path.abspath(spec.zdotdir) if spec.zdotdir else None)
        os.makedirs(workdir)
        self.plan = plan_launch(self.spec, shell_path, environ, workdir)
        self.samples: list[Sample] = []

    def run(self, created_at: int, profile: str) -> Run:
        return Run(id=uuid7(created_at), created_at=created_at, spec=self.spec, profile=profile,
                   shell_version=shell_version(self.spec.shell_path),
                   samples=tuple(fill_missing_segments(self.samples)), token=self.plan.token,
                   ephemeral=profile == "explore")


def _schedule(prepared: list[_Prepared]) -> list[tuple[_Prepared, int]]:
    """Round-robin order: warm-ups first, then samples interleaved, alternating direction each round."""
    rounds = max(p.spec.warmup + p.spec.samples for p in prepared)
    order: list[tuple[_Prepared, int]] = []
    for index in range(rounds):
        turn = prepared if index % 2 == 0 else prepared[::-1]
        order.extend((p, index) for p in turn if index < p.spec.warmup + p.spec.samples)
    return order


def measure_interleaved(specs: list[RunSpec], environ: Mapping[str, str], launcher: TerminalLauncher, *,
                        created_at: int, profile: str = "streak", progress: Progress | None = None,
                        replay: Replay | None = None) -> list[Run]:
    """Measure several configurations sample by sample (A B, B A, ...) so drift hits them alike; a counted sample
    is ``spec.spawns`` starts back to back (:func:`perth.shellperf.harness.median_of_starts`)."""
    import shutil
    import tempfile

    root = tempfile.mkdtemp(prefix="perth-shellperf-")
    try:
        prepared = [_Prepared(spec, environ, os.path.join(root, str(i))) for i, spec in enumerate(specs)]
        order = _schedule(prepared)
        for done, (item, index) in enumerate(order, start=1):
            warmup = index < item.spec.warmup
            sample = measure_sample(launcher, item.plan, item.spec, index, warmup=warmup, replay=replay)
            if not warmup and item.spec.spawns > 1:  # a warm-up is one start, discarded
                more = [measure_sample(launcher, item.plan, item.spec, index) for _ in range(item.spec.spawns - 1)]
                sample = median_of_starts([sample, *more])
            item.samples.append(sample)
            if progress is not None:
                progress(done, len(order), sample)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return [item.run(created_at + i, profile) for i, item in enumerate(prepared)]


def measure(spec: RunSpec, environ: Mapping[str, str], launcher: TerminalLauncher, *, created_at: int,
            profile: str = "streak", progress: Progress | None = None, replay: Replay | None = None) -> Run:
    """Measure ``spec.warmup`` discarded starts, then ``spec.samples`` counted ones."""
    return measure_interleaved([spec], environ, launcher, created_at=created_at, profile=profile,
                               progress=progress, replay=replay)[0]
