"""Context collectors: the pane's commands and intents, git state, recently modified files.

A :class:`Collector` is a name, a title, a priority and a function from a :class:`Job` to
:class:`Collected` text.  Each one bounds its own output in bytes (``context.section_bytes``;
the diff by ``context.diff_bytes``) and in time (``Job.deadline``, a ``time.monotonic()``
instant): git runs as a subprocess whose output is read incrementally and which is killed at
the byte limit or the deadline, and the file walk stops at a visit cap or the deadline.
:func:`perth.summarize.context.collect_context` runs them concurrently and passes the text
through the secret filter.  A collector raises :class:`CollectorSkippedError` when it does not
apply here (no pane, not a git repository, git not installed) and :class:`CollectorTimeoutError`
when it ran out of time.

Every git call runs with ``GIT_OPTIONAL_LOCKS=0``, ``-c core.quotepath=off``, no pager, no
fsmonitor hook, no external diff or textconv drivers, in a new process group killed as a whole
when cut off.
"""

from __future__ import annotations

import os
import time

from perth.errors import NotFoundError, PerthError, TransientError
from perth.record import Record
from perth.summarize.model import SUMMARY_LABEL, is_summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Mapping, Sequence

    from perth.capture.records import Command
    from perth.records import Entry, Pane
    from perth.runtime import Runtime

#: Directory names the recently-modified-files walk never enters (plus ``*.egg-info`` and any
#: directory holding a ``pyvenv.cfg``, i.e. a virtualenv under any name).
SKIP_DIRS: frozenset[str] = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", "target",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
#: Directory entries the file walk looks at before it stops and reports truncation.
VISIT_CAP = 20_000
#: Bytes of a git call's standard error kept for the report.
_STDERR_BYTES = 4096
#: Environment variables that would point git at another repository than the one asked about.
_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE",
                 "GIT_COMMON_DIR", "GIT_PREFIX")


class CollectorSkippedError(NotFoundError):
    """The collector does not apply here: no pane, not a git repository, git not installed."""


class CollectorTimeoutError(TransientError):
    """The collector ran out of time (its subprocess was killed)."""


class Job(Record):
    """What the collectors work from; ``deadline`` is a ``time.monotonic()`` instant."""

    rt: Runtime
    pane: Pane | None
    cwd: str
    repo_root: str | None
    since_ms: int | None
    deadline: float

    def remaining_s(self) -> float:
        """Seconds left before the deadline (negative once it passed)."""
        return self.deadline - time.monotonic()


class Collected(Record):
    """A collector's raw result, before the secret filter.

    ``limit`` is the byte bound the collector applied (0: ``context.section_bytes``); the
    runner keeps the redacted text within it too.  An empty ``text`` produces no section.
    """

    text: str
    truncated: bool = False
    detail: str = ""
    limit: int = 0


class Collector(Record):
    """One source of context; ``priority``: lower is kept first by the token budget."""

    name: str
    title: str
    priority: int
    run: Callable[[Job], Collected]


# --- byte bounds -------------------------------------------------------------------------------

def cut_marker(limit: int) -> str:
    """The line that ends a section cut to its byte limit."""
    return f"[... cut at {limit} bytes]"


def bound_bytes(data: bytes, limit: int) -> tuple[str, bool]:
    """``data`` as text within ``limit`` bytes, cut after a whole line with a marker if needed.

    Only whole lines are kept, so a secret is never split into a fragment the filter could miss.
    """
    if len(data) <= limit:
        return data.decode("utf-8", "replace"), False
    marker = cut_marker(limit).encode()
    room = max(0, limit - len(marker))
    end = data.rfind(b"\n", 0, room) + 1  # 0 when no whole line fits
    return (data[:end] + marker).decode("utf-8", "replace"), True


def bound_text(text: str, limit: int) -> tuple[str, bool]:
    """:func:`bound_bytes` for text."""
    return bound_bytes(text.encode("utf-8", "replace"), limit)


def section_bytes(job: Job) -> int:
    """The byte bound of every section but the diff."""
    return job.rt.settings.get_int("context.section_bytes")


def _bounded(job: Job, lines: Sequence[str], detail: str = "") -> Collected:
    limit = section_bytes(job)
    text, truncated = bound_text("\n".join(lines), limit)
    return Collected(text, truncated=truncated, detail=detail or (f"cut at {limit} bytes" if truncated else ""),
                     limit=limit)


def _count(job: Job, key: str) -> int:
    count = job.rt.settings.get_int(key)
    if count <= 0:
        raise CollectorSkippedError(f"disabled ({key} = {count})")
    return count


