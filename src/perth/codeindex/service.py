"""The code index's operations on repositories: add, list, remove, reindex, status."""

from __future__ import annotations

import os

from perth.codeindex.model import CodeRepo, IndexReport
from perth.errors import InvalidInputError, NotFoundError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.resilience.breaker import CircuitBreaker
    from perth.runtime import Runtime


class RepoStatus(Record):
    """How current a repository's index is.

    ``state``: ``new`` (never indexed), ``fresh``, ``stale`` (files or commit changed since),
    ``partial`` (some files could not be parsed) or ``unavailable`` (folder gone, breaker open).
    """

    repo: CodeRepo
    state: str
    changed: int = 0
    added: int = 0
    deleted: int = 0
    head_moved: bool = False
    detail: str = ""


def add_repo(rt: Runtime, path: str, *, name: str | None = None) -> CodeRepo:
    """Register the folder at ``path`` (a git work tree or any folder of source code)."""
    from perth.ids import uuid7

    root = os.path.realpath(os.path.join(rt.cwd, os.path.expanduser(path)))
    if not os.path.isdir(root):
        raise NotFoundError(f"no folder at {root}", "give the path of a repository's working tree")
    chosen = name or os.path.basename(root) or "root"
    if str(rt.redact(chosen, "code")) != chosen or str(rt.redact(root, "code")) != root:
        raise InvalidInputError("the repository's name or path looks like it holds a secret",
                                "choose another name with --name, or move the folder")
    if not chosen.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInputError(f"invalid repository name {chosen!r}", "use letters, digits, '-', '_' and '.'")
    repo = CodeRepo(id=uuid7(rt.clock()), name=chosen, root=root, added_at=rt.clock())
    rt.store.code.add_repo(repo)
    return repo


def list_repos(rt: Runtime) -> list[CodeRepo]:
    """Every registered repository."""
    return rt.store.code.list_repos()


def get_repo(rt: Runtime, name: str | None) -> CodeRepo:
    """A repository by name; without one, the repository holding the current folder (or the only one)."""
    code = rt.store.code
    if name:
        repo = code.get_repo(name=name)
        if repo is None:
            raise NotFoundError(f"no repository named {name!r}", "see `perth code list`, or `perth code add PATH`")
        return repo
    repos = code.list_repos()
    here = os.path.realpath(rt.cwd)
    inside = [r for r in repos if here == r.root or here.startswith(r.root + os.sep)]
    if inside:
        return max(inside, key=lambda r: len(r.root))
    if len(repos) == 1:
        return repos[0]
    if not repos:
        raise NotFoundError("no repository is registered", "register one with `perth code add PATH`")
    raise InvalidInputError("several repositories are registered and the current folder is in none of them",
                            "pick one with --repo NAME (see `perth code list`)")


def remove_repo(rt: Runtime, name: str) -> CodeRepo:
    """Forget a repository, its graph and its breaker's history."""
    repo = get_repo(rt, name)
    with rt.store.unit():
        rt.store.code.remove_repo(repo.id)
        breaker = breaker_for(rt, repo)
        if rt.store.breakers.get(breaker.name) is not None:
            breaker.reset()
    return repo


def reindex(rt: Runtime, name: str | None, *, full: bool = False, every: bool = False) -> list[IndexReport]:
    """Index one repository (or every one) now."""
    from perth.codeindex.indexer import index_repo

    repos = list_repos(rt) if every else [get_repo(rt, name)]
    return [index_repo(rt, repo, full=full) for repo in repos]


def require_grammars(reports: list[IndexReport]) -> None:
    """Raise (exit 4) when files were left out because the tree-sitter grammars are not installed."""
    from perth.errors import UnavailableError

    missing = sorted({lang for r in reports for lang in r.missing_languages})
    if missing:
        raise UnavailableError(f"files in {', '.join(missing)} were not parsed: the tree-sitter grammars are not"
                               " installed (everything else was indexed)",
                               "pip install 'perth[code]', then `perth code reindex`")


def repo_status(rt: Runtime, repo: CodeRepo, *, breaker_open: bool = False) -> RepoStatus:
    """Compare the stored index with the working tree (stat only: nothing is read or parsed)."""
    from perth.codeindex.indexer import plan_jobs
    from perth.codeindex.walker import list_files
    from perth.gitinfo import find_repo

    if not os.path.isdir(repo.root):
        return RepoStatus(repo=repo, state="unavailable", detail=f"the folder {repo.root} is gone")
    if breaker_open:
        return RepoStatus(repo=repo, state="unavailable", detail=repo.last_error or "its circuit breaker is open")
    if repo.indexed_at is None:
        return RepoStatus(repo=repo, state="new", detail="not indexed yet: `perth code reindex`")
    listing = list_files(repo.root, max_bytes=rt.settings.get_int("code.max_file_bytes"),
                         clean=lambda path: str(rt.redact(path, "code")) == path)
    states = rt.store.code.file_states(repo.id)
    jobs, _ = plan_jobs(listing.files, states, full=False, racy_after_ns=1 << 62, retry_unavailable=False)
    added = sum(1 for j in jobs if j.path not in states)
    present = {c.path for c in listing.files}
    deleted = sum(1 for p in states if p not in present)
    info = find_repo(repo.root)
    head_moved = info is not None and info.head != repo.head
    changed = len(jobs) - added
    if changed or added or deleted or head_moved:
        return RepoStatus(repo=repo, state="stale", changed=changed, added=added, deleted=deleted,
                          head_moved=head_moved, detail="changed since the last index run")
    return RepoStatus(repo=repo, state=repo.state if repo.state in ("partial", "fresh") else "fresh",
                      detail="some files could not be parsed" if repo.state == "partial" else "")


def status(rt: Runtime, name: str | None = None) -> list[RepoStatus]:
    """The status of one repository, or of every one."""
    repos = [get_repo(rt, name)] if name else list_repos(rt)
    return [repo_status(rt, repo, breaker_open=breaker_for(rt, repo).refusal() is not None) for repo in repos]


def breaker_for(rt: Runtime, repo: CodeRepo) -> CircuitBreaker:
    """The circuit breaker of one repository."""
    from perth.resilience.breaker import CircuitBreaker
    from perth.resilience.policy import BreakerPolicy

    policy = BreakerPolicy(threshold=rt.settings.get_int("code.breaker_threshold"),
                           cooldown_s=float(rt.settings.get_int("code.breaker_cooldown_s")))
    return CircuitBreaker(rt.store, f"code:{repo.name}", policy, rt.clock)
