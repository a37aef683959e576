"""Enable/disable switches in layers: environment > command line > user file > the declaration.

- environment: ``PERTH_FEATURES_ENABLE`` and ``PERTH_FEATURES_DISABLE``, comma-separated names;
- command line: ``--enable NAME`` / ``--disable NAME``;
- user file: ``features-switches.toml`` in the config directory, an ``[enabled]`` table of
  ``NAME = true|false`` written by ``perth features enable|disable``;
- default: the declaration's ``enabled`` key (true unless said otherwise).
"""

from __future__ import annotations

import os

from perth.errors import ConfigError, InvalidInputError
from perth.record import EMPTY_MAP, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

ENV_ENABLE = "PERTH_FEATURES_ENABLE"
ENV_DISABLE = "PERTH_FEATURES_DISABLE"
SWITCHES_FILE = "features-switches.toml"
LAYERS: tuple[str, ...] = ("env", "cli", "user file")


class Switches(Record):
    """The explicit switches of each layer, by feature name (``True`` = enabled)."""

    env: Mapping[str, bool] = EMPTY_MAP  # type: ignore[assignment]
    cli: Mapping[str, bool] = EMPTY_MAP  # type: ignore[assignment]
    user: Mapping[str, bool] = EMPTY_MAP  # type: ignore[assignment]

    def decide(self, name: str, default: bool) -> tuple[bool, str]:
        """Whether ``name`` is switched on, and by which layer (``default`` when none says)."""
        for layer, values in zip(LAYERS, (self.env, self.cli, self.user), strict=True):
            if name in values:
                return values[name], layer
        return default, "default"


def _layer(enable: Iterable[str], disable: Iterable[str], where: str) -> dict[str, bool]:
    on, off = [n for n in enable if n], [n for n in disable if n]
    both = sorted(set(on) & set(off))
    if both:
        raise InvalidInputError(f"{where} both enables and disables {both[0]!r}", "say it once")
    return {**dict.fromkeys(on, True), **dict.fromkeys(off, False)}


def env_layer(environ: Mapping[str, str]) -> dict[str, bool]:
    """The switches of ``PERTH_FEATURES_ENABLE`` / ``PERTH_FEATURES_DISABLE``."""
    def split(name: str) -> list[str]:
        return [part.strip() for part in environ.get(name, "").split(",")]
    return _layer(split(ENV_ENABLE), split(ENV_DISABLE), f"the environment ({ENV_ENABLE}/{ENV_DISABLE})")


def cli_layer(enable: Iterable[str], disable: Iterable[str]) -> dict[str, bool]:
    """The switches of ``--enable`` / ``--disable``."""
    return _layer(enable, disable, "the command line")


def switches_path(config_dir: str) -> str:
    """The user's switches file."""
    return os.path.join(config_dir, SWITCHES_FILE)


def read_user_layer(path: str) -> dict[str, bool]:
    """The ``[enabled]`` table of the switches file (empty when the file does not exist)."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path} ({exc})", "fix or delete the file (perth features enable/disable"
                          " rewrite it)") from exc
    table = document.get("enabled", {})
    if not isinstance(table, dict) or not all(isinstance(v, bool) for v in table.values()):
        raise ConfigError(f"{path}: [enabled] must map feature names to true or false",
                          "fix or delete the file (perth features enable/disable rewrite it)")
    return dict(table)


def write_user_layer(path: str, values: Mapping[str, bool]) -> None:
    """Replace the switches file atomically."""
    import tomli_w

    from perth.files import write_atomic

    write_atomic(path, ["# written by `perth features enable|disable`: the user layer of the feature switches\n",
                        tomli_w.dumps({"enabled": dict(sorted(values.items()))})])
