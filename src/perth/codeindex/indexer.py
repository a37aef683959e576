"""Incremental indexing by content hash.

A run lists the working tree (:mod:`perth.codeindex.walker`) and compares each file with what
the index holds: same size and modification time (and not modified within two seconds of the last
run, when a same-size edit could hide) means unchanged; otherwise the file is read and hashed, and
only a new digest is parsed.  Files that disappeared are dropped; a new path whose digest equals a
dropped one's is counted as a rename.  A Python file whose module name changed (a package gained or
lost its ``__init__.py``) is re-parsed too, so an incremental run always yields the same graph as
``--full``.  The writes of one run commit together.
"""

from __future__ import annotations

import os
import time

from perth.codeindex.model import CodeRepo, FileGraph, FileState, IndexReport
from perth.codeindex.worker import FilterSettings, ParseJob, run_jobs
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.codeindex.walker import Candidate
    from perth.runtime import Runtime

_RACY_NS = 2_000_000_000


def module_for(candidate: Candidate, package_dirs: set[str]) -> str:
    """The module name of a file: a dotted import path for Python, the path itself elsewhere."""
    if candidate.language == "python":
        from perth.codeindex.pyparse import module_name

        return module_name(candidate.path, package_dirs)
    return candidate.path


def plan_jobs(files: Sequence[Candidate], states: dict[str, FileState], *, full: bool,
              racy_after_ns: int, retry_unavailable: bool = True) -> tuple[list[ParseJob], int]:
    """The files to read (with their old digest when only their stat changed) and the unchanged count.

    Files left unparsed for want of their grammar are read again (``retry_unavailable``), so
    installing the ``[code]`` extra and re-indexing completes the graph.
    """
    package_dirs = {c.path.rpartition("/")[0] for c in files if c.path.endswith("/__init__.py")}
    jobs: list[ParseJob] = []
    unchanged = 0
    for candidate in files:
        module = module_for(candidate, package_dirs)
        old = states.get(candidate.path)
        same_kind = (old is not None and old.module == module and old.language == candidate.language
                     and not (retry_unavailable and (old.error or "").startswith("unavailable")))
        if (not full and old is not None and same_kind and old.size == candidate.size
                and old.mtime_ns == candidate.mtime_ns and candidate.mtime_ns < racy_after_ns):
            unchanged += 1
            continue
        digest = old.digest if old is not None and same_kind and not full else None
        jobs.append(ParseJob(candidate.path, candidate.language, module, candidate.mtime_ns, digest))
    return jobs, unchanged


def filter_settings(rt: Runtime) -> FilterSettings:
    """The secret filter's settings, for the worker processes."""
    redact = rt.settings.redact
    return FilterSettings(enabled=redact.enabled, extra_patterns=tuple(redact.extra_patterns),
                          allow_patterns=tuple(redact.allow_patterns))


def worker_count(rt: Runtime) -> int:
    """``code.workers``, or the number of CPUs when it is 0."""
    configured = rt.settings.get_int("code.workers")
    return configured or os.cpu_count() or 1


def index_repo(rt: Runtime, repo: CodeRepo, *, full: bool = False, force_pool: bool = False) -> IndexReport:
    """Bring the stored graph of ``repo`` up to date with its working tree."""
    from perth.codeindex.walker import list_files

    started = time.perf_counter()
    store = rt.store.code
    listing = list_files(repo.root, max_bytes=rt.settings.get_int("code.max_file_bytes"),
                         clean=lambda path: str(rt.redact(path, "code")) == path)
    states = store.file_states(repo.id)
    racy_after = ((repo.indexed_at or 0) * 1_000_000 - _RACY_NS) if repo.indexed_at else 0
    jobs, unchanged = plan_jobs(listing.files, states, full=full, racy_after_ns=racy_after)
    results, counts = run_jobs(repo.root, jobs, rt.secret_filter, filter_settings(rt), workers=worker_count(rt),
                               force_pool=force_pool)
    graphs = [r for r in results if isinstance(r, FileGraph)]
    touched = [r for r in results if isinstance(r, FileState)]
    present = {c.path for c in listing.files}
    deleted = [path for path in states if path not in present]
    gone_digests = {states[path].digest for path in deleted}
    renamed = sum(1 for g in graphs if g.state.path not in states and g.state.digest in gone_digests)
    indexed_at = rt.clock()
    with rt.store.unit():
        store.apply(repo.id, graphs, deleted, touched)
        if counts:
            rt.store.redaction_stats.add(counts, indexed_at)
        files, symbols, edges = store.counts(repo.id)
        errors = _error_count(store.file_states(repo.id))
        updated = _updated(repo, indexed_at, (files, symbols, edges), errors)
        store.update_repo(updated)
    report = IndexReport(repo=repo.name, full=full, files=files, parsed=len(graphs),
                         unchanged=unchanged + len(touched), deleted=len(deleted) - renamed, renamed=renamed,
                         skipped=listing.skipped, errors=errors, seconds=round(time.perf_counter() - started, 4),
                         symbols=symbols, edges=edges, missing_languages=_missing(graphs))
    code_indexed(rt, updated, report)
    return report


def _missing(graphs: Sequence[FileGraph]) -> tuple[str, ...]:
    return tuple(sorted({g.state.language for g in graphs if (g.state.error or "").startswith("unavailable")}))


def _error_count(states: dict[str, FileState]) -> int:
    return sum(1 for s in states.values() if s.error and not s.error.startswith("skipped:"))


def _updated(repo: CodeRepo, at: int, counts: tuple[int, int, int], errors: int) -> CodeRepo:
    from perth.gitinfo import find_repo

    info = find_repo(repo.root)
    head = info.head if info is not None else None
    branch = info.branch if info is not None else None
    return replace(repo, indexed_at=at, head=head, branch=branch, state="partial" if errors else "fresh",
                   files=counts[0], symbols=counts[1], edges=counts[2], last_error=None)


class IndexedRepo(Record):
    """A repository as stored after an index run, with that run's report (the event's subject)."""

    repo: CodeRepo
    report: IndexReport


def code_indexed(rt: Runtime, repo: CodeRepo, report: IndexReport) -> None:
    """Emit ``perth.code.indexed`` for a run that has committed (with the repository as stored)."""
    from perth.events.emit import emit

    emit(rt, "perth.code.indexed", IndexedRepo(repo=repo, report=report))
