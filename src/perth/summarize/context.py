"""Collect a pane's context: every collector at once, none waited on past the time limit.

:func:`collect_context` runs the collectors of :mod:`perth.summarize.collectors` (or the ones
given) in a thread pool and waits at most ``context.collector_timeout_ms``.  A collector still
running then is reported as ``timeout`` and abandoned (the pool is shut down without waiting;
git subprocesses kill themselves at their own deadline, which comes a little earlier so that
they can report partial results); one that raises is reported as ``error`` with its redacted
one-line message.  Every section's text goes through the runtime's secret filter here, so a
collector (built-in or injected) cannot hand unfiltered text to a context.
"""

from __future__ import annotations

import os
import time

from perth.errors import InvalidInputError, PerthError
from perth.summarize.collectors import (
    DEFAULT_COLLECTORS,
    Collected,
    Collector,
    CollectorSkippedError,
    CollectorTimeoutError,
    Job,
    bound_text,
    section_bytes,
)
from perth.summarize.model import CollectorReport, Context, Section

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from concurrent.futures import Future

    from perth.gitinfo import RepoInfo
    from perth.records import Pane
    from perth.runtime import Runtime

#: Share of the time limit the collectors themselves get: the rest lets them return partial
#: results (a cut-off file walk, a killed git) before the overall wait gives up on them.
COLLECTOR_SHARE = 0.85
#: Longest collector message kept in a report.
DETAIL_CHARS = 200


def _within(path: str, root: str) -> bool:
    path, root = os.path.abspath(path), os.path.abspath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def locate(rt: Runtime, pane: Pane | None) -> tuple[str, RepoInfo | None]:
    """The directory the context is about, and its git repository.

    Here (``rt.cwd``) unless a pane is given whose repository or directory exists and does not
    contain here: then the pane's directory (or its repository root).
    """
    from perth.gitinfo import find_repo

    cwd = rt.cwd
    if pane is not None:
        home = pane.repo_root or pane.cwd
        if home and os.path.isdir(home) and not _within(rt.cwd, home):
            cwd = pane.cwd if pane.cwd and os.path.isdir(pane.cwd) else home
    repo = find_repo(cwd)
    if repo is None and pane is not None and pane.repo_root and os.path.isdir(pane.repo_root):
        repo = find_repo(pane.repo_root)
    return cwd, repo


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, at most :data:`DETAIL_CHARS` characters."""
    message = exc.what if isinstance(exc, PerthError) else str(exc)
    lines = message.strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def _report(collector: Collector, status: str, started: float, *, size: int = 0, detail: str = "",
            rt: Runtime) -> CollectorReport:
    elapsed = int((time.monotonic() - started) * 1000)
    return CollectorReport(name=collector.name, status=status, elapsed_ms=elapsed, bytes=size,
                           detail=rt.redact(detail, "context") if detail else "")


def finish(job: Job, collector: Collector, got: Collected) -> tuple[Section | None, int, bool]:
    """Redact a collector's text and keep it within its byte limit: ``(section, bytes, truncated)``."""
    secrets = job.rt.secret_filter
    limit = got.limit or section_bytes(job)
    text = secrets.redact_block(got.text, source="context")
    truncated = got.truncated
    if len(text.encode("utf-8")) > limit:  # a placeholder longer than the secret it replaced
        cut, truncated = bound_text(text, limit)
        text = secrets.redact_block(cut, source="context")
    size = len(text.encode("utf-8"))
    if not text.strip():
        return None, size, truncated
    return Section(name=collector.name, title=collector.title, priority=collector.priority, text=text,
                   truncated=truncated), size, truncated


def run_collector(collector: Collector, job: Job) -> tuple[Section | None, CollectorReport]:
    """Run one collector and redact its text; never raises (failures become the report's status)."""
    started = time.monotonic()
    rt = job.rt
    try:
        got = collector.run(job)
        section, size, truncated = finish(job, collector, got)
    except CollectorSkippedError as exc:
        return None, _report(collector, "skipped", started, detail=exc.message, rt=rt)
    except CollectorTimeoutError as exc:
        return None, _report(collector, "timeout", started, detail=exc.what, rt=rt)
    except Exception as exc:  # any failure of one collector is reported, never raised
        return None, _report(collector, "error", started, detail=one_line(exc), rt=rt)
    status = "truncated" if truncated else "ok"
    return section, _report(collector, status, started, size=size, detail=got.detail, rt=rt)


