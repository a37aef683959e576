"""``perth init SHELL --install``: the integration script written to a file that the rc file sources.

``eval "$(perth init zsh)"`` starts a Python process in every new shell (about 30 ms of first
prompt).  Sourcing a file does not: :func:`install_script` writes

    <data_dir>/shell/perth.<shell>      mode 0600, in a directory of mode 0700

(for bash, with ``<file>.deferred-<digest>`` beside it: see :data:`DEFERRED`)
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


#: Functions of a shell's script that only a command that ran needs (recording it), by shell: the installed
#: file leaves them to a second file that the first recorded command sources.  bash reads the file it is
#: told to source at every start in a time that grows with its length, and these are about half of it.
DEFERRED: dict[str, tuple[str, ...]] = {
    "bash": ("_perth_find_repo", "_perth_context", "_perth_command_line", "_perth_only_repeats_dropped",
             "_perth_append", "_perth_record"),
}
#: The deferred functions the rest of the script calls: in the installed file, stubs that load the others.
_ENTRIES = {"bash": ("_perth_command_line", "_perth_record")}
#: How long a deferred file no installed script names is kept (a shell started before an upgrade may still
#: load the one its script names).
KEEP_OLD_DEFERRED_S = 7 * 86_400


def split_deferred(shell: str, script: str) -> tuple[str, str]:
    """``(the script without the deferred functions, their definitions)`` of a compacted script (each
    function starts with a line ``name() {`` and ends with the next line that is only ``}``)."""
    names = DEFERRED.get(shell, ())
    kept: list[str] = []
    deferred: list[str] = []
    lines = iter(script.splitlines())
    found = []
    for line in lines:
        name = line[:-len("() {")] if line.endswith("() {") else ""
        if name not in names:
            kept.append(line)
            continue
        found.append(name)
        deferred.append(line)
        for body in lines:
            deferred.append(body)
            if body == "}":
                break
        else:
            raise ValueError(f"the {shell} script's function {name} has no closing line")
    if sorted(found) != sorted(names):
        raise ValueError(f"the {shell} script lacks the deferred functions {sorted(set(names) - set(found))}")
    return "\n".join(kept) + "\n", "\n".join(deferred) + "\n"


def deferred_path(path: str, deferred: str) -> str:
    """The file of the deferred functions ``deferred`` of the script installed at ``path``: named after its
    content, so a script only ever loads the definitions it was written with."""
    import hashlib

    return f"{path}.deferred-{hashlib.sha256(deferred.encode()).hexdigest()[:16]}"


def _loader(shell: str, path: str) -> str:
    """The stubs standing for the deferred functions: the first call sources their file (which replaces them;
    when it cannot, they are replaced by functions that record nothing), then runs them."""
    quoted = quote(path, shell)
    stubs = "".join(f"{name}() {{ _perth_load_deferred; {name} \"$@\"; }}\n" for name in _ENTRIES[shell])
    return ("_perth_load_deferred() {\n"
            "# shellcheck source=/dev/null\n"
            f"builtin source {quoted} 2>/dev/null && [[ ${{_perth_deferred_loaded-}} == {quoted} ]] && return 0\n"
            "_perth_command_line() { _perth_r=''; }\n"
            "_perth_record() { :; }\n"
            f"builtin printf 'perth: %s is missing: commands are not recorded (run: perth init {shell} --install)\\n'"
            f" {quoted} >&2\n"
            "return 1\n"
            "}\n" + stubs)


def render_installed(shell: str, path: str, *, spool_dir: str, perth_command: str, regenerate: str) -> str:
    """The text of the installed script: header, integration script, upgrade check."""
    return render_installed_files(shell, path, spool_dir=spool_dir, perth_command=perth_command,
                                  regenerate=regenerate)[path]


def render_installed_files(shell: str, path: str, *, spool_dir: str, perth_command: str,
                           regenerate: str) -> dict[str, str]:
    """The installed files by path: the script (header, integration script, upgrade check) and, for a
    shell with :data:`DEFERRED` functions, the file holding them."""
    body = render_init(shell, spool_dir=spool_dir, perth_command=perth_command, transform=compact)
    files = {}
    if shell in DEFERRED:
        body, deferred = split_deferred(shell, body)
        extra = deferred_path(path, deferred)
        files[extra] = (f"# Perth {__version__}: the {shell} functions {os.path.basename(path)} loads when the"
                        f" first command has run.\n# shellcheck shell={shell}\n"
                        "# shellcheck disable=SC2154  # assigned by the script that sources this file\n"
                        f"{deferred}_perth_deferred_loaded={quote(extra, shell)}\n")
        marker = "_perth_install\n"  # the stubs go before the script's last line, the call that installs it
        at = body.rindex(marker)
        body = body[:at] + _loader(shell, extra) + body[at:]
    with open(os.path.join(_SHELLS_DIR, f"perth-install.{shell}"), encoding="utf-8") as handle:
        footer = fill(compact(handle.read()), {
            "@PERTH_VERSION@": quote(__version__, shell), "@PERTH_TEMPLATE@": quote(script_path(shell), shell),
            "@PERTH_VERSION_FILE@": quote(VERSION_FILE, shell), "@PERTH_INSTALLED@": quote(path, shell),
            "@PERTH_REGENERATE@": regenerate,
        })
    header = (f"{HEADER_PREFIX}{__version__} shell integration for {shell}, written by"
              f" `perth init {shell} --install`.\n# Rewritten when Perth is upgraded: do not edit.\n\n")
    files[path] = header + body + footer
    return files


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
    files = render_installed_files(shell, path, spool_dir=spool_dir, perth_command=perth_command,
                                   regenerate=regenerate)
    try:
        for target, text in sorted(files.items(), key=lambda item: item[0] == path):  # the script last
            _write_private(target, text, shell)
        _remove_old_deferred(path, set(files))
    except OSError as exc:
        raise UnavailableError(f"cannot write {path}: {exc.strerror or exc}",
                               "check that the directory is writable, or give another file to --output") from exc
    return InstalledScript(shell=shell, path=path, version=__version__, source_line=source_line(shell, path),
                           rc_file=RC_FILES[shell])


def _remove_old_deferred(path: str, current: set[str]) -> None:
    """Remove the deferred-function files of earlier installs of ``path`` older than :data:`KEEP_OLD_DEFERRED_S`."""
    directory, prefix = os.path.dirname(path), os.path.basename(path) + ".deferred-"
    cutoff = time.time() - KEEP_OLD_DEFERRED_S
    for name in os.listdir(directory):
        old = os.path.join(directory, name)
        if name.startswith(prefix) and old not in current and os.stat(old).st_mtime < cutoff:
            os.unlink(old)


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
