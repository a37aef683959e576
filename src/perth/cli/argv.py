"""Which command a ``perth`` command line runs (read before any parser is built: on the entry point's path)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Container

#: Options of ``perth`` itself that take a value (the command is the first other word).
_VALUED = frozenset({"--set"})


def command_name(argv: list[str], commands: Container[str]) -> str | None:
    """The command among ``commands`` that ``argv`` runs (its first word that is not an option of
    ``perth`` itself or the value of one), or ``None``."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _VALUED:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg if arg in commands else None
    return None


__all__ = ["command_name"]
