"""``perth scan PATH...``: report secrets in files, for CI and pre-commit hooks.

Files ignored by git are skipped (``git check-ignore``; outside a repository the ``.gitignore``
files of the scanned tree are read), as are binary files (a NUL byte in the first 8 KiB), the
``.git`` folder, files larger than :data:`MAX_FILE_BYTES`, lines carrying a ``perth:allow``
comment, and whatever the allow-list file permits (``.perthallow`` at the repository root by
default; see :class:`perth.redact.ignore.Allowlist`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from perth.redact.filter import SecretFilter
from perth.redact.ignore import Allowlist, GitIgnore, fingerprint

ALLOWLIST_NAME = ".perthallow"
INLINE_ALLOW = "perth:allow"
MAX_FILE_BYTES = 20 * 1024 * 1024
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ScanFinding:
    """A secret in a file: where it is and which rule found it; ``fingerprint`` identifies the
    finding in an allow-list without containing the secret."""

    path: Path
    line: int
    column: int
    rule_id: str
    fingerprint: str = ""


def scan_paths(paths: Sequence[Path], *, filter: SecretFilter,
               allowlist_file: Path | None = None) -> Iterator[ScanFinding]:
    """Scan files and folders; yield one :class:`ScanFinding` per secret, in path order.

    Allow-list paths are relative to the folder of ``allowlist_file`` when one is given, else
    to the repository root holding each file (the current folder outside git), whose
    ``.perthallow`` is used."""
    allowlists: dict[Path, Allowlist] = {}
    for path in _not_git_ignored(_files(paths)):
        if allowlist_file is not None:
            root, source = allowlist_file.parent, allowlist_file
        else:
            root = _repo_root(path.parent) or Path.cwd()
            source = root / ALLOWLIST_NAME
        if source not in allowlists:
            allowlists[source] = Allowlist.load(source)
        allow = allowlists[source]
        relative = _relative(path, root)
        if allow.skips_file(relative):
            continue
        text = read_text(path)
        if text is not None:
            yield from _scan_text(path, relative, text, filter, allow)


def read_text(path: Path) -> str | None:
    """The text of a file, or ``None`` for binary, oversized or unreadable files."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:_SNIFF_BYTES]:
        return None
    return data.decode("utf-8", errors="replace")


def _scan_text(path: Path, relative: str, text: str, secrets: SecretFilter,
               allow: Allowlist) -> Iterator[ScanFinding]:
    from perth.redact.engine import placeholder

    for found in secrets.findings(text):
        start = found.start - found.column + 1
        end_of_line = text.find("\n", start)
        line = text[start:end_of_line if end_of_line >= 0 else len(text)]
        if INLINE_ALLOW in line:
            continue
        shown = line[:found.column - 1] + placeholder(found.rule_id) + line[found.end - start:]
        mark = fingerprint(found.rule_id, relative, shown)
        if not allow.permits(relative, found.rule_id, mark):
            yield ScanFinding(path, found.line, found.column, found.rule_id, mark)


def _files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the files under the folders named (sorted, ``.git`` skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_walk(path))
        elif path.is_file():
            files.append(path)
    return files


def _walk(top: Path) -> Iterator[Path]:
    """Files under ``top``; outside git, ``.gitignore`` files prune the walk."""
    in_git = _repo_root(top) is not None
    ignore = GitIgnore()
    for folder, dirs, names in os.walk(top):
        here = Path(folder)
        base = _relative(here, top) if here != top else ""
        if not in_git and ".gitignore" in names:
            ignore.add_file(here / ".gitignore", base)
        dirs[:] = sorted(d for d in dirs if d != ".git" and (in_git or not ignore.ignored(
            f"{base}/{d}".lstrip("/"), True)))
        for name in sorted(names):
            if in_git or not ignore.ignored(f"{base}/{name}".lstrip("/"), False):
                yield here / name


def _not_git_ignored(files: Iterable[Path]) -> Iterator[Path]:
    """``files`` minus those git ignores, asking git once per repository."""
    by_root: dict[Path | None, list[Path]] = {}
    for path in files:
        by_root.setdefault(_repo_root(path.parent), []).append(path)
    for root, members in by_root.items():
        ignored = _git_ignored(root, members) if root is not None else set()
        yield from (path for path in members if path.resolve() not in ignored)


def _git_ignored(root: Path, files: list[Path]) -> set[Path]:
    listing = "\0".join(str(path.resolve()) for path in files) + "\0"
    try:
        done = subprocess.run(["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
                              input=listing.encode(), capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {Path(name).resolve() for name in done.stdout.decode(errors="replace").split("\0") if name}


_ROOTS: dict[Path, Path | None] = {}


def _repo_root(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, or ``None``."""
    folder = folder.resolve()
    if folder not in _ROOTS:
        try:
            done = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                                  capture_output=True, text=True, check=False, timeout=30)
        except (OSError, subprocess.SubprocessError):
            _ROOTS[folder] = None
        else:
            top = done.stdout.strip()
            _ROOTS[folder] = Path(top).resolve() if done.returncode == 0 and top else None
    return _ROOTS[folder]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


__all__ = ["ALLOWLIST_NAME", "INLINE_ALLOW", "MAX_FILE_BYTES", "ScanFinding", "read_text", "scan_paths"]
