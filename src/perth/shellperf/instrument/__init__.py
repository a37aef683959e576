"""The instrumentation library, as real shell source files (``perth-segments.zsh|bash``)."""

from __future__ import annotations

from perth.errors import InvalidInputError

LIBRARY_SHELLS: tuple[str, ...] = ("zsh", "bash")


def library_source(shell: str) -> str:
    """The library for ``shell``, to be sourced at the top of its rc file."""
    if shell not in LIBRARY_SHELLS:
        raise InvalidInputError(f"no instrumentation library for {shell!r}",
                                f"use one of: {', '.join(LIBRARY_SHELLS)}")
    from importlib.resources import files

    return (files(__name__) / f"perth-segments.{shell}").read_text(encoding="utf-8")
