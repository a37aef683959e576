"""What the interfaces call: load the declarations, resolve, build, check, switch.

Declarations come from the user file (``features.toml`` in the config directory, when it exists)
and from every ``--file``; a name declared twice is an error.
"""

from __future__ import annotations

import os

from perth.errors import GateFailedError, NotFoundError
from perth.features.model import merge, read_file
from perth.features.resolve import resolve
from perth.features.switches import (
    Switches,
    cli_layer,
    env_layer,
    read_user_layer,
    switches_path,
    write_user_layer,
)
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from perth.features.measured import BudgetCheck, Measured
    from perth.features.model import Feature
    from perth.features.resolve import Resolution
    from perth.runtime import Runtime

USER_FILE = "features.toml"
CHECK_MODES: tuple[str, ...] = ("observe", "warn", "gate")


class Registry(Record):
    """The declared features, the files they came from, and the switches in force."""

    features: Mapping[str, Feature]
    sources: tuple[str, ...]
    switches: Switches

    def resolve(self, shell: str, platform: str | None = None) -> Resolution:
        """Order and states for ``shell``."""
        return resolve(self.features, self.switches, shell, platform)


class CheckReport(Record):
    """``perth features check``: structural problems, budgets, and the verdict of the mode."""

    resolution: Resolution
    measured: Measured
    budgets: tuple[BudgetCheck, ...]
    mode: str

    @property
    def findings(self) -> list[str]:
        """One sentence per problem and per exceeded budget."""
        found = [p.message for p in self.resolution.problems]
        found += [f"feature {b.name!r} took {b.measured_ms:.2f} ms, over its budget of {b.budget_ms:g} ms"
                  for b in self.budgets if b.status == "over" and self.resolution.states[b.name].enabled]
        return found

    @property
    def exit_code(self) -> int:
        """5 in gate mode when anything was found, else 0."""
        return GateFailedError.exit_code if self.mode == "gate" and self.findings else 0


def user_file(rt: Runtime) -> str:
    """The user's declarations file."""
    return os.path.join(rt.settings.paths.config_dir, USER_FILE)


def load_registry(rt: Runtime, files: Sequence[str] = (), enable: Sequence[str] = (),
                  disable: Sequence[str] = ()) -> Registry:
    """Read the user file and ``files``, and the switch layers."""
    sources = [user_file(rt)] if os.path.isfile(user_file(rt)) else []
    sources += [os.path.abspath(f) for f in files]
    features = merge(f for path in sources for f in read_file(path))
    switches = Switches(env=env_layer(rt.environ), cli=cli_layer(enable, disable),
                        user=read_user_layer(switches_path(rt.settings.paths.config_dir)))
    return Registry(features=features, sources=tuple(sources), switches=switches)


class Built(Record):
    """A generated loader: its text, its resolution, and the compiled copy written beside it (zsh)."""

    text: str
    resolution: Resolution
    compiled: str | None = None


def build(registry: Registry, shell: str, output: str | None) -> Built:
    """The loader (written atomically to ``output`` when given, and compiled to ``output.zwc`` for zsh)."""
    from perth.features.loader import build_loader, compile_zsh_loader

    resolution = registry.resolve(shell).check()
    text = build_loader(resolution, registry.sources)
    if not output:
        return Built(text=text, resolution=resolution)
    from perth.files import write_atomic

    stale = output + ".zwc"
    if os.path.exists(stale):
        os.unlink(stale)  # never leave a compiled copy of an older loader
    write_atomic(output, [text], mode=0o644)
    compiled = compile_zsh_loader(output) if shell == "zsh" else None
    return Built(text=text, resolution=resolution, compiled=compiled)


def check(rt: Runtime, registry: Registry, shell: str, *, mode: str = "observe",
          scope: str | None = None) -> CheckReport:
    """Problems of the declarations, and every feature's budget against the latest recorded shellperf run."""
    from perth.features.measured import budget_checks, latest_recorded_run, medians_of

    resolution = registry.resolve(shell)
    measured = medians_of(latest_recorded_run(rt, scope), registry.features)
    ordered = [f.name for f in resolution.order]
    names = ordered + sorted(set(registry.features) - set(ordered))
    budgets = budget_checks([registry.features[n] for n in names], measured)
    return CheckReport(resolution=resolution, measured=measured, budgets=tuple(budgets), mode=mode)


def set_switch(rt: Runtime, registry: Registry, name: str, on: bool, shell: str) -> Resolution:
    """Record ``name`` as enabled or disabled in the user layer; the resolution afterwards."""
    if name not in registry.features:
        known = ", ".join(sorted(registry.features)) or "none declared"
        raise NotFoundError(f"no feature {name!r}", f"use one of: {known}")
    path = switches_path(rt.settings.paths.config_dir)
    values = read_user_layer(path)
    values[name] = on
    write_user_layer(path, values)
    switches = Switches(env=registry.switches.env, cli=registry.switches.cli, user=values)
    return Registry(features=registry.features, sources=registry.sources, switches=switches).resolve(shell)

