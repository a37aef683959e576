"""Where Perth keeps its files.

``PERTH_HOME`` overrides everything: config, data and state all live under it
(``config.toml``, ``perth.db``, ``state/``).  Otherwise the XDG locations from
platformdirs: ``~/.config/perth/config.toml``, ``~/.local/share/perth/perth.db``,
``~/.local/state/perth/``.

Paths are plain strings here: this module is on the ``perth log`` hot path, where
importing :mod:`pathlib` costs a tenth of the time budget.
"""

from __future__ import annotations

import os

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class PerthPaths(Record):
    """The directories and files Perth uses (absolute paths)."""

    config_dir: str
    data_dir: str
    state_dir: str
    from_home: bool

    @property
    def config_file(self) -> str:
        """The user's ``config.toml``."""
        return os.path.join(self.config_dir, "config.toml")

    @property
    def database(self) -> str:
        """The default SQLite data file."""
        return os.path.join(self.data_dir, "perth.db")

    @property
    def log_dir(self) -> str:
        """Where log files go by default."""
        return os.path.join(self.state_dir, "logs")


def resolve_paths(environ: Mapping[str, str] | None = None) -> PerthPaths:
    """Resolve Perth's paths from ``PERTH_HOME`` or the platform's conventions."""
    env = os.environ if environ is None else environ
    home = env.get("PERTH_HOME", "").strip()
    if home:
        root = os.path.abspath(os.path.expanduser(home))
        return PerthPaths(config_dir=root, data_dir=root, state_dir=os.path.join(root, "state"), from_home=True)
    import platformdirs

    return PerthPaths(
        config_dir=platformdirs.user_config_dir("perth", appauthor=False),
        data_dir=platformdirs.user_data_dir("perth", appauthor=False),
        state_dir=platformdirs.user_state_dir("perth", appauthor=False),
        from_home=False,
    )
