"""The embedded executor over the durable queue, with the scripted worker: retries, dead letters,
rejections, idempotency, cancellation, circuit breakers and lease fencing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from perth.errors import ConflictError, InvalidInputError
from perth.ops.executor import Pool, execute, lease, reap
from perth.ops.service import JobSpec, cancel, dead_letters, find, logs, retry, submit, wait
from perth.runtime import Runtime
from tests.ops.conftest import MakeRuntime


def fake(rt: Runtime, *steps: str, **spec: object) -> str:
    return submit(rt, JobSpec(kind="fake", args=steps, target=str(spec.pop("target", "svc:1")),
                              **spec)).id  # type: ignore[arg-type]


def test_a_job_runs_and_keeps_its_output_and_log(rt: Runtime) -> None:
    job = wait(rt, find(rt, fake(rt, "echo:hello", "log:step one", "exit:0")))
    assert (job.status, job.attempt, job.exit_code, job.output) == ("succeeded", 1, 0, "hello\n")
    assert job.output_path is not None and Path(job.output_path).read_text() == "hello\n"
    texts = [line.text for line in logs(rt, job)]
    assert texts[0].startswith("attempt 1/3 started by ") and "step one" in texts and texts[-1] == "finished: succeeded"


def test_a_non_zero_exit_fails_the_job_without_retrying(rt: Runtime) -> None:
    job = wait(rt, find(rt, fake(rt, "exit:3")))
    assert (job.status, job.attempt, job.exit_code, job.error_kind) == ("failed", 1, 3, "exit")


def test_transient_failures_are_retried_then_dead_lettered(rt: Runtime) -> None:
    recovered = wait(rt, find(rt, fake(rt, "fail-first:2", "echo:ok")))
    assert (recovered.status, recovered.attempt) == ("succeeded", 3)
    dead = wait(rt, find(rt, fake(rt, "transient", max_attempts=2)))
    assert (dead.status, dead.attempt, dead.error_kind) == ("dead", 2, "transient")
    assert [j.id for j in dead_letters(rt)] == [dead.id]
    again = wait(rt, retry(rt, dead))
    assert (again.status, again.attempt) == ("dead", 2)


def test_a_rejection_is_never_retried(rt: Runtime) -> None:
    job = wait(rt, find(rt, fake(rt, "reject", max_attempts=5)))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 1, "rejected")


def test_retries_wait_a_jittered_backoff(make_rt: MakeRuntime) -> None:
    rt = make_rt(backoff_ms=10_000, backoff_max_ms=10_000)
    job_id = fake(rt, "transient")
    first = lease(rt, "w")
    assert first is not None
    after = execute(rt, first, draw=lambda: 0.5)
    assert after.status == "queued" and after.available_at - rt.clock() > 4_000
    assert lease(rt, "w") is None  # not due before its backoff
    assert find(rt, job_id).attempt == 1


def test_the_idempotency_key_queues_a_job_once(rt: Runtime) -> None:
    first = fake(rt, "echo:a", idempotency_key="release-1.2")
    assert fake(rt, "echo:b", idempotency_key="release-1.2") == first
    assert find(rt, first).args == ("echo:a",)


def test_a_secret_in_the_arguments_is_refused_and_never_stored(rt: Runtime) -> None:
    token = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eE4"
    with pytest.raises(InvalidInputError, match="holds a secret") as caught:
        fake(rt, f"echo:{token}")
    assert token not in str(caught.value)
    assert rt.store.jobs.counts() == {}


def test_cancel_a_queued_and_a_running_job(rt: Runtime) -> None:
    queued = find(rt, fake(rt, "echo:x"))
    assert cancel(rt, queued).status == "cancelled"
    with pytest.raises(ConflictError):
        cancel(rt, find(rt, queued.id))
    running = find(rt, fake(rt, "sleep:30"))
    pool = Pool(rt.settings, concurrency=1, drain=True).start()
    while find(rt, running.id).status != "running":
        time.sleep(0.02)
    cancel(rt, find(rt, running.id))
    pool.join()
    done = find(rt, running.id)
    assert (done.status, done.error_kind) == ("cancelled", "cancelled")


def test_the_target_breaker_opens_and_fails_fast(make_rt: MakeRuntime) -> None:
    rt = make_rt(backoff_ms=0, breaker_threshold=2, breaker_cooldown_s=600)
    for _ in range(2):
        wait(rt, find(rt, fake(rt, "transient", max_attempts=1, target="db:5432")))
    job = wait(rt, find(rt, fake(rt, "echo:never", max_attempts=1, target="db:5432")))
    assert (job.status, job.output) == ("dead", "")
    assert "circuit breaker opened" in (job.error or "")
    assert rt.store.breakers.get("ops:fake:db:5432").state == "open"  # type: ignore[union-attr]
    other = wait(rt, find(rt, fake(rt, "echo:fine", target="other:1")))
    assert other.status == "succeeded"


def test_an_expired_lease_is_reaped_and_its_late_outcome_discarded(rt: Runtime) -> None:
    job_id = fake(rt, "echo:x", max_attempts=2)
    stale = lease(rt, "dead-worker")
    assert stale is not None
    rt.store.jobs.heartbeat(job_id, stale.lease_token or "", rt.clock() - 1)
    assert reap(rt) == 1
    assert (find(rt, job_id).status, find(rt, job_id).error_kind) == ("queued", "lease_lost")
    fresh = lease(rt, "live-worker")
    assert fresh is not None and fresh.attempt == 2
    late = execute(rt, stale)
    assert late.lease_token == fresh.lease_token  # the stale attempt changed nothing
    assert execute(rt, fresh).status == "succeeded"


def test_a_pool_runs_many_jobs_each_exactly_once(make_rt: MakeRuntime) -> None:
    rt = make_rt(poll_ms=10)
    ids = [fake(rt, f"echo:{n}") for n in range(40)]
    stop = threading.Event()
    stats = Pool(rt.settings, concurrency=4, stop=stop, drain=True).run()
    assert (stats.ran, stats.succeeded) == (40, 40)
    assert all(find(rt, i).attempt == 1 and find(rt, i).status == "succeeded" for i in ids)


def test_idle_workers_take_turns_at_the_queue(make_rt: MakeRuntime, monkeypatch: pytest.MonkeyPatch) -> None:
    """An idle pool of 20 threads looks at the store about once per ``ops.poll_ms``, not 20 times."""
    from perth.ops import executor

    rt = make_rt(poll_ms=50)
    looks: list[float] = []
    real_lease = executor.lease

    def counted(*args: object, **kwargs: object) -> object:
        looks.append(time.monotonic())
        return real_lease(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(executor, "lease", counted)
    stop = threading.Event()
    pool = Pool(rt.settings, concurrency=20, stop=stop).start()
    time.sleep(0.6)
    job_id = fake(rt, "echo:late")  # still picked up within a poll or two
    deadline = time.monotonic() + 20
    while find(rt, job_id).status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    pool.join()
    idle = [t for t in looks if t < looks[0] + 0.6]
    assert len(idle) <= 0.6 / 0.05 + 3, len(idle)  # one thread per interval (was 20 per interval)
    assert find(rt, job_id).status == "succeeded"


def test_a_drained_pool_of_many_threads_leaves_at_once(make_rt: MakeRuntime) -> None:
    rt = make_rt(poll_ms=1000)
    ids = [fake(rt, f"echo:{n}") for n in range(30)]
    started = time.monotonic()
    stats = Pool(rt.settings, concurrency=50, drain=True).run()
    assert (stats.ran, stats.succeeded) == (30, 30)
    assert all(find(rt, i).attempt == 1 for i in ids)
    assert time.monotonic() - started < 20  # not 50 threads x 1 s of empty polls one after another
