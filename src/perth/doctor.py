"""``perth doctor``: is this installation healthy, and what should be fixed?

Each check returns a :class:`Check` with a status (``ok``, ``warn``, ``fail``),
what it found and, when not ok, how to fix it.  Checks never raise: a broken
config or store is reported, not fatal.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from perth import __version__
from perth.config import Settings, load_settings
from perth.errors import PerthError
from perth.paths import PerthPaths
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from perth.resilience.breaker import BreakerState

    CheckStatus = Literal["ok", "warn", "fail"]

SHELL_RC_FILES: dict[str, tuple[str, ...]] = {
    "zsh": (".zshrc", ".zshenv"),
    "bash": (".bashrc", ".bash_profile"),
    "fish": (".config/fish/config.fish",),
}
INIT_LINES = {"zsh": ('~/.zshrc', 'eval "$(perth init zsh)"'), "bash": ("~/.bashrc", 'eval "$(perth init bash)"'),
              "fish": ("~/.config/fish/config.fish", "perth init fish | source")}
PYTHON_EXTRAS: tuple[tuple[str, str, str], ...] = (
    ("pygal", "SVG trend charts (perth shellperf report --chart)", "pip install 'perth[charts]'"),
    ("opentelemetry.sdk", "OpenTelemetry spans (trace.exporter)", "pip install 'perth[otel]'"),
    ("aio_pika", "events to RabbitMQ (events.transports)", "pip install 'perth[brokers]'"),
    ("nats", "events to NATS JetStream (events.transports)", "pip install 'perth[brokers]'"),
    ("paho.mqtt", "events to MQTT (events.transports)", "pip install 'perth[brokers]'"),
    ("redis", "events to Redis Streams (events.transports)", "pip install 'perth[brokers]'"),
)
#: The module each ``trace.exporter`` needs.
TRACE_MODULES = {"console": "opentelemetry.sdk.trace",
                 "otlp": "opentelemetry.exporter.otlp.proto.http.trace_exporter"}
TOOLS: tuple[tuple[str, str], ...] = (
    ("git", "branch and dirty files in `perth status`, repository detection"),
    ("tmux", "terminal multiplexer panes ($TMUX_PANE resolution)"),
    ("zsh", "shell"), ("bash", "shell"), ("fish", "shell"),
)


class Check(Record):
    """One diagnostic."""

    area: str
    name: str
    status: CheckStatus
    detail: str
    fix: str = ""


class DoctorReport(Record):
    """Every check, and the overall verdict."""

    version: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """No check failed."""
        return all(check.status != "fail" for check in self.checks)


def _paths_checks(paths: PerthPaths) -> list[Check]:
    origin = "PERTH_HOME" if paths.from_home else "XDG/platform defaults"
    checks = [Check("paths", "locations", "ok",
                    f"config {paths.config_dir}, data {paths.data_dir}, state {paths.state_dir} ({origin})")]
    for label, directory in (("data dir", Path(paths.data_dir)), ("state dir", Path(paths.state_dir))):
        existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
        if existing is not None and not os.access(existing, os.W_OK):
            checks.append(Check("paths", label, "fail", f"{existing} is not writable",
                                "make it writable or set PERTH_HOME to a writable directory"))
    return checks


def _config_checks(paths: PerthPaths, environ: Mapping[str, str]) -> tuple[list[Check], Settings | None]:
    exists = Path(paths.config_file).exists()
    try:
        settings = load_settings(paths, environ)
    except PerthError as exc:
        return [Check("config", "config file", "fail", exc.what, exc.fix)], None
    overridden = sorted(k for k, s in settings.sources.items() if s != "default")
    detail = f"{paths.config_file} ({'present' if exists else 'absent: defaults in use'})"
    if overridden:
        detail += f"; set: {', '.join(overridden)}"
    return [Check("config", "config file", "ok", detail)], settings


def _store_checks(settings: Settings) -> list[Check]:
    from perth.store import open_store

    try:
        store = open_store(settings)
    except PerthError as exc:
        return [Check("store", "data file", "fail", exc.what, exc.fix)]
    try:
        info = store.info()
    finally:
        store.close()
    size_kib = info.size_bytes / 1024
    return [
        Check("store", "data file", "ok", f"{info.adapter} {info.location} ({size_kib:.0f} KiB)"),
        Check("store", "schema", "ok",
              f"version {info.schema_version} of {info.latest_schema_version}"),
        Check("store", "contents", "ok", f"{info.panes} panes, {info.entries} entries"),
    ]


def _provider_checks(settings: Settings, environ: Mapping[str, str]) -> list[Check]:
    """Each provider of ``llm.chain``: configured, and its circuit breaker not open."""
    from perth.summarize.service import BREAKER_PREFIX, breaker_policy, chain_for, describe_provider

    try:
        chain = chain_for(settings)
    except PerthError as exc:
        return [Check("llm", "chain", "fail", exc.what, exc.fix)]
    checks = [Check("llm", "chain", "ok", " -> ".join(chain))]
    breakers = _breakers(settings)
    for name in chain:
        info = describe_provider(name, settings, environ)
        state = breakers.get(BREAKER_PREFIX + name)
        retry_at = state.retry_at(breaker_policy(settings)) if state is not None else None
        if not info.ready:
            checks.append(Check("llm", name, "warn", f"{info.model}: {info.configured}",
                                f"{info.fix}, or drop the provider from llm.chain"))
        elif state is not None and state.state == "open" and retry_at is not None:
            checks.append(Check("llm", name, "warn", f"{info.model}: circuit breaker open"
                                f" ({state.last_error or 'failing'})",
                                "`perth providers status` for details; `perth providers reset` to retry now"))
        else:
            checks.append(Check("llm", name, "ok", f"{info.model} ({info.configured})"))
    return checks


def _trace_checks(settings: Settings) -> list[Check]:
    """``trace.exporter``: off, or on with what it needs installed."""
    from importlib.util import find_spec

    exporter = str(settings.get("trace.exporter"))
    if exporter == "none":
        return [Check("trace", "exporter", "ok", "off (trace.exporter = none)")]
    module = TRACE_MODULES[exporter]
    try:
        found = find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return [Check("trace", "exporter", "fail", f"{exporter}: OpenTelemetry is not installed ({module})",
                      "pip install 'perth[otel]', or set trace.exporter to none")]
    where = "stderr" if exporter == "console" else (str(settings.get("trace.endpoint")) or "the OTEL_* default")
    return [Check("trace", "exporter", "ok", f"{exporter} -> {where}")]


def _breakers(settings: Settings) -> dict[str, BreakerState]:
    from perth.store import open_store

    try:
        store = open_store(settings)
    except PerthError:
        return {}  # the store check reports it
    try:
        return {b.name: b for b in store.breakers.all()}
    finally:
        store.close()


def _shell_checks(environ: Mapping[str, str]) -> list[Check]:
    home = Path(environ.get("HOME", str(Path.home())))
    checks = []
    for shell, rc_files in SHELL_RC_FILES.items():
        if shutil.which(shell) is None:
            continue
        hooked = [rc for rc in rc_files if _mentions_perth(home / rc)]
        rc, line = INIT_LINES[shell]
        if hooked:
            checks.append(Check("shell", shell, "ok", f"commands recorded (loaded from ~/{hooked[0]})"))
        else:
            checks.append(Check("shell", shell, "ok", "commands not recorded",
                                f"to record them, add `{line}` to {rc}"))
    current = Path(environ.get("SHELL", "")).name or "unknown"
    checks.append(Check("shell", "login shell", "ok", current))
    return checks


def _mentions_perth(rc: Path) -> bool:
    try:
        return "perth init" in rc.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _tool_checks() -> list[Check]:
    checks = []
    for tool, purpose in TOOLS:
        location = shutil.which(tool)
        status: CheckStatus = "ok" if location or tool != "git" else "warn"
        detail = f"{location} — {purpose}" if location else f"not found — {purpose}"
        fix = "" if location or tool != "git" else "install git for repository and branch detection"
        checks.append(Check("optional", tool, status, detail, fix))
    return checks


def _python_extra_checks() -> list[Check]:
    from importlib.util import find_spec

    checks = []
    for module, purpose, install in PYTHON_EXTRAS:
        found = find_spec(module) is not None
        checks.append(Check("optional", module, "ok", f"{'installed' if found else 'not installed'} — {purpose}",
                            "" if found else install))
    return checks


def run_doctor(paths: PerthPaths, environ: Mapping[str, str]) -> DoctorReport:
    """Run every check."""
    python = f"Python {platform.python_version()} ({sys.executable})"
    checks = [Check("perth", "version", "ok", f"perth {__version__}, {python}")]
    checks += _paths_checks(paths)
    config_checks, settings = _config_checks(paths, environ)
    checks += config_checks
    if settings is not None:
        checks += _store_checks(settings)
        checks += _provider_checks(settings, environ)
        checks += _trace_checks(settings)
    else:
        checks.append(Check("store", "data file", "warn", "not checked: the configuration is invalid",
                            "fix the configuration first"))
    checks += _shell_checks(environ)
    checks += _tool_checks()
    checks += _python_extra_checks()
    return DoctorReport(version=__version__, checks=tuple(checks))
