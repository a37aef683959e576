"""Optional dependencies of the worker kinds: a missing one is a one-line error (exit 4)."""

from __future__ import annotations

from perth.errors import UnavailableError


def require(module: str, extra: str = "ops") -> None:
    """Check that ``module`` can be imported; else :class:`UnavailableError` naming the pip install."""
    import importlib.util

    try:
        missing = importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        missing = True
    if missing:
        raise UnavailableError(f"this job kind needs the optional package {module!r}",
                               f"install it with: pip install 'perth[{extra}]'")
