"""The shell-performance records: measurements, samples, runs, baselines and governance state.

Every value carries its provenance: ``native`` (observed directly — on screen by the harness, or
by the shell's own clock for segments), ``derived`` (arithmetic on native values, e.g. the time
between two lifecycle markers) or ``missing`` (not observed; ``reason`` says why).  A missing
value is never replaced by a number.  ``to_json``/``from_json`` give the shapes of the
``perth.shellperf.*.v1`` contracts (documented in docs/shellperf.md).
"""

from __future__ import annotations

from types import MappingProxyType

from perth.clock import from_iso, to_iso
from perth.record import EMPTY_MAP, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

METRICS: tuple[str, ...] = ("first_prompt_ms", "first_command_ms", "command_lag_ms", "input_lag_ms", "exit_ms",
                             "deferred_ready_ms")
PRIMARY_METRICS: tuple[str, ...] = METRICS[:4]
PROVENANCES: tuple[str, ...] = ("native", "derived", "missing")
SHELLS: tuple[str, ...] = ("zsh", "bash", "fish")
PROFILES: tuple[str, ...] = ("explore", "streak", "governance", "ci")
MODES: tuple[str, ...] = ("observe", "warn", "gate")
CLASSES: tuple[str, ...] = ("OK", "WARN", "FAIL", "MISSING")


