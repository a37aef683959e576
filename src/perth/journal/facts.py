"""Git facts for the journal: commits in a time window with their diff stats.

One bounded ``git log`` per repository reads the commits reachable from the local
branches whose committer time falls in the window, with ``--numstat`` for lines
added/removed and files.  Records are introduced by a marker and fields separated by
NUL (``-z``), so subjects and paths with any characters parse.  Subjects, paths and
branch names pass through the secret filter (source ``journal``) before they are kept;
the repository root stays as given (it identifies the repository) and is filtered
where it is shown.
"""

from __future__ import annotations

from perth import gitinfo
from perth.gitinfo import GitError
from perth.journal.model import CommitFact
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.runtime import Runtime

MARK = "\x1e\x1fperth\x1f"
_FORMAT = "--format=%x1e%x1fperth%x1f%H%x00%S%x00%ct%x00%s%x00"
MAX_COMMITS = 2000
GIT_TIMEOUT_S = 10.0
_HEX = frozenset("0123456789abcdef")


class RawCommit(Record):
    """One parsed ``git log`` record, before redaction."""

    sha: str
    source: str
    at_ms: int
    subject: str
    added: int = 0
    removed: int = 0
    files: tuple[str, ...] = ()


class CommitRead(Record):
    """The commits of one repository, and why the list may be incomplete."""

    commits: tuple[CommitFact, ...] = ()
    warning: str | None = None


def run_git(root: str, args: Sequence[str], *, timeout_s: float = GIT_TIMEOUT_S, stdin: str | None = None) -> str:
    """:func:`perth.gitinfo.run_git` with the journal's time limit."""
    return gitinfo.run_git(root, args, timeout_s=timeout_s, stdin=stdin)


def local_branches(root: str) -> set[str]:
    """Names of the local branches of a repository."""
    out = run_git(root, ["for-each-ref", "--format=%(refname)", "refs/heads"])
    return {line.removeprefix("refs/heads/") for line in out.splitlines() if line}


def _numstat(tokens: list[str]) -> tuple[int, int, tuple[str, ...]]:
    """Sum ``added<TAB>removed<TAB>path`` tokens (a rename has an empty path, then the old and new paths)."""
    added = removed = 0
    files: list[str] = []
    stream = iter(tokens)
    for token in stream:
        parts = token.lstrip("\n").split("\t", 2)
        if len(parts) != 3:
            continue
        if parts[0].isdigit() and parts[1].isdigit():  # binary files show "-"
            added, removed = added + int(parts[0]), removed + int(parts[1])
        path = parts[2]
        if not path:
            next(stream, "")
            path = next(stream, "")
        if path:
            files.append(path)
    return added, removed, tuple(files)


def parse_log(raw: str) -> list[RawCommit]:
    """Parse ``git log -z --numstat`` output written with :data:`_FORMAT`; malformed records are skipped."""
    commits: list[RawCommit] = []
    for chunk in raw.split(MARK)[1:]:
        fields = chunk.split("\0", 4)
        if len(fields) < 4:
            continue
        sha, source, seconds, subject = fields[:4]
        if len(sha) != 40 or not _HEX.issuperset(sha) or not seconds.isdigit():
            continue
        added, removed, files = _numstat(fields[4].split("\0") if len(fields) > 4 else [])
        commits.append(RawCommit(sha=sha, source=source.removeprefix("refs/heads/"), at_ms=int(seconds) * 1000,
                                 subject=subject, added=added, removed=removed, files=files))
    return commits


def _revisions(root: str, branches: Sequence[str] | None) -> list[str]:
    if branches is None:
        return ["--branches"]
    known = local_branches(root)
    return [f"refs/heads/{b}" for b in sorted(set(branches)) if b in known]


def _redacted(rt: Runtime, root: str, raws: list[RawCommit]) -> tuple[CommitFact, ...]:
    """Pass subjects, paths and branch names through the filter in one batch."""
    texts: list[str] = []
    for raw in raws:
        texts += [raw.subject, raw.source, *raw.files]
    clean = iter(list(rt.secret_filter.redact_lines([t.replace("\n", " ") for t in texts], source="journal")))
    facts = []
    for raw in raws:
        subject, source = next(clean), next(clean)
        files = tuple(next(clean) for _ in raw.files)
        facts.append(CommitFact(sha=raw.sha, repo=root, at_ms=raw.at_ms, subject=subject, added=raw.added,
                                removed=raw.removed, files=files, branch=source or None))
    return tuple(facts)


def recent_commits(rt: Runtime, root: str, revision: str | None, count: int, *,
                   timeout_s: float = GIT_TIMEOUT_S) -> CommitRead:
    """The ``count`` newest commits reachable from ``revision`` (a local branch; ``HEAD`` when ``None``)."""
    try:
        if revision is not None and revision not in local_branches(root):
            return CommitRead(warning=f"branch {revision} no longer exists in {root}")
        ref = f"refs/heads/{revision}" if revision else "HEAD"
        raw = run_git(root, ["log", "--source", "-z", "--numstat", _FORMAT, f"--max-count={count}", ref, "--"],
                      timeout_s=timeout_s)
    except GitError as exc:
        return CommitRead(warning=str(exc))
    return CommitRead(commits=_redacted(rt, root, parse_log(raw)))


def commits_between(rt: Runtime, root: str, since_ms: int, until_ms: int, *,
                    branches: Sequence[str] | None = None, max_count: int = MAX_COMMITS,
                    timeout_s: float = GIT_TIMEOUT_S) -> CommitRead:
    """Commits of ``root`` (local branches, or only ``branches``) committed in ``[since_ms, until_ms]``."""
    try:
        revisions = _revisions(root, branches)
        if not revisions:
            return CommitRead()
        raw = run_git(root, ["log", "--source", "-z", "--numstat", _FORMAT, f"--max-count={max_count + 1}",
                             f"--since=@{since_ms // 1000}", f"--until=@{until_ms // 1000 + 1}", *revisions, "--"],
                      timeout_s=timeout_s)
    except GitError as exc:
        return CommitRead(warning=str(exc))
    parsed = [c for c in parse_log(raw) if since_ms <= c.at_ms <= until_ms]
    warning = None
    if len(parsed) > max_count:
        parsed = parsed[:max_count]
        warning = f"{root}: more than {max_count} commits in the window; only the newest {max_count} are shown"
    return CommitRead(commits=_redacted(rt, root, parsed), warning=warning)
