"""The parts of a store :mod:`perth.store.transfer` copies: how each is read whole, keyed and written,
and the canonical JSON and checksum the copy is verified with.

Parents come first (panes before the entries and commands that name them; runs before the
baselines that name them).  A record the target already holds is replaced through the port's own
update verb where there is one; records with no update verb (commands, runs, LLM calls) are
immutable once stored, so a target copy that differs stays different and the part is reported as a
mismatch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from perth.record import Record
from perth.records import PaneQuery

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.store.port import Store


def plain(value: object) -> object:
    """A record (nested records, tuples, maps) as plain JSON values."""
    if isinstance(value, Record):
        return {name: plain(getattr(value, name)) for name in type(value)._fields}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def canonical(value: object) -> str:
    """The canonical JSON of a record: what the checksum hashes and what "differs" compares."""
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def checksum(records: Sequence[object]) -> str:
    """SHA-256 of the sorted canonical JSON lines of the records (independent of their order)."""
    digest = hashlib.sha256()
    for line in sorted(canonical(record) for record in records):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


class Part(NamedTuple):
    """How to read, key and write one part of a store."""

    name: str
    port: str
    read: Callable[[Store], list[Any]]
    key: Callable[[Any], str]
    put: Callable[[Store, Any, Any], None]  # (target, source record, the target's record or None)


def _put_pane(target: Store, pane: Any, old: Any) -> None:
    if old is None:
        target.panes.add(pane)
    else:
        target.panes.update(pane)


def _put_entry(target: Store, entry: Any, old: Any) -> None:
    if old is None:
        target.entries.add(entry)
    else:
        target.entries.update(entry)


def _read_commands(store: Store) -> list[Any]:
    from perth.capture.records import CommandQuery

    return list(store.commands.stream(CommandQuery()))


def _put_command(target: Store, command: Any, old: Any) -> None:
    if old is None:
        target.commands.add([command])


def _put_counter(target: Store, count: Any, old: Any) -> None:
    more = count.count - (old.count if old is not None else 0)
    if more >= 0:  # counters only grow: a target that counted more stays a mismatch
        target.redaction_stats.add({(count.rule_id, count.source): more}, at=count.last_at)


def _put_run(target: Store, entry: Any, old: Any) -> None:
    if old is None:
        target.shellperf.add_run(entry)


def _put_baseline(target: Store, pair: Any, old: Any) -> None:
    baseline, deleted_at = pair
    if old is None:
        target.shellperf.add_baseline(baseline)
    if deleted_at is not None:
        target.shellperf.delete_baseline(baseline.name, deleted_at)


def _read_snapshots(store: Store) -> list[Any]:
    digests = store.snapshots.digests()
    return [(snapshot, digests.get(snapshot.name, "")) for snapshot in reversed(store.snapshots.all())]


def _put_snapshot(target: Store, pair: Any, old: Any) -> None:
    snapshot, digest = pair
    if old is None:
        target.snapshots.add(snapshot, digest)
    elif old[0].pinned != snapshot.pinned:
        target.snapshots.pin(snapshot.name, snapshot.pinned)


def _put_llm_call(target: Store, call: Any, old: Any) -> None:
    if old is None:
        target.llm_calls.add(call)


def _read_jobs(store: Store) -> list[Any]:
    from perth.ops.model import JobQuery

    return store.jobs.query(JobQuery(limit=2**62))


def _put_job(target: Store, job: Any, old: Any) -> None:
    if old is None:
        target.jobs.enqueue(job)
    else:
        target.jobs.update(job)


def _read_job_logs(store: Store) -> list[Any]:
    return [line for job in _read_jobs(store) for line in store.job_logs.read(job.id, limit=2**62)]


def _put_job_log(target: Store, line: Any, old: Any) -> None:
    if old is None:  # lines are never edited; the line keeps its number
        target.job_logs.append([line])


def _read_workflows(store: Store) -> list[Any]:
    return [(run, tuple(store.workflows.steps(run.id))) for run in store.workflows.recent(2**62)]


def _put_workflow(target: Store, pair: Any, old: Any) -> None:
    run, steps = pair
    if old is None:
        target.workflows.create(run, list(steps))
        return
    with target.unit():
        target.workflows.update(run)
        for step in steps:
            target.workflows.update_step(step)


def _put_user(target: Store, user: Any, old: Any) -> None:
    if old is None:
        target.users.add_user(user)
    elif (old.role, old.teams) != (user.role, user.teams):
        target.users.update_user(user)


def _read_code(store: Store) -> list[Any]:
    """Each repository with its whole graph (files, symbols, edges): copied as it is, not parsed again."""
    return [(repo, tuple(store.code.graphs(repo.id))) for repo in store.code.list_repos()]


def _put_code(target: Store, pair: Any, old: Any) -> None:
    repo, graphs = pair
    with target.unit():
        if old is None:
            target.code.add_repo(repo)
        else:
            target.code.update_repo(repo)
        held = target.code.file_states(repo.id)
        target.code.apply(repo.id, list(graphs), [path for path in held if path not in
                                                   {graph.state.path for graph in graphs}], [])


def _put_token(target: Store, token: Any, old: Any) -> None:
    if old is None:
        target.users.add_token(token)
    elif token.revoked_at is not None and old.revoked_at is None:
        target.users.revoke_token(token.id, token.revoked_at)


#: Every part, parents first.
PARTS: tuple[Part, ...] = (
    Part("panes", "panes", lambda s: s.panes.query(PaneQuery(include_deleted=True)), lambda p: p.id, _put_pane),
    Part("entries", "entries", lambda s: list(s.entries.stream(include_deleted=True)), lambda e: e.id, _put_entry),
    Part("commands", "commands", _read_commands, lambda c: c.id, _put_command),
    Part("spool_cursors", "commands", lambda s: s.commands.cursors(), lambda c: c.path,
         lambda t, c, _old: t.commands.set_offset(c)),
    Part("spool_quarantine", "commands", lambda s: s.commands.quarantined(), canonical,
         lambda t, q, _old: t.commands.quarantine(*q)),
    Part("redaction_stats", "redaction_stats", lambda s: s.redaction_stats.all(),
         lambda c: f"{c.rule_id}\t{c.source}", _put_counter),
    Part("shellperf_runs", "shellperf", lambda s: s.shellperf.all_runs(), lambda e: e.run.id, _put_run),
    Part("shellperf_baselines", "shellperf", lambda s: s.shellperf.all_baselines(), lambda b: b[0].id,
         _put_baseline),
    Part("shellperf_governance", "shellperf", lambda s: s.shellperf.all_governance(), lambda g: g.scope,
         lambda t, g, _old: t.shellperf.put_governance(g)),
    Part("snapshots", "snapshots", _read_snapshots, lambda p: p[0].name, _put_snapshot),
    Part("breakers", "breakers", lambda s: s.breakers.all(), lambda b: b.name, lambda t, b, _old: t.breakers.put(b)),
    Part("llm_calls", "llm_calls", lambda s: s.llm_calls.all(), lambda c: c.id, _put_llm_call),
    Part("jobs", "jobs", _read_jobs, lambda j: j.id, _put_job),
    Part("job_logs", "job_logs", _read_job_logs, lambda line: f"{line.job_id}\t{line.seq}", _put_job_log),
    Part("workflows", "workflows", _read_workflows, lambda p: p[0].id, _put_workflow),
    Part("code", "code", _read_code, lambda p: p[0].id, _put_code),
    Part("users", "users", lambda s: s.users.list_users(), lambda u: u.name, _put_user),
    Part("api_tokens", "users", lambda s: s.users.tokens(), lambda t: t.id, _put_token),
)
