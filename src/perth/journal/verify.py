"""``perth journal verify FILE``: check a hand-written session log against git.

For every session section of the log (see :mod:`perth.journal.logparse`):

- each SHA must name a commit of the repository (``git cat-file --batch-check``, one
  process for all of them); an ambiguous short SHA or one naming a tree/blob is a mismatch;
- each branch must exist, locally or as a remote-tracking branch;
- each commit listed in a section that names branches must be reachable from one of them;
- each commit count must match git: when the heading gives a time window, the number of
  commits on the section's branches (every local branch when it names none that exists)
  committed inside the window; without a window, the number of distinct SHAs the section
  lists.  A count with neither is reported as a note (it cannot be checked), not a mismatch.
"""

from __future__ import annotations

import os

from perth.errors import InvalidInputError, NotFoundError, UnavailableError
from perth.gitinfo import GitError, find_repo
from perth.journal.facts import run_git
from perth.journal.logparse import LogSection, parse_session_log
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.runtime import Runtime

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_REACH_CHECKS = 300
MAX_WINDOW_COMMITS = 100_000
ISSUE_KINDS: tuple[str, ...] = ("sha-missing", "sha-ambiguous", "not-a-commit", "branch-missing", "off-branch",
                                "count")


class Issue(Record):
    """A mismatch (or, among notes, an unverifiable claim) and the line it is on."""

    line: int
    kind: str
    claim: str
    message: str

    def to_json(self) -> dict[str, object]:
        """``{line, kind, claim, message}``."""
        return {"line": self.line, "kind": self.kind, "claim": self.claim, "message": self.message}


class VerifyReport(Record):
    """What ``journal verify`` checked and found."""

    file: str
    repo: str
    sections: int
    shas: int
    counts: int
    branches: int
    mismatches: tuple[Issue, ...]
    notes: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        """No mismatch."""
        return not self.mismatches


class Objects(Record):
    """What git says about each SHA token: its full name, or why it is not a commit."""

    full: dict[str, str]
    problems: dict[str, tuple[str, str]]


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise NotFoundError(f"no file {path!r}", "give the path of the session log to check") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{path!r} is a directory", "give the path of the session log file") from exc
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path!r}: {exc.strerror}", "check the file's permissions") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(f"{path!r} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB",
                                "split the log, or check a smaller part of it")
    return data.decode("utf-8", errors="replace")


def repository(rt: Runtime, repo_path: str | None) -> str:
    """The repository to check against: ``--repo`` or the working directory's."""
    start = os.path.abspath(os.path.join(rt.cwd, os.path.expanduser(repo_path))) if repo_path else rt.cwd
    found = find_repo(start) if os.path.isdir(start) else None
    if found is None:
        where = repr(repo_path) if repo_path else "the current directory"
        raise InvalidInputError(f"{where} is not inside a git repository",
                                "run it inside the repository the log describes, or pass --repo PATH")
    return found.root


def _git(root: str, args: Sequence[str], stdin: str | None = None) -> str:
    try:
        return run_git(root, args, stdin=stdin)
    except GitError as exc:
        raise UnavailableError(str(exc), "check that git works in this repository (`git status`)") from exc


def resolve_objects(root: str, tokens: Sequence[str]) -> Objects:
    """One ``git cat-file --batch-check`` for every token."""
    if not tokens:
        return Objects(full={}, problems={})
    out = _git(root, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], stdin="".join(f"{t}\n" for t in tokens))
    full: dict[str, str] = {}
    problems: dict[str, tuple[str, str]] = {}
    for token, answer in zip(tokens, out.splitlines(), strict=False):
        name, _, kind = answer.partition(" ")
        if kind == "commit":
            full[token] = name
        elif kind == "ambiguous":
            problems[token] = ("sha-ambiguous", f"short SHA {token} is ambiguous (several objects start with it);"
                                                " write more of it")
        elif kind == "missing" or not kind:
            problems[token] = ("sha-missing", f"commit {token} does not exist in this repository")
        else:
            problems[token] = ("not-a-commit", f"{token} is a {kind}, not a commit")
    return Objects(full=full, problems=problems)


def _refs(root: str) -> dict[str, str]:
    """Branch name -> full ref, local branches first, then remote-tracking ones (``origin/x`` and ``x``)."""
    refs: dict[str, str] = {}
    out = _git(root, ["for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes"])
    for ref in out.splitlines():
        if ref.startswith("refs/heads/"):
            refs[ref.removeprefix("refs/heads/")] = ref
    for ref in out.splitlines():
        if ref.startswith("refs/remotes/") and not ref.endswith("/HEAD"):
            short = ref.removeprefix("refs/remotes/")
            refs.setdefault(short, ref)
            refs.setdefault(short.partition("/")[2], ref)
    return refs


def _containing(root: str, sha: str) -> set[str]:
    out = _git(root, ["for-each-ref", f"--contains={sha}", "--format=%(refname)", "refs/heads", "refs/remotes"])
    return set(out.splitlines())


