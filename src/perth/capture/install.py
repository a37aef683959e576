"""``perth init SHELL --install``: the integration script written to a file that the rc file sources.

``eval "$(perth init zsh)"`` starts a Python process in every new shell (about 30 ms of first
prompt).  Sourcing a file does not: :func:`install_script` writes

    <data_dir>/shell/perth.<shell>      mode 0600, in a directory of mode 0700

holding a header naming the Perth version that wrote it, the script of ``perth init SHELL`` and
the upgrade check of ``shells/perth-install.<shell>``: when the installed Perth package is newer
than the file (the shell's ``-nt`` test on the packaged template and on ``perth/__init__.py``:
a stat each, no fork), the shell registers an exit hook that rewrites the file in the
background by running :func:`regenerate_command`.  So an upgrade is picked up by the shells
started after the first shell that notices it has exited; the shell that notices keeps the
script it has.

The file holds the scripts without their comments, blank lines and indentation (shellcheck
directives kept): the shell reads the file at every start-up, in a time that grows with its
length (:func:`compact`; ``perth init SHELL`` prints them as they are in the package).

The file is written atomically (readers see the old or the new script) and its modification
time is set to at least that of every file it is checked against, so that it is not stale
right after being written.
"""

from __future__ import annotations

import os
import time

from perth import __version__
from perth.capture.integration import fill, quote, render_init, script_path
from perth.errors import UnavailableError
from perth.record import Record

HEADER_PREFIX = "# Perth "
_SHELLS_DIR = os.path.dirname(script_path("zsh"))
VERSION_FILE = os.path.join(os.path.dirname(os.path.dirname(_SHELLS_DIR)), "__init__.py")
RC_FILES = {"zsh": "~/.zshrc", "bash": "~/.bashrc", "fish": "~/.config/fish/config.fish"}


class InstalledScript(Record):
    """What ``perth init SHELL --install`` wrote."""

    shell: str
    path: str
    version: str
    source_line: str
    rc_file: str


def default_path(data_dir: str, shell: str) -> str:
    """Where the script for ``shell`` is installed by default."""
    return os.path.join(data_dir, "shell", f"perth.{shell}")


def source_line(shell: str, path: str) -> str:
    """The one line to add to the rc file."""
    return f"source {quote(path, shell)}"


def regenerate_command(shell: str, path: str, *, python: str, perth_home: str | None) -> str:
    """The command line (for ``shell``) that rewrites the installed script at ``path``."""
    words = [python, "-m", "perth", "init", shell, "--install", "--output", path]
    command = " ".join(quote(word, shell) for word in words)
    return f"PERTH_HOME={quote(perth_home, shell)} {command}" if perth_home else command


def compact(script: str) -> str:
    """``script`` without comment-only lines (``# shellcheck`` directives kept), blank lines and indentation.

    Line-based: the packaged scripts hold no multi-line string or here-document (the installed files are
    checked by ``bash -n``/``zsh -n``/``fish -n`` and shellcheck in the tests).
    """
    kept = []
    for line in script.splitlines():
        text = line.strip()
        if text and (not text.startswith("#") or text.startswith("# shellcheck ")):
            kept.append(text)
    return "\n".join(kept) + "\n"


def render_installed(shell: str, path: str, *, spool_dir: str, perth_command: str, regenerate: str) -> str:
    """The text of the installed script: header, integration script, upgrade check."""
    body = render_init(shell, spool_dir=spool_dir, perth_command=perth_command, transform=compact)
    with open(os.path.join(_SHELLS_DIR, f"perth-install.{shell}"), encoding="utf-8") as handle:
        footer = fill(compact(handle.read()), {
            "@PERTH_VERSION@": quote(__version__, shell), "@PERTH_TEMPLATE@": quote(script_path(shell), shell),
            "@PERTH_VERSION_FILE@": quote(VERSION_FILE, shell), "@PERTH_INSTALLED@": quote(path, shell),
            "@PERTH_REGENERATE@": regenerate,
        })
    header = (f"{HEADER_PREFIX}{__version__} shell integration for {shell}, written by"
              f" `perth init {shell} --install`.\n# Rewritten when Perth is upgraded: do not edit.\n\n")
    return header + body + footer


def _write_private(path: str, text: str, shell: str) -> None:
    from perth.files import write_atomic

    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    write_atomic(path, [text], mode=0o600)
    os.chmod(path, 0o600)
    checked = (script_path(shell), VERSION_FILE)
    newest = max(time.time_ns(), *(os.stat(p).st_mtime_ns for p in checked if os.path.exists(p)))
    os.utime(path, ns=(newest, newest))


def install_script(shell: str, *, spool_dir: str, data_dir: str, perth_command: str, python: str,
                   perth_home: str | None, output: str | None = None) -> InstalledScript:
    """Write the integration script for ``shell`` to ``output`` (default :func:`default_path`)."""
    path = os.path.abspath(os.path.expanduser(output)) if output else default_path(data_dir, shell)
    regenerate = regenerate_command(shell, path, python=python, perth_home=perth_home)
    text = render_installed(shell, path, spool_dir=spool_dir, perth_command=perth_command, regenerate=regenerate)
    try:
        _write_private(path, text, shell)
    except OSError as exc:
        raise UnavailableError(f"cannot write {path}: {exc.strerror or exc}",
                               "check that the directory is writable, or give another file to --output") from exc
    return InstalledScript(shell=shell, path=path, version=__version__, source_line=source_line(shell, path),
                           rc_file=RC_FILES[shell])


def installed_version(path: str) -> str | None:
    """The Perth version named in an installed script's header (``None``: not such a script)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return None
    if not first.startswith(HEADER_PREFIX):
        return None
    return first[len(HEADER_PREFIX):].split(" ", 1)[0] or None
