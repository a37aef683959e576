"""``perth doctor``: is this installation healthy, and what should be fixed?

Each check returns a :class:`Check` with a status (``ok``, ``warn``, ``fail``),
what it found and, when not ok, how to fix it.  Checks never raise: a broken
config or store is reported, not fatal.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from perth import __version__
from perth.config import Settings, database_path, load_settings
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
INIT_LINES = {"zsh": ("~/.zshrc", "perth init zsh --install"), "bash": ("~/.bashrc", "perth init bash --install"),
              "fish": ("~/.config/fish/config.fish", "perth init fish --install")}
#: The slow form: the rc file runs ``perth init`` (``eval "$(perth init zsh)"``, ``perth init fish | source``),
#: which starts a Python process in every new shell.
SLOW_INIT = re.compile(r"(?:^|[\s;&|(`/])perth\s+init\s")
#: (module, what it gives, extra)
PYTHON_EXTRAS: tuple[tuple[str, str, str], ...] = (
    ("pygal", "SVG trend charts (perth shellperf report --chart)", "charts"),
    ("opentelemetry.sdk", "OpenTelemetry spans (trace.exporter)", "otel"),
    ("tree_sitter", "code index of JavaScript/TypeScript, Go, Rust, Java and shell (perth code)", "code"),
    ("aio_pika", "events to RabbitMQ (events.transports)", "brokers"),
    ("nats", "events to NATS JetStream (events.transports)", "brokers"),
    ("paho.mqtt", "events to MQTT (events.transports)", "brokers"),
    ("redis", "events to Redis Streams (events.transports)", "brokers"),
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
    checks = [Check("config", "config file", "ok", detail)]
    checks += [Check("config", "unknown key", "fail", what, fix) for what, fix in settings.unknown]
    return checks, settings


def _encryption_check(settings: Settings, environ: Mapping[str, str]) -> Check | None:
    """Whether the SQLite file is encrypted at rest, and whether that agrees with store.encryption."""
    if settings.store.url.strip():
        return None
    from perth.store import crypt

    path = database_path(settings)
    on = settings.store.encryption == "sqlcipher"
    encrypted = crypt.is_encrypted(path)
    if not on:
        return (Check("store", "encryption", "fail", f"{path} looks encrypted but store.encryption is off",
                      "perth config set store.encryption sqlcipher (and give its key)") if encrypted else
                Check("store", "encryption", "ok", "off: the data file is plain SQLite (`perth store encrypt`"
                      " turns encryption at rest on)"))
    try:
        keys, source = crypt.store_keys(path, environ)
        version = crypt.cipher_version(path, keys) if os.path.exists(path) else "no file yet"
    except PerthError as exc:
        return Check("store", "encryption", "fail", exc.what, exc.fix)
    detail = f"on: SQLCipher {version}, key from {'$' + crypt.KEY_ENV if source == 'env' else 'the OS keyring'}"
    if os.path.exists(path) and not encrypted:
        return Check("store", "encryption", "fail", f"store.encryption is sqlcipher but {path} is plain",
                     "run `perth store encrypt`")
    if os.path.exists(path + ".search"):
        return Check("store", "encryption", "warn", detail + f"; the search index {path}.search is not encrypted",
                     "remove it (perth search rebuilds it) or keep the data directory on an encrypted disk")
    return Check("store", "encryption", "ok", detail)


def _store_checks(settings: Settings, environ: Mapping[str, str] | None = None) -> list[Check]:
    from perth.store import open_store

    environ = os.environ if environ is None else environ
    encryption = _encryption_check(settings, environ)
    try:
        store = open_store(settings, environ)
    except PerthError as exc:
        fix = "perth doctor --recover, or " + exc.fix if "damaged" in exc.what else exc.fix
        return [Check("store", "data file", "fail", exc.what, fix), *([encryption] if encryption else [])]
    try:
        info = store.info()
    except Exception as exc:  # a damaged file may fail any query: reported, not fatal
        return [_damaged(database_path(settings), [str(exc)])]
    finally:
        store.close()
    if info.adapter == "sqlite" and settings.store.encryption != "sqlcipher":  # --recover reads plain SQLite only
        from perth.store.recover import integrity_problems

        problems = integrity_problems(info.location)
        if problems:
            return [_damaged(info.location, problems)]
    size_kib = info.size_bytes / 1024
    return [
        Check("store", "data file", "ok", f"{info.adapter} {info.location} ({size_kib:.0f} KiB)"),
        Check("store", "schema", "ok",
              f"version {info.schema_version} of {info.latest_schema_version}"),
        Check("store", "contents", "ok", f"{info.panes} panes, {info.entries} entries"),
        *([encryption] if encryption else []),
    ]


def _damaged(path: str, problems: list[str]) -> Check:
    return Check("store", "integrity", "fail", f"{path} is damaged: {'; '.join(problems)[:300]}",
                 "perth doctor --recover (salvages into a new file, keeps the damaged one beside it)")


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
    from perth.extras import install_command, module_available

    exporter = str(settings.get("trace.exporter"))
    if exporter == "none":
        return [Check("trace", "exporter", "ok", "off (trace.exporter = none)")]
    module = TRACE_MODULES[exporter]
    if not module_available(module):
        return [Check("trace", "exporter", "fail", f"{exporter}: OpenTelemetry is not installed ({module})",
                      f"{install_command('otel')}, or set trace.exporter to none")]
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
    except Exception:  # a damaged file: the store check reports it
        return {}
    finally:
        store.close()


def _shell_checks(environ: Mapping[str, str], paths: PerthPaths) -> list[Check]:
    home = Path(environ.get("HOME", str(Path.home())))
    checks = []
    for shell, rc_files in SHELL_RC_FILES.items():
        if shutil.which(shell) is None:
            continue
        texts = {rc: _read(home / rc) for rc in rc_files}
        hooked = [rc for rc, text in texts.items() if "perth init" in text or _sources_installed(text, shell)]
        slow = [rc for rc, text in texts.items() if any(SLOW_INIT.search(line) for line in _code_lines(text))]
        rc, command = INIT_LINES[shell]
        if slow:
            checks.append(Check("shell", shell, "warn",
                                f"~/{slow[0]} starts Python in every new shell (`perth init {shell}` run by the rc"
                                " file adds tens of ms to every first prompt)",
                                f"run `{command}` and put the `source` line it prints in place of that line"))
        elif hooked:
            checks.append(Check("shell", shell, "ok", f"commands recorded (loaded from ~/{hooked[0]})"))
        else:
            checks.append(Check("shell", shell, "ok", "commands not recorded",
                                f"to record them, run `{command}` and add the line it prints to {rc}"))
        checks += _installed_checks(paths, shell)
    current = Path(environ.get("SHELL", "")).name or "unknown"
    checks.append(Check("shell", "login shell", "ok", current))
    return checks


def _installed_checks(paths: PerthPaths, shell: str) -> list[Check]:
    """The script ``perth init SHELL --install`` wrote, when it is older than this Perth."""
    from perth.capture.install import default_path, installed_version

    path = default_path(paths.data_dir, shell)
    version = installed_version(path)
    if version is None or version == __version__:
        return []
    return [Check("shell", f"{shell} script", "warn", f"{path} was written by Perth {version} (this is {__version__});"
                  " it is rewritten in the background when a shell that sourced it exits",
                  f"or rewrite it now: perth init {shell} --install")]


def _read(rc: Path) -> str:
    try:
        return rc.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _code_lines(text: str) -> list[str]:
    """The lines of ``text`` that are not comments."""
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def _sources_installed(text: str, shell: str) -> bool:
    return f"shell/perth.{shell}" in text


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
    from perth.extras import install_command, module_available

    checks = []
    for module, purpose, extra in PYTHON_EXTRAS:
        found = module_available(module)
        checks.append(Check("optional", module, "ok", f"{'installed' if found else 'not installed'} — {purpose}",
                            "" if found else install_command(extra)))
    return checks


def run_doctor(paths: PerthPaths, environ: Mapping[str, str]) -> DoctorReport:
    """Run every check."""
    python = f"Python {platform.python_version()} ({sys.executable})"
    checks = [Check("perth", "version", "ok", f"perth {__version__}, {python}")]
    checks += _paths_checks(paths)
    config_checks, settings = _config_checks(paths, environ)
    checks += config_checks
    if settings is not None:
        checks += _store_checks(settings, environ)
        checks += _provider_checks(settings, environ)
        checks += _trace_checks(settings)
    else:
        checks.append(Check("store", "data file", "warn", "not checked: the configuration is invalid",
                            "fix the configuration first"))
    checks += _shell_checks(environ, paths)
    checks += _tool_checks()
    checks += _python_extra_checks()
    return DoctorReport(version=__version__, checks=tuple(checks))
