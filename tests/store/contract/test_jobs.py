"""The jobs and job_logs ports: enqueue with idempotency, leases fenced by their token, the log."""

from __future__ import annotations

from perth.ops.model import Job, JobLogLine, JobQuery
from perth.record import replace
from perth.store.port import Store

PORT = "jobs"


def job(n: int, **fields: object) -> Job:
    values: dict[str, object] = {"kind": "shell", "target": "local", "args": ("echo", str(n)), "created_at": n,
                                 "available_at": n, **fields}
    return Job(id=f"00000000-0000-7000-8000-{n:012d}", **values)  # type: ignore[arg-type]


def test_enqueue_is_idempotent_by_key_and_round_trips(store: Store) -> None:
    first = job(1, idempotency_key="deploy-42", options={"cwd": "/src", "env": ["TOKEN"]})
    assert store.jobs.enqueue(first) == first
    assert store.jobs.enqueue(job(2, idempotency_key="deploy-42")) == first
    assert store.jobs.get(first.id) == first
    assert store.jobs.get(job(2).id) is None
    assert [j.id for j in store.jobs.resolve(first.id[-8:])] == [first.id]
    assert store.jobs.counts() == {"queued": 1}


def test_lease_takes_the_oldest_due_job_once(store: Store) -> None:
    for n in (3, 1, 2):
        store.jobs.enqueue(job(n))
    store.jobs.enqueue(job(9, available_at=100, kind="ssh"))
    leased = store.jobs.lease("w1", "t1", now=10, until=40)
    assert leased is not None and leased.id == job(1).id
    assert (leased.status, leased.attempt, leased.lease_owner, leased.lease_until) == ("running", 1, "w1", 40)
    assert store.jobs.lease("w2", "t2", now=10, until=40, job_id=job(1).id) is None
    assert store.jobs.lease("w2", "t2", now=10, until=40, kinds=("ssh",)) is None  # not due yet
    ssh = store.jobs.lease("w2", "t3", now=100, until=130, kinds=("ssh",))
    assert ssh is not None and ssh.kind == "ssh"


def test_a_lost_lease_cannot_heartbeat_or_settle(store: Store) -> None:
    store.jobs.enqueue(job(1))
    leased = store.jobs.lease("w1", "t1", now=10, until=20)
    assert leased is not None
    assert store.jobs.heartbeat(leased.id, "t1", 30) == "ok"
    assert store.jobs.expired(25) == []
    assert [j.id for j in store.jobs.expired(31)] == [leased.id]
    requeued = replace(leased, status="queued", lease_until=None)
    assert store.jobs.settle(requeued, "t1")
    again = store.jobs.lease("w2", "t2", now=40, until=60)
    assert again is not None and again.attempt == 2
    assert store.jobs.heartbeat(leased.id, "t1", 70) == "lost"
    assert not store.jobs.settle(replace(leased, status="succeeded"), "t1")
    store.jobs.update(replace(again, cancel_requested=True))
    assert store.jobs.heartbeat(leased.id, "t2", 70) == "cancel"


def test_query_filters_and_delete(store: Store) -> None:
    store.jobs.enqueue(job(1))
    store.jobs.enqueue(job(2, kind="ssh", target="h:22", status="dead"))
    store.jobs.enqueue(job(3, status="dead"))
    assert [j.args[1] for j in store.jobs.query(JobQuery(statuses=("dead",)))] == ["3", "2"]
    assert [j.args[1] for j in store.jobs.query(JobQuery(kind="ssh", target="h:22"))] == ["2"]
    assert [j.args[1] for j in store.jobs.query(JobQuery(limit=1))] == ["3"]
    store.job_logs.append([JobLogLine(job_id=job(2).id, seq=0, at=1, attempt=1, level="info", text="x")])
    assert store.jobs.delete(job(2).id)
    assert not store.jobs.delete(job(2).id)
    assert store.job_logs.read(job(2).id) == []


def test_log_lines_are_numbered_in_order(store: Store) -> None:
    store.jobs.enqueue(job(1))
    lines = [JobLogLine(job_id=job(1).id, seq=0, at=i, attempt=1, level="info", text=f"line {i}") for i in range(5)]
    store.job_logs.append(lines[:2])
    store.job_logs.append(lines[2:])
    read = store.job_logs.read(job(1).id)
    assert [(x.seq, x.text) for x in read] == [(i + 1, f"line {i}") for i in range(5)]
    assert [x.seq for x in store.job_logs.read(job(1).id, after=3)] == [4, 5]