# --- the pane: commands and intents ------------------------------------------------------------

def _need_pane(job: Job) -> Pane:
    if job.pane is None:
        raise CollectorSkippedError("no registered pane here", "name one with --pane, or log an intent first")
    return job.pane


def duration_text(ms: int | None) -> str:
    """``350ms``, ``1.2s``, ``2m05s``, ``1h02m``."""
    if ms is None:
        return "?"
    if ms < 1000:
        return f"{ms}ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f}s"
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes}m{seconds:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def _where(job: Job, path: str | None) -> str:
    """A command's cwd, shown only when it differs from the context's (relative to the repo)."""
    if not path or path == job.cwd:
        return ""
    base = job.repo_root or job.cwd
    if path == base:
        return "the repository root" if job.repo_root else base
    return os.path.relpath(path, base) if path.startswith(base.rstrip(os.sep) + os.sep) else path


def _command_line(job: Job, command: Command) -> str:
    from perth.clock import to_local

    text = job.rt.secret_filter.redact_block(command.command, source="context").rstrip("\n")
    facts = [f"exit {command.exit}" if command.exit is not None else "exit ?", duration_text(command.duration_ms)]
    where = _where(job, command.cwd)
    if where:
        facts.append(f"in {where}")
    body = text.replace("\n", "\n    ")
    return f"{to_local(command.start_ms)[5:]} $ {body}  # {', '.join(facts)}"


def collect_commands(job: Job) -> Collected:
    """The pane's newest ``context.commands`` commands (since ``since_ms``), oldest first."""
    from perth.capture.records import CommandQuery

    pane = _need_pane(job)
    query = CommandQuery(pane_ids=(pane.id,), since=job.since_ms, limit=_count(job, "context.commands"))
    commands = job.rt.store.commands.query(query)
    commands.reverse()
    return _bounded(job, [_command_line(job, c) for c in commands], "" if commands else "no commands recorded")


def _entry_source(entry: Entry) -> str:
    """Who wrote an entry; an earlier ``perth summarize`` checkpoint is marked as such."""
    if is_summary(entry):
        return SUMMARY_LABEL
    return entry.agent or entry.source


def _entry_line(job: Job, entry: Entry) -> str:
    from perth.clock import to_local
    from perth.panes.entries import short_id

    summary = job.rt.secret_filter.redact_block(entry.summary, source="context").strip()
    kind = entry.type if entry.source == "manual" else f"{entry.type}, {_entry_source(entry)}"
    line = f"{to_local(entry.ts)} [{kind}] {short_id(entry.id)}: {summary.replace(chr(10), chr(10) + '    ')}"
    return line + (f" (goal: {entry.goal_delta})" if entry.goal_delta else "")


def collect_intents(job: Job) -> Collected:
    """The pane's newest ``context.intents`` intent entries (since ``since_ms``), oldest first."""
    from perth.records import EntryQuery

    pane = _need_pane(job)
    query = EntryQuery(pane_ids=(pane.id,), since=job.since_ms, limit=_count(job, "context.intents"))
    entries = job.rt.store.entries.query(query)
    entries.reverse()
    return _bounded(job, [_entry_line(job, e) for e in entries], "" if entries else "no intents logged")


# --- git -----------------------------------------------------------------------------------------

class GitResult(Record):
    """One git call: exit code, output (bounded), first bytes of stderr, whether output was cut."""

    code: int
    out: str
    err: str
    truncated: bool = False


def git_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment git runs in: no optional locks, no pager, no prompt, English messages."""
    env = {key: value for key, value in environ.items() if key not in _GIT_ENV_DROP}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat", PAGER="cat", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    return env


def _repo(job: Job) -> str:
    if job.repo_root is None:
        raise CollectorSkippedError(f"not in a git repository ({job.cwd})")
    return job.repo_root


def run_git(job: Job, args: Sequence[str], limit: int = 65536) -> GitResult:
    """Run ``git args`` in the job's repository, reading at most ``limit`` bytes of output.

    The process is killed (with its process group) as soon as the output passes ``limit`` or the
    deadline passes; the deadline raises :class:`CollectorTimeoutError`.
    """
    import subprocess

    argv = ["git", "--no-pager", "-c", "core.quotepath=off", "-c", "color.ui=never", "-c", "core.fsmonitor=false",
            "-C", _repo(job), *args]
    if job.remaining_s() <= 0:
        raise CollectorTimeoutError("no time left for git")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=git_env(job.rt.environ), start_new_session=True)
    except FileNotFoundError as exc:
        raise CollectorSkippedError("git is not installed", "install git to include git facts") from exc
    try:
        out, err, truncated = _read_bounded(proc, limit, job.deadline, args[0] if args else "")
        code = 0 if truncated else _wait(proc, job.deadline, args[0] if args else "")
    finally:
        _reap(proc)
    text, cut = bound_bytes(out, limit)
    return GitResult(code=code, out=text, err=err.decode("utf-8", "replace"), truncated=truncated or cut)


def _read_bounded(proc: subprocess.Popen[bytes], limit: int, deadline: float,
                  what: str) -> tuple[bytes, bytes, bool]:
    """Read stdout and stderr until both end, stdout passes ``limit``, or the deadline."""
    import selectors

    stdout, stderr = proc.stdout, proc.stderr
    if stdout is None or stderr is None:
        raise ValueError("git must run with both output streams piped")
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ, out)
        selector.register(stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CollectorTimeoutError(f"git {what} was still running at the deadline")
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.data is out:
                    out += chunk
                    if len(out) > limit:
                        return bytes(out), bytes(err), True
                elif len(err) < _STDERR_BYTES:
                    err += chunk[: _STDERR_BYTES - len(err)]
    return bytes(out), bytes(err), False


def _wait(proc: subprocess.Popen[bytes], deadline: float, what: str) -> int:
    import subprocess

    try:
        return proc.wait(timeout=max(0.05, deadline - time.monotonic()))
    except subprocess.TimeoutExpired as exc:
        raise CollectorTimeoutError(f"git {what} did not exit by the deadline") from exc


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Kill git (and anything it started) if it still runs; close the pipes; collect the status."""
    if proc.poll() is None:
        import signal

        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def git_failure(args: Sequence[str], result: GitResult) -> PerthError:
    """The one-line error of a failed git call."""
    from perth.errors import UnavailableError

    first = result.err.strip().splitlines()
    return UnavailableError(f"git {args[0]} failed: {first[0] if first else f'exit {result.code}'}")


def git_section(job: Job, args: Sequence[str], limit: int = 0, *, empty: str = "") -> Collected:
    """A section that is the (bounded) output of one git call; a failed call raises."""
    limit = limit or section_bytes(job)
    result = run_git(job, args, limit)
    if result.code != 0:
        raise git_failure(args, result)
    return Collected(result.out.rstrip("\n") or empty, truncated=result.truncated,
                     detail=f"cut at {limit} bytes" if result.truncated else "", limit=limit)


def has_head(job: Job) -> bool:
    """Whether the repository has a commit checked out (false on an unborn branch)."""
    return run_git(job, ["rev-parse", "--verify", "-q", "HEAD"], 1024).code == 0


def collect_git_branch(job: Job) -> Collected:
    """The branch (or detached HEAD) and its upstream with ahead/behind counts."""
    head = run_git(job, ["symbolic-ref", "--short", "-q", "HEAD"], 1024)
    branch = head.out.strip()
    if head.code != 0 or not branch:
        commit = run_git(job, ["rev-parse", "--short", "HEAD"], 1024)
        return _bounded(job, [f"detached HEAD at {commit.out.strip()}" if commit.code == 0 else "detached HEAD"])
    lines = [f"branch: {branch}"]
    track = run_git(job, ["for-each-ref", "--format=%(upstream:short)%09%(upstream:track)", f"refs/heads/{branch}"],
                    4096)
    upstream, _, ahead = track.out.strip().partition("\t")
    if not has_head(job):
        lines.append("no commits yet")
    lines.append(f"upstream: {upstream} {ahead or '[up to date]'}" if upstream else "upstream: none")
    return _bounded(job, lines)


def collect_git_status(job: Job) -> Collected:
    """``git status --porcelain`` (staged, unstaged, untracked), bounded."""
    return git_section(job, ["status", "--porcelain=v1", "--untracked-files=normal"], empty="clean: no changes")


def _diff_base(job: Job) -> list[str]:
    """Staged and unstaged changes against HEAD; on an unborn branch, what is staged."""
    return ["HEAD"] if has_head(job) else ["--cached"]


def collect_git_diffstat(job: Job) -> Collected:
    """``git diff --stat HEAD`` (staged and unstaged changes to tracked files)."""
    return git_section(job, ["diff", "--stat=120", "--stat-graph-width=10", "--no-color", "--no-ext-diff",
                             *_diff_base(job), "--"])


def collect_git_diff(job: Job) -> Collected:
    """The diff against HEAD (staged and unstaged), cut at ``context.diff_bytes``."""
    limit = _count(job, "context.diff_bytes")
    return git_section(job, ["diff", "--no-color", "--no-ext-diff", "--no-textconv", *_diff_base(job), "--"], limit)


def collect_git_log(job: Job) -> Collected:
    """The newest ``context.commits`` commits: short SHA, date, subject."""
    count = _count(job, "context.commits")
    if not has_head(job):
        return Collected("", detail="no commits yet")
    return git_section(job, ["log", f"-n{count}", "--no-color", "--date=short", "--format=%h %ad %s"])


# --- recently modified files ---------------------------------------------------------------------

class Walk(Record):
    """What the file walk found: the newest files ``(mtime_ns, relative path)`` and why it stopped."""

    files: tuple[tuple[int, str], ...]
    visited: int
    stopped: str = ""  # "" (complete), "visit cap" or "deadline"


def skip_dir(name: str) -> bool:
    """Whether the walk never enters a directory of this name."""
    return name in SKIP_DIRS or name.endswith(".egg-info")


def walk_recent(root: str, *, depth: int, count: int, deadline: float, since_ns: int = 0,
                cap: int = VISIT_CAP) -> Walk:
    """The ``count`` most recently modified files under ``root``, at most ``depth`` levels down.

    Uses ``os.scandir`` without following symbolic links; skips :func:`skip_dir` directories and
    virtualenvs; stops after ``cap`` entries or at ``deadline`` (``time.monotonic()``).
    """
    walker = _Walker(root, depth, count, since_ns)
    stopped = ""
    while walker.stack:
        if walker.visited >= cap or time.monotonic() >= deadline:
            stopped = "visit cap" if walker.visited >= cap else "deadline"
            break
        walker.scan(*walker.stack.pop())
    files = sorted(((m, os.path.relpath(p, root)) for m, p in walker.newest), key=lambda f: (-f[0], f[1]))
    return Walk(tuple(files), walker.visited, stopped)


class _Walker:
    """The state of one walk: directories still to scan and a min-heap of the newest files."""

    def __init__(self, root: str, depth: int, count: int, since_ns: int) -> None:
        self.depth, self.count, self.since_ns = depth, count, since_ns
        self.stack: list[tuple[str, int]] = [(root, 0)]
        self.newest: list[tuple[int, str]] = []
        self.visited = 0

    def scan(self, path: str, level: int) -> None:
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        if level > 0 and any(e.name == "pyvenv.cfg" for e in entries):
            return  # a virtualenv, whatever its name
        self.visited += len(entries)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if level < self.depth and not skip_dir(entry.name):
                        self.stack.append((entry.path, level + 1))
                elif entry.is_file(follow_symlinks=False) and entry.name not in SKIP_DIRS:
                    self._keep(entry.stat(follow_symlinks=False).st_mtime_ns, entry.path)
            except OSError:
                continue

    def _keep(self, mtime_ns: int, path: str) -> None:
        import heapq

        if mtime_ns < self.since_ns:
            return
        if len(self.newest) < self.count:
            heapq.heappush(self.newest, (mtime_ns, path))
        else:
            heapq.heappushpop(self.newest, (mtime_ns, path))


def collect_files(job: Job) -> Collected:
    """Recently modified files under the repository root (or the cwd), newest first."""
    from perth.clock import to_local

    count = _count(job, "context.files")
    root = job.repo_root or job.cwd
    if not os.path.isdir(root):
        raise CollectorSkippedError(f"directory not found: {root}")
    since_ns = (job.since_ms or 0) * 1_000_000
    walk = walk_recent(root, depth=job.rt.settings.get_int("context.file_depth"), count=count,
                       deadline=job.deadline, since_ns=since_ns)
    lines = [f"{to_local(mtime // 1_000_000)}  {path}" for mtime, path in walk.files]
    detail = f"stopped at the {walk.stopped} after {walk.visited} entries" if walk.stopped else ""
    found = _bounded(job, lines, detail)
    return Collected(found.text, truncated=found.truncated or bool(walk.stopped),
                     detail=found.detail or detail, limit=found.limit)


# --- the default set -------------------------------------------------------------------------------

DEFAULT_COLLECTORS: tuple[Collector, ...] = (
    Collector("intents", "Recent intents", 10, collect_intents),
    Collector("git.branch", "Git branch", 15, collect_git_branch),
    Collector("commands", "Recent commands", 20, collect_commands),
    Collector("git.status", "Git status", 30, collect_git_status),
    Collector("git.diffstat", "Diff stat", 35, collect_git_diffstat),
    Collector("git.log", "Recent commits", 40, collect_git_log),
    Collector("files", "Recently modified files", 50, collect_files),
    Collector("git.diff", "Diff", 60, collect_git_diff),
)
