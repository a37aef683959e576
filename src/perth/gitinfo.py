"""Git facts about a directory.

:func:`find_repo` reads ``.git`` files directly (no ``git`` process, no
:mod:`pathlib`), so it is cheap enough for the ``perth log`` hot path.
:func:`run_git` runs one bounded ``git`` command (status, journals, verify) and
:func:`working_tree` is ``git status`` through it; both are only used off the hot path.
"""

from __future__ import annotations

import os

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

#: No prompts, no optional locks (a concurrent `git commit` never fails because of Perth), C locale.
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitError(Exception):
    """git could not answer (not a repository, missing, timed out); the message says why."""


def run_git(root: str, args: Sequence[str], *, timeout_s: float, stdin: str | None = None) -> str:
    """``git -C root ARGS`` with a time limit; its standard output, or :class:`GitError`."""
    import subprocess

    command = ["git", "-C", root, "-c", "log.showSignature=false", "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=timeout_s,
                              check=False, input=stdin, env={**os.environ, **GIT_ENV})
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} in {root} took over {timeout_s:g}s") from exc
    except OSError as exc:
        raise GitError(f"git is not available: {exc.strerror}") from exc
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise GitError(f"git {args[0]} in {root}: {lines[0] if lines else f'exit {done.returncode}'}")
    return done.stdout


class RepoInfo(Record):
    """The repository containing a directory (``root`` is absolute)."""

    root: str
    branch: str | None
    head: str | None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return None


def _git_dir(root: str) -> str | None:
    dot_git = os.path.join(root, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    if os.path.isfile(dot_git):  # worktrees and submodules: "gitdir: <path>"
        text = _read(dot_git) or ""
        if text.startswith("gitdir:"):
            target = text.split(":", 1)[1].strip()
            return target if os.path.isabs(target) else os.path.normpath(os.path.join(root, target))
    return None


def find_repo(start: str) -> RepoInfo | None:
    """The repository that contains ``start``, with its current branch, or ``None``."""
    current = os.path.abspath(start)
    while True:
        git_dir = _git_dir(current)
        if git_dir is not None:
            head = _read(os.path.join(git_dir, "HEAD"))
            if head is None:
                return RepoInfo(root=current, branch=None, head=None)
            if head.startswith("ref:"):
                ref = head.split(":", 1)[1].strip()
                return RepoInfo(root=current, branch=ref.removeprefix("refs/heads/"), head=None)
            return RepoInfo(root=current, branch=None, head=head[:12] or None)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class WorkingTree(Record):
    """Branch and changed files of a working tree, as git reports them now."""

    branch: str | None
    dirty: tuple[str, ...]
    error: str | None = None


def working_tree(root: str, *, timeout_s: float) -> WorkingTree:
    """Branch and ``git status --porcelain`` paths, bounded by ``timeout_s``."""
    try:
        out = run_git(root, ["status", "--porcelain=v1", "--branch", "--untracked-files=normal"], timeout_s=timeout_s)
    except GitError as exc:
        return WorkingTree(branch=None, dirty=(), error=str(exc))
    lines = out.splitlines()
    branch = None
    if lines and lines[0].startswith("## "):
        head = lines.pop(0)[3:]
        branch = head.split("...", 1)[0].removeprefix("No commits yet on ")
        if branch.startswith("HEAD (no branch)"):
            branch = None
    return WorkingTree(branch=branch, dirty=tuple(line[3:] for line in lines if len(line) > 3))
