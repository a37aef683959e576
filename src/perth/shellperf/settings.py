"""The ``[shellperf]`` configuration, typed (keys are declared in :mod:`perth.config`)."""

from __future__ import annotations

from types import MappingProxyType

from perth.errors import ConfigError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.config import Settings

BUDGET_STAGES: tuple[str, ...] = ("interim", "final")
NO_BUDGETS: Mapping[str, Mapping[str, float]] = MappingProxyType({})


class Thresholds(Record):
    """When a delta against the baseline counts: percent limits, an absolute floor and the noise factor."""

    warn_percent: float = 10.0
    fail_percent: float = 25.0
    floor_ms: float = 1.0
    noise_factor: float = 3.0


class ShellperfSettings(Record):
    """Everything ``perth shellperf`` reads from the configuration."""

    shell: str = "zsh"
    samples: int = 10
    warmup: int = 1
    spawns: int = 5
    timeout_ms: int = 10_000
    thresholds: Thresholds = Thresholds()
    budget_stage: str = "final"
    budgets: Mapping[str, Mapping[str, float]] = NO_BUDGETS
    mode: str = "observe"
    profile: str = "streak"
    stable_runs: int = 3
    clean_runs: int = 3
    stable_rsd_percent: float = 5.0
    baseline: str = ""


def parse_budgets(key: str, entries: tuple[str, ...]) -> dict[str, float]:
    """``metric=ms`` and ``segment:NAME=ms`` entries of one budget list."""
    budgets: dict[str, float] = {}
    for entry in entries:
        name, sep, limit = entry.partition("=")
        try:
            value = float(limit)
        except ValueError:
            value = -1.0
        if not sep or not name.strip() or value < 0:
            raise ConfigError(f"{key} entry {entry!r} is not NAME=MILLISECONDS",
                              f"write entries like first_prompt_ms=50 or segment:plugins=30 in {key}")
        budgets[name.strip()] = value
    return budgets


def load_shellperf_settings(settings: Settings) -> ShellperfSettings:
    """Read the ``shellperf.*`` keys."""
    def strings(key: str) -> tuple[str, ...]:
        value = settings.get(key)
        return value if isinstance(value, tuple) else ()

    budgets = {stage: parse_budgets(f"shellperf.budgets_{stage}", strings(f"shellperf.budgets_{stage}"))
               for stage in BUDGET_STAGES}
    thresholds = Thresholds(warn_percent=settings.get_int("shellperf.warn_percent"),
                            fail_percent=settings.get_int("shellperf.fail_percent"),
                            floor_ms=settings.get_int("shellperf.floor_ms"),
                            noise_factor=settings.get_int("shellperf.noise_factor"))
    if thresholds.fail_percent < thresholds.warn_percent:
        raise ConfigError("shellperf.fail_percent is below shellperf.warn_percent",
                          "make the FAIL threshold at least the WARN threshold")
    return ShellperfSettings(
        shell=str(settings.get("shellperf.shell")), samples=settings.get_int("shellperf.samples"),
        warmup=settings.get_int("shellperf.warmup"), spawns=settings.get_int("shellperf.spawns"),
        timeout_ms=settings.get_int("shellperf.timeout_ms"),
        thresholds=thresholds, budget_stage=str(settings.get("shellperf.budget_stage")), budgets=budgets,
        mode=str(settings.get("shellperf.mode")), profile=str(settings.get("shellperf.profile")),
        stable_runs=settings.get_int("shellperf.stable_runs"), clean_runs=settings.get_int("shellperf.clean_runs"),
        stable_rsd_percent=settings.get_int("shellperf.stable_rsd_percent"),
        baseline=str(settings.get("shellperf.baseline")),
    )
