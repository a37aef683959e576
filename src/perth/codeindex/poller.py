"""The poller of ``perth daemon``: re-index each repository when its commit or working tree changes.

Each repository is checked every ``code.poll_interval_s`` seconds, shifted by a jitter that is
fixed per repository (derived from its id, within ``code.poll_jitter_pct`` percent of the interval),
so repositories registered together do not all hit the disk at the same moment, and the same
repository keeps the same rhythm across restarts.  Each has its own circuit breaker
(``code:<name>``, state in the store): a repository whose indexing keeps failing is left alone for
the cooldown instead of failing on every turn.  Parsing runs in worker processes.
"""

from __future__ import annotations

import time

from perth.errors import CircuitOpenError, PerthError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.codeindex.model import CodeRepo
    from perth.runtime import Runtime


def jitter_fraction(repo_id: str) -> float:
    """A number in [-1, 1) that depends only on the repository's id."""
    import hashlib

    value = int.from_bytes(hashlib.blake2b(repo_id.encode(), digest_size=4).digest(), "big")
    return value / 2**31 - 1.0


def poll_offset_s(repo_id: str, interval_s: float, jitter_pct: int) -> float:
    """The repository's fixed shift of its polling times."""
    return interval_s * jitter_pct / 100 * jitter_fraction(repo_id)


class Poller:
    """Remembers when each repository is due; :meth:`poll` checks the due ones."""

    def __init__(self, interval_s: float, jitter_pct: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self.jitter_pct = jitter_pct
        self.monotonic = monotonic
        self.due: dict[str, float] = {}

    def next_due(self, repo_id: str, now: float) -> float:
        """When a repository is checked next after ``now``."""
        return now + self.interval_s + poll_offset_s(repo_id, self.interval_s, self.jitter_pct)

    def poll(self, rt: Runtime) -> list[str]:
        """Check every due repository; one line per repository that was re-indexed or failed."""
        now = self.monotonic()
        lines: list[str] = []
        for repo in rt.store.code.list_repos():
            first = self.due.setdefault(repo.id, now + abs(poll_offset_s(repo.id, self.interval_s, self.jitter_pct))
                                        / 10)
            if first > now:
                continue
            self.due[repo.id] = self.next_due(repo.id, now)
            line = check_repo(rt, repo)
            if line:
                lines.append(line)
        return lines


def check_repo(rt: Runtime, repo: CodeRepo) -> str:
    """Re-index ``repo`` when it changed, under its breaker; a one-line summary ('' when nothing happened)."""
    from perth.codeindex.indexer import index_repo
    from perth.codeindex.service import breaker_for, repo_status
    from perth.record import replace

    breaker = breaker_for(rt, repo)
    try:
        breaker.admit()
    except CircuitOpenError:
        return ""
    started = time.monotonic()
    try:
        current = repo_status(rt, repo)
        if current.state not in ("stale", "new", "unavailable"):
            breaker.record_success(int((time.monotonic() - started) * 1000))
            return ""
        if current.state == "unavailable":
            raise PerthError(current.detail)
        report = index_repo(rt, repo, force_pool=True)
    except PerthError as exc:
        message = str(rt.redact(exc.message, "code"))
        state = breaker.record_failure(message, int((time.monotonic() - started) * 1000))
        stored = rt.store.code.get_repo(repo_id=repo.id) or repo
        rt.store.code.update_repo(replace(stored, state="unavailable", last_error=message))
        return f"{repo.name}: failed ({state.failures} in a row): {message}"
    breaker.record_success(int((time.monotonic() - started) * 1000))
    return (f"{repo.name}: re-indexed {report.parsed} file(s), {report.deleted} deleted, {report.renamed} renamed"
            f" in {report.seconds:.2f}s")
