"""Optional extras: is one installed, and the one command that installs it.

The core install (``pip install perth`` or ``pip install .``) carries no optional dependency;
each heavy part lives in an extra (``[charts]``, ``[otel]``, ...).  Code that needs one asks
:func:`module_available` (safe on dotted names whose parent package is missing, where
:func:`importlib.util.find_spec` raises) or raises :func:`missing_extra` when the import fails:
a one-line :class:`~perth.errors.UnavailableError` (exit 4) naming the pip command that fits how
Perth was installed — ``'perth[otel]'`` from an index, ``'/path/to/checkout[otel]'`` from a clone.
"""

from __future__ import annotations

from perth.errors import UnavailableError


def module_available(name: str) -> bool:
    """Whether ``name`` (dotted or not) can be imported, without importing it."""
    from importlib.util import find_spec

    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):  # a missing parent package, or a half-installed module
        return False


def install_command(extra: str) -> str:
    """``pip install '<where Perth came from>[extra]'``."""
    return f"pip install '{_install_source()}[{extra}]'"


def missing_extra(what: str, extra: str, alternative: str = "") -> UnavailableError:
    """The error for a feature whose extra is not installed: ``<what> needs the [extra] extra — pip ...``."""
    fix = install_command(extra) + (f", or {alternative}" if alternative else "")
    return UnavailableError(f"{what} needs the optional [{extra}] extra, which is not installed", fix)


def _install_source() -> str:
    """``perth``, or the checkout folder when Perth was installed from a local directory."""
    import json
    from importlib import metadata

    try:
        text = metadata.distribution("perth").read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # running from a source tree without an install
        return "perth"
    try:
        url = str(json.loads(text or "{}").get("url", ""))
    except ValueError:
        return "perth"
    if not url.startswith("file://"):
        return "perth"
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(url).path) or "perth"
