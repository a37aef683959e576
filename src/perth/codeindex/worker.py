"""Parsing one file, in this process or in worker processes.

A :class:`ParseJob` names a file and what the index knew of it; :func:`parse_job` reads it, hashes
it (an unchanged digest returns only the refreshed :class:`FileState`), parses it with the
language's parser and passes every signature and docstring (where literals live) through the secret
filter before anything leaves the worker.  :func:`run_jobs` fans jobs out to a process pool when
there are many (so the daemon's loop and the CLI's process never parse a large tree themselves).
"""

from __future__ import annotations

import os
import sys

from perth.codeindex.model import Edge, FileGraph, FileState, Symbol
from perth.errors import UnavailableError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.redact import SecretFilter

#: Below this many files, parsing in the calling process is faster than starting workers.
POOL_THRESHOLD = 48
_HEAD_BYTES = 1024
_worker_filter: SecretFilter | None = None


class ParseJob(Record):
    """One file to (re)parse; ``old_digest`` lets an unchanged file skip the parser."""

    path: str
    language: str
    module: str
    mtime_ns: int
    old_digest: str | None = None


class FilterSettings(Record):
    """What a worker needs to build the same secret filter as the parent."""

    enabled: bool = True
    extra_patterns: tuple[str, ...] = ()
    allow_patterns: tuple[str, ...] = ()

    def build(self) -> SecretFilter:
        """The filter these settings describe."""
        from perth.redact import SecretFilter

        return SecretFilter(enabled=self.enabled, extra_patterns=self.extra_patterns,
                            allow_patterns=self.allow_patterns)


def digest_of(data: bytes) -> str:
    """The content hash that decides whether a file changed."""
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_job(root: str, job: ParseJob, secret_filter: SecretFilter) -> FileGraph | FileState:
    """Read, hash, parse and redact one file."""
    try:
        with open(os.path.join(root, job.path), "rb") as handle:
            data = handle.read()
    except OSError as exc:
        state = FileState(job.path, job.language, job.module, "", 0, job.mtime_ns, f"unreadable: {exc.strerror}")
        return FileGraph(state=state)
    state = FileState(job.path, job.language, job.module, digest_of(data), len(data), job.mtime_ns)
    if job.old_digest == state.digest:
        return state
    if looks_generated_head(data[:_HEAD_BYTES]):
        return FileGraph(state=_with_error(state, "skipped: generated"))
    return _parsed(job, state, data, secret_filter)


def _parsed(job: ParseJob, state: FileState, data: bytes, secret_filter: SecretFilter) -> FileGraph:
    try:
        symbols, edges = parse_source(job, data.decode("utf-8", "replace"))
    except SyntaxError as exc:
        return FileGraph(state=_with_error(state, f"syntax error at line {exc.lineno}"))
    except (RecursionError, ValueError) as exc:
        return FileGraph(state=_with_error(state, f"parse failed: {type(exc).__name__}"))
    except UnavailableError:
        return FileGraph(state=_with_error(state, "unavailable: the tree-sitter grammars are not installed"))
    return FileGraph(state=state, symbols=tuple(_redacted(symbols, secret_filter)), edges=tuple(edges))


def looks_generated_head(head: bytes) -> bool:
    """A generated-code marker in the first bytes."""
    from perth.codeindex.walker import looks_generated

    return looks_generated(head)


def _with_error(state: FileState, error: str) -> FileState:
    return FileState(state.path, state.language, state.module, state.digest, state.size, state.mtime_ns, error)


def parse_source(job: ParseJob, text: str) -> tuple[list[Symbol], list[Edge]]:
    """Symbols and edges of one file's text, by language."""
    if job.language == "python":
        from perth.codeindex.pyparse import parse_python

        return parse_python(job.module, text, is_package=job.path.endswith("__init__.py"))
    from perth.codeindex.tsparse import parse_tree_sitter

    return parse_tree_sitter(job.language, job.path, text)


def redact_texts(texts: Sequence[str], secret_filter: SecretFilter) -> list[str]:
    """Every text through the secret filter in one block scan (a file's signatures and docstrings).

    The filter keeps the line count of a block (a private key becomes one placeholder line and empty
    lines), so the block splits back into the same texts; if it ever did not, each text is redacted
    on its own.
    """
    if not texts:
        return []
    counts = [t.count("\n") + 1 for t in texts]
    lines = str(secret_filter.redact_block("\n".join(texts), source="code")).split("\n")
    if len(lines) != sum(counts):
        return [str(secret_filter.redact(t, source="code")) for t in texts]
    out: list[str] = []
    start = 0
    for count in counts:
        out.append("\n".join(lines[start:start + count]))
        start += count
    return out


def _redacted(symbols: Sequence[Symbol], secret_filter: SecretFilter) -> list[Symbol]:
    texts = [text for s in symbols for text in (s.signature, s.doc)]
    clean = redact_texts(texts, secret_filter)
    return [Symbol(s.name, s.qualname, s.kind, s.line, s.end_line, s.parent, clean[2 * i], clean[2 * i + 1],
                   s.decorators) if (s.signature, s.doc) != (clean[2 * i], clean[2 * i + 1]) else s
            for i, s in enumerate(symbols)]


def _init_worker(settings: FilterSettings) -> None:
    global _worker_filter  # noqa: PLW0603 - one filter per worker process, built once
    _worker_filter = settings.build()


def _parse_in_worker(root: str, job: ParseJob) -> tuple[FileGraph | FileState, dict[tuple[str, str], int]]:
    assert _worker_filter is not None  # noqa: S101 - set by the pool's initializer
    result = parse_job(root, job, _worker_filter)
    return result, _worker_filter.drain_counts()


def run_jobs(root: str, jobs: Sequence[ParseJob], secret_filter: SecretFilter, settings: FilterSettings, *,
             workers: int, force_pool: bool = False) -> tuple[list[FileGraph | FileState], dict[tuple[str, str], int]]:
    """Parse every job: in this process when few (or ``workers`` is 1), else in worker processes.

    Returns the results in job order and the workers' secret-filter counters (per rule and source).
    """
    counts: dict[tuple[str, str], int] = {}
    if not jobs:
        return [], counts
    if (workers <= 1 or len(jobs) < POOL_THRESHOLD) and not force_pool:
        return [parse_job(root, job, secret_filter) for job in jobs], counts
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    workers = max(1, workers)
    chunk = max(1, min(64, len(jobs) // (workers * 4)))
    results: list[FileGraph | FileState] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(settings,)) as pool:
        for result, found in pool.map(partial(_parse_in_worker, root), jobs, chunksize=chunk):
            results.append(result)
            for key, count in found.items():
                counts[key] = counts.get(key, 0) + count
    return results, counts