class Measurement(Record):
    """One value with its provenance; ``value`` is ``None`` exactly when it is missing."""

    value: float | None
    provenance: str
    reason: str = ""

    @classmethod
    def native(cls, value: float) -> Measurement:
        """A value observed directly."""
        return cls(round(value, 3), "native")

    @classmethod
    def derived(cls, value: float, how: str) -> Measurement:
        """A value computed from native ones; ``how`` names the formula."""
        return cls(round(value, 3), "derived", how)

    @classmethod
    def missing(cls, reason: str) -> Measurement:
        """A value that was not observed, and why."""
        return cls(None, "missing", reason)

    def to_json(self) -> dict[str, Any]:
        """``{"value", "provenance", "reason"}``."""
        return {"value": self.value, "provenance": self.provenance, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Measurement:
        """Inverse of :meth:`to_json`."""
        value = data.get("value")
        return cls(None if value is None else float(value), str(data["provenance"]), str(data.get("reason", "")))


NO_MEASUREMENTS: Mapping[str, Measurement] = MappingProxyType({})
NO_CAPABILITIES: Mapping[str, bool | None] = MappingProxyType({})


def _measurements(data: Mapping[str, Any]) -> dict[str, Measurement]:
    return {name: Measurement.from_json(item) for name, item in data.items()}


class Sample(Record):
    """One start of the shell: its metrics, in-shell segments and lifecycle check.

    ``phases`` maps a segment to its phase; ``monotonic`` is whether pre_plugin_total <=
    post_plugin_total <= prompt_ready held (``None`` when fewer than two of them were seen);
    ``capabilities`` holds zsh-bench's ``has_*`` flags (:mod:`perth.shellperf.capabilities`).
    """

    index: int
    metrics: Mapping[str, Measurement]
    segments: Mapping[str, Measurement] = NO_MEASUREMENTS
    phases: Mapping[str, str] = EMPTY_MAP
    warmup: bool = False
    monotonic: bool | None = None
    notes: tuple[str, ...] = ()
    capabilities: Mapping[str, bool | None] = NO_CAPABILITIES

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the metrics and segments that were not observed."""
        values = {**self.metrics, **self.segments}
        return tuple(name for name, m in values.items() if m.provenance == "missing")

    def to_json(self) -> dict[str, Any]:
        """One element of ``run.samples``."""
        return {
            "index": self.index, "warmup": self.warmup,
            "metrics": {k: v.to_json() for k, v in self.metrics.items()},
            "segments": {k: v.to_json() for k, v in self.segments.items()},
            "phases": dict(self.phases), "monotonic": self.monotonic, "notes": list(self.notes),
            "capabilities": dict(self.capabilities),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sample:
        """Inverse of :meth:`to_json`."""
        return cls(index=int(data["index"]), warmup=bool(data["warmup"]),
                   metrics=_measurements(data["metrics"]), segments=_measurements(data["segments"]),
                   phases=dict(data["phases"]), monotonic=data["monotonic"], notes=tuple(data["notes"]),
                   capabilities=dict(data.get("capabilities", {})))


class RunSpec(Record):
    """What to measure and how (the options of ``perth shellperf run``)."""

    shell: str = "zsh"
    shell_path: str = ""
    rc: str | None = None
    zdotdir: str | None = None
    norc: bool = False
    env: tuple[str, ...] = ()
    samples: int = 10
    warmup: int = 1
    spawns: int = 1
    timeout_ms: int = 10_000
    presses: int = 5
    keys: int = 5
    rows: int = 24
    cols: int = 80
    measure_exit: bool = True
    label: str = ""
    git: str = "no"

    @property
    def config_name(self) -> str:
        """What configuration is measured: the rc file, the ZDOTDIR, or the login files."""
        if self.rc:
            return f"rc:{self.rc}"
        if self.zdotdir:
            return f"zdotdir:{self.zdotdir}"
        return "norc" if self.norc else "login"

    @property
    def scope(self) -> str:
        """The ledger scope: runs of one shell and configuration are compared and governed together."""
        git = "" if self.git == "no" else f":git-{self.git}"
        return self.label or f"{self.shell}:{self.config_name}{git}"

    def to_json(self) -> dict[str, Any]:
        """``run.spec``."""
        return {"shell": self.shell, "shell_path": self.shell_path, "rc": self.rc, "zdotdir": self.zdotdir,
                "norc": self.norc, "env": list(self.env), "samples": self.samples, "warmup": self.warmup,
                "spawns": self.spawns, "timeout_ms": self.timeout_ms, "presses": self.presses, "keys": self.keys,
                "rows": self.rows, "cols": self.cols, "measure_exit": self.measure_exit, "label": self.label,
                "git": self.git}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunSpec:
        """Inverse of :meth:`to_json`."""
        return cls(**{**data, "env": tuple(data["env"])})


class Run(Record):
    """One ``perth shellperf run``: the spec, the environment facts and every sample."""

    id: str
    created_at: int
    spec: RunSpec
    profile: str
    shell_version: str
    samples: tuple[Sample, ...]
    token: str = ""
    ephemeral: bool = False

    @property
    def scope(self) -> str:
        """See :attr:`RunSpec.scope`."""
        return self.spec.scope

    @property
    def measured(self) -> tuple[Sample, ...]:
        """The samples that count (warm-ups excluded)."""
        return tuple(s for s in self.samples if not s.warmup)

    @property
    def partial(self) -> bool:
        """Whether any counted sample misses a value (or there is no counted sample at all)."""
        return not self.measured or any(s.missing for s in self.measured)

    @property
    def status(self) -> str:
        """``complete`` or ``partial``."""
        return "partial" if self.partial else "complete"

    def to_json(self) -> dict[str, Any]:
        """``run`` in ``perth.shellperf.run.v1`` (without statistics; views add them)."""
        return {"id": self.id, "created_at": to_iso(self.created_at), "scope": self.scope,
                "profile": self.profile, "status": self.status, "ephemeral": self.ephemeral,
                "shell_version": self.shell_version, "token": self.token, "spec": self.spec.to_json(),
                "samples": [s.to_json() for s in self.samples]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Run:
        """Inverse of :meth:`to_json`."""
        return cls(id=str(data["id"]), created_at=from_iso(str(data["created_at"])),
                   spec=RunSpec.from_json(data["spec"]), profile=str(data["profile"]),
                   shell_version=str(data["shell_version"]), token=str(data.get("token", "")),
                   samples=tuple(Sample.from_json(s) for s in data["samples"]),
                   ephemeral=bool(data.get("ephemeral", False)))


class Baseline(Record):
    """A named reference run that later runs are compared with."""

    id: str
    name: str
    run_id: str
    scope: str
    created_at: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """``baseline`` in ``perth.shellperf.baseline.v1``."""
        return {"id": self.id, "name": self.name, "run_id": self.run_id, "scope": self.scope,
                "created_at": to_iso(self.created_at), "note": self.note}


class GovernanceState(Record):
    """The streaks and recommended mode of one scope (see :mod:`perth.shellperf.governance`)."""

    scope: str
    recommended: str = "observe"
    stable_streak: int = 0
    clean_streak: int = 0
    runs_seen: int = 0
    last_run_id: str | None = None
    updated_at: int = 0
    reason: str = "no run recorded yet"

    def to_json(self) -> dict[str, Any]:
        """The streak part of ``perth.shellperf.governance.v1``."""
        return {"scope": self.scope, "recommended": self.recommended, "stable_streak": self.stable_streak,
                "clean_streak": self.clean_streak, "runs_seen": self.runs_seen,
                "last_run_id": self.last_run_id,
                "updated_at": to_iso(self.updated_at) if self.updated_at else None, "reason": self.reason}


class LedgerEntry(Record):
    """A recorded run with the verdict it got (``assessment`` is its JSON, without the run)."""

    run: Run
    verdict: str | None = None
    assessment: Mapping[str, Any] = EMPTY_MAP
