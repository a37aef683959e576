"""Feature declarations: one ``[features.NAME]`` table per feature, read with :mod:`tomllib`.

Keys: ``description``, ``phase`` (``preload``, ``init``, ``postprompt``, ``idle``; default ``init``),
``depends_on`` (names), ``source`` (a file) or ``snippet`` (shell code), ``enabled`` (default true),
``budget_ms``, ``platforms`` (default: every platform) and ``shells`` (default: zsh and bash).
A relative ``source`` is relative to the file that declares it; ``~`` and ``$NAME``/``${NAME}`` in
it are expanded by the shell when the loader runs. Every error names the file, the feature, the key
and the accepted values.
"""

from __future__ import annotations

import os
import re
import sys

from perth.errors import ConfigError, NotFoundError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

PHASES: tuple[str, ...] = ("preload", "init", "postprompt", "idle")
DEFERRED_PHASES: tuple[str, ...] = ("postprompt", "idle")
SHELLS: tuple[str, ...] = ("zsh", "bash")
PLATFORMS: tuple[str, ...] = ("linux", "darwin", "freebsd", "openbsd", "netbsd", "cygwin")
KEYS: tuple[str, ...] = ("description", "phase", "depends_on", "source", "snippet", "enabled", "budget_ms",
                         "platforms", "shells")
# the lifecycle markers of the timing library: a feature of that name would be read as a marker
RESERVED: tuple[str, ...] = ("pre_plugin_total", "post_plugin_total", "prompt_ready", "deferred_total")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,47}")
# a path, with ~ at the start and $NAME / ${NAME} expansions; nothing else the shell would interpret
SOURCE = re.compile(r"(?:~(?=/|$))?(?:[^\"`$\\\n]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})+")


class Feature(Record):
    """One declared feature."""

    name: str
    phase: str = "init"
    description: str = ""
    depends_on: tuple[str, ...] = ()
    source: str | None = None
    snippet: str | None = None
    enabled: bool = True
    budget_ms: float | None = None
    platforms: tuple[str, ...] = ()
    shells: tuple[str, ...] = SHELLS
    origin: str = ""

    @property
    def phase_rank(self) -> int:
        """The phase's position in :data:`PHASES` (earlier phases load first)."""
        return PHASES.index(self.phase)

    @property
    def source_path(self) -> str | None:
        """``source`` made absolute against the declaring file (unless it starts with ``~`` or ``$``)."""
        if self.source is None or self.source.startswith(("~", "$", "/")) or not self.origin:
            return self.source
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(self.origin)), self.source))

    def to_json(self) -> dict[str, Any]:
        """The declaration as JSON (``origin`` included)."""
        return {"name": self.name, "phase": self.phase, "description": self.description,
                "depends_on": list(self.depends_on), "source": self.source_path, "snippet": self.snippet,
                "enabled": self.enabled, "budget_ms": self.budget_ms, "platforms": list(self.platforms),
                "shells": list(self.shells), "origin": self.origin}


def current_platform() -> str:
    """This machine's platform in :data:`PLATFORMS` terms (``linux``, ``darwin``, ...)."""
    return next((p for p in PLATFORMS if sys.platform.startswith(p)), sys.platform)


