"""The dispatcher against the shipped fake: order, at-least-once, backoff, breaker, dead letters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from perth.errors import ConfigError, ConflictError
from perth.events.dispatch import DispatchLock, drain, flush
from perth.events.emit import emit
from perth.events.transports import configured
from perth.events.transports.fake import FakeTransport
from perth.runtime import Runtime


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clocked(make_rt: Callable[..., Runtime]) -> tuple[Runtime, Clock]:
    rt = make_rt()
    clock = Clock()
    rt.clock = clock
    return rt, clock


def log(rt: Runtime, n: int) -> list[str]:
    from perth.journal.append import AppendReport

    return [emit(rt, "perth.journal.appended", AppendReport(file=f"f{i}", created=False, added=(f"s{i}",),
                                                            already_present=0, still_open=0)).id for i in range(n)]


def ids(fake: FakeTransport) -> list[str]:
    import json

    return [json.loads(body)["id"] for body in fake.received]


def no_sleep(_s: float) -> None:
    return None


def test_every_transport_gets_every_event_in_order(clocked: tuple[Runtime, Clock]) -> None:
    rt, _ = clocked
    sent = log(rt, 12)
    a, b = FakeTransport("a"), FakeTransport("b")
    reports = drain(rt, [a, b], batch_size=5)
    assert [(r.transport, r.delivered, r.dead, r.stopped) for r in reports] == [("a", 12, 0, None),
                                                                                ("b", 12, 0, None)]
    assert ids(a) == ids(b) == sent
    assert a.batches == 3
    assert drain(rt, [a], batch_size=5)[0].delivered == 0  # nothing new: nothing re-sent
    assert rt.store.outbox.cursor("a").delivered_seq == rt.store.outbox.stats().last_seq


def test_an_outage_backs_off_opens_the_breaker_and_loses_nothing(clocked: tuple[Runtime, Clock]) -> None:
    rt, clock = clocked
    sent = log(rt, 4)
    fake = FakeTransport("rabbitmq")
    fake.down = True
    slept: list[float] = []
    for _ in range(3):
        [report] = drain(rt, [fake], sleep=slept.append, draw=lambda: 1.0)
        assert report.stopped and "unreachable" in report.stopped
        cursor = rt.store.outbox.cursor("rabbitmq")
        assert cursor.next_at > clock.now
        clock.now = cursor.next_at
    assert slept == [0.2, 0.4] * 3  # immediate retries: backoff doubling, full jitter drawn at its ceiling
    assert rt.store.breakers.get("events:rabbitmq").state == "open"  # type: ignore[union-attr]
    [report] = drain(rt, [fake], sleep=no_sleep)
    assert report.stopped and "failing fast" in report.stopped
    assert rt.store.outbox.dead() == []  # an outage dead-letters nothing
    fake.down = False
    clock.now += 31_000  # the cooldown
    [report] = drain(rt, [fake], sleep=no_sleep)
    assert (report.delivered, report.stopped) == (4, None)
    assert ids(fake) == sent
    assert rt.store.breakers.get("events:rabbitmq").state == "closed"  # type: ignore[union-attr]


def test_a_connection_cut_mid_batch_resends_the_batch(clocked: tuple[Runtime, Clock]) -> None:
    rt, _clock = clocked
    sent = log(rt, 6)
    fake = FakeTransport()
    fake.fail_after = 3
    [report] = drain(rt, [fake], sleep=no_sleep, draw=lambda: 0.0)
    assert report.delivered == 6  # the immediate retry re-sent the whole batch
    assert ids(fake) == sent[:3] + sent
    assert sorted(set(ids(fake))) == sorted(sent)


def test_a_refused_event_is_dead_lettered_after_max_attempts(make_rt: Callable[..., Runtime]) -> None:
    rt = make_rt(env={"PERTH_EVENTS__MAX_ATTEMPTS": "3"})
    clock = Clock()
    rt.clock = clock
    sent = log(rt, 5)
    fake = FakeTransport("webhook")
    fake.refuse = {sent[2]}
    for attempt in range(3):
        [report] = drain(rt, [fake], sleep=no_sleep)
        clock.now = rt.store.outbox.cursor("webhook").next_at
        assert report.dead == (1 if attempt == 2 else 0)
    assert ids(fake) == sent[:2] + sent[3:]
    [dead] = rt.store.outbox.dead("webhook")
    assert (dead.event.id, dead.attempts) == (sent[2], 3) and "refused" in dead.error
    assert rt.store.breakers.get("events:webhook").state == "closed"  # type: ignore[union-attr]


def test_one_dispatcher_at_a_time(rt: Runtime) -> None:
    lock = DispatchLock(rt)
    try:
        with pytest.raises(ConflictError, match="another dispatcher"):
            drain(rt, [FakeTransport()])
    finally:
        lock.release()


def test_flush_prunes_only_what_every_transport_confirmed(clocked: tuple[Runtime, Clock]) -> None:
    rt, clock = clocked
    log(rt, 3)
    a, b = FakeTransport("a"), FakeTransport("b")
    b.down = True
    clock.now += 40 * 86_400_000
    flush(rt, {"a": a, "b": b})
    assert rt.store.outbox.stats().events == 3  # b has not confirmed them
    b.down = False
    clock.now += 86_400_000
    flush(rt, {"a": a, "b": b})
    assert rt.store.outbox.stats().events == 0
    assert len(b.received) == 3


def test_unknown_transports_are_a_config_error(make_rt: Callable[..., Runtime]) -> None:
    rt = make_rt(env={"PERTH_EVENTS__TRANSPORTS": "rabbitmq,kafka"})
    with pytest.raises(ConfigError, match="kafka"):
        configured(rt.settings)