def _warm(rt: Runtime, pane: Pane | None) -> None:
    """Open the secret filter (and the store, for a pane) before the threads share them."""
    try:
        rt.secret_filter.redact_block("", source="context")  # builds the filter's engine once
        if pane is not None:
            _ = rt.store
    except PerthError:
        pass  # the collectors that need them report the failure


def _gather(collectors: Sequence[Collector], job: Job, wait_until: float,
            rt: Runtime) -> list[tuple[Section | None, CollectorReport]]:
    from concurrent.futures import ThreadPoolExecutor, wait

    if not collectors:
        return []
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=len(collectors), thread_name_prefix="perth-context")
    try:
        futures = [pool.submit(run_collector, collector, job) for collector in collectors]
        wait(futures, timeout=max(0.0, wait_until - time.monotonic()))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # never wait for a collector still running
    return [_outcome(collector, future, started, rt) for collector, future in zip(collectors, futures, strict=True)]


def _outcome(collector: Collector, future: Future[tuple[Section | None, CollectorReport]], started: float,
             rt: Runtime) -> tuple[Section | None, CollectorReport]:
    if not future.done() or future.cancelled():
        waited = int((time.monotonic() - started) * 1000)
        return None, CollectorReport(name=collector.name, status="timeout", elapsed_ms=waited,
                                     detail="still running at the time limit; not waited for")
    exc = future.exception()
    if exc is not None:  # only a BaseException escapes run_collector
        return None, CollectorReport(name=collector.name, status="error", elapsed_ms=0,
                                     detail=rt.redact(one_line(exc), "context"))
    return future.result()


def collect_context(rt: Runtime, pane: Pane | None, *, since_ms: int | None = None,
                    collectors: Sequence[Collector] | None = None, timeout_ms: int | None = None) -> Context:
    """Collect the context of ``pane`` (or of here, without a pane) within the time limit.

    ``collectors`` defaults to :data:`~perth.summarize.collectors.DEFAULT_COLLECTORS`;
    ``timeout_ms`` to ``context.collector_timeout_ms``.  Never raises for a collector's failure.
    """
    chosen = tuple(DEFAULT_COLLECTORS if collectors is None else collectors)
    limit_ms = rt.settings.get_int("context.collector_timeout_ms") if timeout_ms is None else timeout_ms
    if limit_ms <= 0:
        raise InvalidInputError(f"invalid collector time limit {limit_ms} ms", "use a positive number of ms")
    with rt.span("perth.context.collect", {"perth.context.timeout_ms": limit_ms}) as span:
        context = _collect(rt, pane, chosen, since_ms, limit_ms)
        for report in context.reports:
            span.set(f"perth.collector.{report.name}", rt.redact(f"{report.status} {report.elapsed_ms} ms", "trace"))
        span.set("perth.context.bytes", sum(report.bytes for report in context.reports))
        span.set("perth.context.sections", len(context.sections))
    return context


def _collect(rt: Runtime, pane: Pane | None, chosen: Sequence[Collector], since_ms: int | None,
             limit_ms: int) -> Context:
    started = time.monotonic()
    cwd, repo = locate(rt, pane)
    _warm(rt, pane)
    job = Job(rt=rt, pane=pane, cwd=cwd, repo_root=repo.root if repo else None, since_ms=since_ms,
              deadline=started + limit_ms / 1000 * COLLECTOR_SHARE)
    results = _gather(chosen, job, started + limit_ms / 1000, rt)
    sections = [section for section, _ in results if section is not None]
    order = {collector.name: index for index, collector in enumerate(chosen)}
    sections.sort(key=lambda s: (s.priority, order.get(s.name, 0)))
    branch = (repo.branch if repo else None) or (pane.branch if pane else None)
    # Paths and branch names are captured text too: a token in a branch or folder name must not leak.
    return Context(pane_id=pane.id if pane else None, pane_name=pane.name if pane else None,
                   cwd=rt.redact(cwd, "context"), repo_root=rt.redact_optional(repo.root if repo else None, "context"),
                   branch=rt.redact_optional(branch, "context"), since_ms=since_ms,
                   collected_at=rt.clock(), sections=tuple(sections),
                   reports=tuple(report for _, report in results))


__all__ = ["collect_context", "finish", "locate", "one_line", "run_collector"]