class _Table:
    """One ``[features.NAME]`` table being validated, for messages that name the place."""

    def __init__(self, origin: str, name: str, table: Mapping[str, Any]) -> None:
        self.origin, self.name, self.table = origin, name, table

    def fail(self, key: str, what: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.origin}: feature {self.name!r}: key {key!r} {what}", fix)

    def text(self, key: str, default: str | None) -> str | None:
        value = self.table.get(key, default)
        if value is not None and (not isinstance(value, str) or (key != "description" and not value.strip())):
            raise self.fail(key, f"must be a non-empty string (got {value!r})", f"write {key} = \"...\"")
        return value

    def choice(self, key: str, accepted: tuple[str, ...], default: str) -> str:
        value = self.table.get(key, default)
        if value not in accepted:
            raise self.fail(key, f"is {value!r}", f"use one of: {', '.join(accepted)}")
        return str(value)

    def names(self, key: str, accepted: tuple[str, ...] | None, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        hint = f"one of: {', '.join(accepted)}" if accepted else "feature names"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"must be a list of strings (got {value!r})", f"write {key} = [...] with {hint}")
        for item in value:
            if (accepted and item not in accepted) or (not accepted and not NAME.fullmatch(item)):
                raise self.fail(key, f"contains {item!r}", f"use {hint}")
        return tuple(dict.fromkeys(value))

    def flag(self, key: str) -> bool:
        value = self.table.get(key, True)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {value!r})", f"write {key} = true or false")
        return value

    def budget(self) -> float | None:
        value = self.table.get("budget_ms")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 60_000:
            raise self.fail("budget_ms", f"must be a number of milliseconds above 0 (got {value!r})",
                            "write budget_ms = 20, for example")
        return float(value)


def _source_and_snippet(table: _Table) -> tuple[str | None, str | None]:
    source, snippet = table.text("source", None), table.text("snippet", None)
    if (source is None) == (snippet is None):
        raise table.fail("source", "and 'snippet': exactly one must be given",
                         "give the file to source with source = \"...\" or the code with snippet = \"...\"")
    if source is not None and not SOURCE.fullmatch(source):
        raise table.fail("source", f"is {source!r}: only a path with ~, $NAME or ${{NAME}} is accepted",
                         "remove quotes, backquotes, backslashes and $(...) from the path")
    return source, snippet


def parse_feature(origin: str, name: str, raw: object) -> Feature:
    """Validate one ``[features.NAME]`` table."""
    if not NAME.fullmatch(name) or name in RESERVED:
        raise ConfigError(f"{origin}: feature name {name!r} is not accepted",
                          "use letters, digits, '.', '_' and '-' (at most 48, not a lifecycle marker name)")
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: features.{name} must be a table", f"write [features.{name}] and its keys")
    table = _Table(origin, name, raw)
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise table.fail(unknown[0], "is not a feature key", f"use one of: {', '.join(KEYS)}")
    source, snippet = _source_and_snippet(table)
    return Feature(name=name, phase=table.choice("phase", PHASES, "init"),
                   description=table.text("description", "") or "",
                   depends_on=table.names("depends_on", None, ()), source=source, snippet=snippet,
                   enabled=table.flag("enabled"), budget_ms=table.budget(),
                   platforms=table.names("platforms", PLATFORMS, ()), shells=table.names("shells", SHELLS, SHELLS),
                   origin=origin)


def parse_document(origin: str, document: Mapping[str, Any]) -> list[Feature]:
    """The features of one parsed TOML document (only a ``features`` table is accepted at the top)."""
    extra = sorted(set(document) - {"features"})
    if extra:
        raise ConfigError(f"{origin}: unknown top-level key {extra[0]!r}",
                          "declare each feature as a [features.NAME] table")
    tables = document.get("features", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{origin}: 'features' must be a table", "declare each feature as a [features.NAME] table")
    return [parse_feature(origin, name, raw) for name, raw in tables.items()]


def read_file(path: str) -> list[Feature]:
    """Read and validate one declarations file."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise NotFoundError(f"no features file {path}", "give an existing file to --file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", "fix the syntax at that line") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc.strerror})", "check the file's permissions") from exc
    return parse_document(path, document)


def merge(features: Iterable[Feature]) -> dict[str, Feature]:
    """Features by name; a name declared twice is an error naming both places."""
    merged: dict[str, Feature] = {}
    for feature in features:
        earlier = merged.get(feature.name)
        if earlier is not None:
            raise ConfigError(f"feature {feature.name!r} is declared in {earlier.origin} and in {feature.origin}",
                              "keep one declaration (rename or delete the other)")
        merged[feature.name] = feature
    return merged