def _window_count(root: str, start_ms: int, end_ms: int, refs: Sequence[str]) -> int:
    """Distinct commits on ``refs`` (every local branch when empty) committed in ``[start_ms, end_ms]``."""
    out = _git(root, ["log", "--format=%H %ct", f"--max-count={MAX_WINDOW_COMMITS}", f"--since=@{start_ms // 1000}",
                      f"--until=@{end_ms // 1000 + 1}", *(refs or ["--branches"]), "--"])
    shas = set()
    for line in out.splitlines():
        sha, _, seconds = line.partition(" ")
        if seconds.isdigit() and start_ms <= int(seconds) * 1000 <= end_ms:
            shas.add(sha)
    return len(shas)


class _Checker:
    """Checks the sections of one log against one repository."""

    def __init__(self, root: str, sections: Sequence[LogSection]) -> None:
        self.root = root
        self.sections = sections
        tokens = list(dict.fromkeys(c.value for s in sections for c in s.shas))
        self.objects = resolve_objects(root, tokens)
        self.refs = _refs(root) if any(s.branches for s in sections) else {}
        self.mismatches: list[Issue] = []
        self.notes: list[Issue] = []
        self.reach_checks = 0

    def run(self) -> None:
        for section in self.sections:
            self.check_shas(section)
            branches = self.check_branches(section)
            self.check_reach(section, branches)
            self.check_counts(section, branches)

    def check_shas(self, section: LogSection) -> None:
        for claim in section.shas:
            problem = self.objects.problems.get(claim.value)
            if problem:
                self.mismatches.append(Issue(claim.line, problem[0], claim.value, problem[1]))

    def check_branches(self, section: LogSection) -> list[str]:
        """Full refs of the section's branches that exist; a mismatch for each that does not."""
        found: list[str] = []
        for claim in section.branches:
            ref = self.refs.get(claim.value)
            if ref is None:
                message = f"branch {claim.value} does not exist (neither local nor remote-tracking)"
                self.mismatches.append(Issue(claim.line, "branch-missing", claim.value, message))
            elif ref not in found:
                found.append(ref)
        return found

    def check_reach(self, section: LogSection, refs: list[str]) -> None:
        if not refs:
            return
        for claim in section.shas:
            full = self.objects.full.get(claim.value)
            if full is None:
                continue
            if self.reach_checks >= MAX_REACH_CHECKS:
                self.notes.append(Issue(claim.line, "off-branch", claim.value,
                                        f"not checked against the branches: over {MAX_REACH_CHECKS} checks"))
                return
            self.reach_checks += 1
            if not _containing(self.root, full) & set(refs):
                names = ", ".join(r.removeprefix("refs/heads/").removeprefix("refs/remotes/") for r in refs)
                self.mismatches.append(Issue(claim.line, "off-branch", claim.value,
                                             f"commit {claim.value} is not on branch {names}"))

    def check_counts(self, section: LogSection, refs: list[str]) -> None:
        listed = {self.objects.full.get(c.value, c.value) for c in section.shas}
        for claim in section.counts:
            claimed = int(claim.value)
            if section.start_ms is not None and section.end_ms is not None:
                actual = _window_count(self.root, section.start_ms, section.end_ms, refs)
                where = "on " + ", ".join(_short(r) for r in refs) if refs else "on any local branch"
                if actual != claimed:
                    self.mismatches.append(Issue(claim.line, "count", claim.value,
                                                 f"claims {claimed} commits; git has {actual} {where} inside the"
                                                 f" session's time window"))
            elif listed:
                if len(listed) != claimed:
                    self.mismatches.append(Issue(claim.line, "count", claim.value,
                                                 f"claims {claimed} commits but the section lists {len(listed)}"
                                                 " distinct SHAs"))
            else:
                self.notes.append(Issue(claim.line, "count", claim.value,
                                        f"{claimed} commits cannot be checked: the section lists no SHAs and its"
                                        " heading gives no time range"))


def _short(ref: str) -> str:
    return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")


def verify_log(rt: Runtime, path: str, repo_path: str | None = None) -> VerifyReport:
    """Check the log at ``path`` against the repository at ``repo_path`` (default: the working directory's)."""
    full_path = os.path.join(rt.cwd, os.path.expanduser(path))
    text = _read(full_path)
    root = repository(rt, repo_path)
    sections = parse_session_log(text)
    checker = _Checker(root, sections)
    checker.run()
    return VerifyReport(
        file=rt.redact(path, "journal"), repo=rt.redact(root, "journal"),
        sections=sum(1 for s in sections if s.is_session), shas=sum(len(s.shas) for s in sections),
        counts=sum(len(s.counts) for s in sections),
        branches=sum(len(s.branches) for s in sections),
        mismatches=_redacted(rt, checker.mismatches), notes=_redacted(rt, checker.notes),
    )


def _redacted(rt: Runtime, issues: list[Issue]) -> tuple[Issue, ...]:
    """Issues sorted by line, their texts through the filter (they quote the file and the repository)."""
    ordered = sorted(issues, key=lambda i: i.line)
    texts = [t for i in ordered for t in (i.claim, i.message)]
    clean = iter(list(rt.secret_filter.redact_lines([t.replace("\n", " ") for t in texts], source="journal")))
    return tuple(replace(i, claim=next(clean), message=next(clean)) for i in ordered)
