"""The shell integration scripts (``perth init zsh|bash|fish``) and the spool's file names.

The scripts are real shell source files in ``perth/capture/shells/`` with two
placeholders, substituted by :func:`render_init` with values quoted for the
target shell:

- ``@PERTH_SPOOL_DIR@``: the directory holding the spool files (created with mode
  0700 by the script when missing);
- ``@PERTH_COMMAND@``: how to run ``perth``, used in the messages the scripts print.

File names in the spool directory (every shell computes the same ones)::

    <spool_dir>/<shell>-<session>.spool   one per shell process, mode 0600, appended
                                          by the hook, one line per command
    <spool_dir>/paused                    exists: nothing is recorded, in any shell
    <spool_dir>/paused.<session>          exists: that shell records nothing
    <spool_dir>/.bash-tty-<host>-<tty>.tmp  bash only: scratch file, blanked after each
                                          use (bash reads `history 1` through it), one per
                                          host and terminal, kept for the next shell there
    <spool_dir>/.bash-<session>.tmp       the same for a bash whose input is not a terminal

``<session>`` is the shell's ``$PERTH_SESSION``, set once when the script is first
sourced in a shell process and exported: ``<pid>-<start time in µs>`` (zsh, bash)
or ``<pid>-<random>`` (fish).  It only holds ``[0-9A-Za-z._-]``.

``perth init SHELL --install`` writes the same script, plus an upgrade check, to a file
(:mod:`perth.capture.install`): sourcing a file starts no Python at shell start-up.

This module is on the path of every shell start-up: it imports nothing beyond
:mod:`os` and :mod:`perth.errors`.
"""

from __future__ import annotations

import os

from perth.errors import InvalidInputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

SHELLS = ("zsh", "bash", "fish")
SPOOL_SUFFIX = ".spool"
GLOBAL_PAUSE_NAME = "paused"
_SESSION_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._-")
_SHELLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shells")


def _check_shell(shell: str) -> None:
    if shell not in SHELLS:
        raise InvalidInputError(f"unknown shell {shell!r}", f"use one of: {', '.join(SHELLS)}")


def script_path(shell: str) -> str:
    """The packaged integration script (a template) for ``shell``."""
    _check_shell(shell)
    return os.path.join(_SHELLS_DIR, f"perth.{shell}")


def quote(value: str, shell: str) -> str:
    """``value`` as one literal word for ``shell`` (single-quoted)."""
    _check_shell(shell)
    if "\0" in value:
        raise InvalidInputError("a shell value cannot contain a NUL character",
                                "choose a path without NUL characters")
    if shell == "fish":  # inside fish's single quotes only \\ and \' are escapes
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + value.replace("'", "'\\''") + "'"


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``@PERTH_<NAME>@`` of ``values`` replaced, in one pass.

    One pass: a value may itself contain ``@PERTH_...@`` and stays as it is.  Placeholders
    without a value are left untouched.
    """
    parts = template.split("@PERTH_")
    out = [parts[0]]
    for part in parts[1:]:
        name, sep, tail = part.partition("@")
        key = f"@PERTH_{name}@"
        out.append(values[key] + tail if sep and key in values else "@PERTH_" + part)
    return "".join(out)


def render_init(shell: str, *, spool_dir: str, perth_command: str,
                transform: Callable[[str], str] | None = None) -> str:
    """The integration script for ``shell`` with its placeholders filled in (``transform``: applied to the
    template first)."""
    with open(script_path(shell), encoding="utf-8") as handle:
        template = handle.read()
    if transform is not None:
        template = transform(template)
    return fill(template, {"@PERTH_SPOOL_DIR@": quote(spool_dir, shell),
                           "@PERTH_COMMAND@": quote(perth_command, shell)})


def check_session(session: str) -> str:
    """``session`` if it is a well-formed session id (what ``$PERTH_SESSION`` holds)."""
    if not session or len(session) > 128 or not _SESSION_CHARS.issuperset(session) or session[0] == ".":
        raise InvalidInputError(f"invalid shell session id {session[:40]!r}",
                                "run this from a shell set up with `perth init`, which sets $PERTH_SESSION")
    return session


def spool_file(spool_dir: str, shell: str, session: str) -> str:
    """The spool file a ``shell`` process with ``session`` appends to."""
    _check_shell(shell)
    return os.path.join(spool_dir, f"{shell}-{check_session(session)}{SPOOL_SUFFIX}")


def global_pause_flag(spool_dir: str) -> str:
    """While this file exists no shell records anything (``perth pause --global``)."""
    return os.path.join(spool_dir, GLOBAL_PAUSE_NAME)


def session_pause_flag(spool_dir: str, session: str) -> str:
    """While this file exists the shell whose ``$PERTH_SESSION`` is ``session`` records nothing."""
    return os.path.join(spool_dir, f"{GLOBAL_PAUSE_NAME}.{check_session(session)}")
