"""UUIDv7 ids and time parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.clock import from_iso, parse_when, to_iso
from perth.errors import InvalidInputError
from perth.ids import is_uuid, uuid7, uuid7_time_ms


def test_uuid7_is_version_7_and_increasing() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(value[14] == "7" and value[19] in "89ab" for value in ids)
    assert all(is_uuid(value) for value in ids)


@given(st.integers(min_value=0, max_value=2**48 - 1))
def test_uuid7_embeds_its_timestamp(ms: int) -> None:
    assert uuid7_time_ms(uuid7(ms)) == ms


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_iso_round_trip_keeps_milliseconds(ms: int) -> None:
    assert from_iso(to_iso(ms)) == ms


def test_relative_and_named_times() -> None:
    now = 1_700_000_000_000
    assert parse_when("90m", now=now) == now - 90 * 60_000
    assert parse_when("2h", now=now) == now - 7_200_000
    assert parse_when("3d ago", now=now) == now - 3 * 86_400_000
    assert parse_when("1w", now=now) == now - 604_800_000
    assert parse_when("now", now=now) == now
    assert parse_when("today", now=now) <= now
    assert parse_when("yesterday", now=now) == parse_when("today", now=now) - 86_400_000


@pytest.mark.parametrize("text", ["soon", "2 fortnights", "2026-13-01", ""])
def test_bad_times_say_what_is_accepted(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_when(text)
    assert "ISO date" in caught.value.fix


def test_records_behave_the_same_before_and_after_their_init_is_generated() -> None:
    from perth.record import SPECIALIZE_AFTER, FrozenRecordError, Record, replace

    class Base(Record):
        a: int
        b: str = "x"

    class Child(Base):
        c: tuple[str, ...] = ()

    made = [Base(i) for i in range(SPECIALIZE_AFTER + 5)]
    assert made[-1] == Base(SPECIALIZE_AFTER + 4, "x")
    assert "__init__" in Base.__dict__
    child = Child(1, "y", ("z",))
    assert (child.a, child.b, child.c) == (1, "y", ("z",))
    children = [Child(i, c=("q",)) for i in range(SPECIALIZE_AFTER + 5)]
    assert children[-1].c == ("q",)
    assert replace(children[-1], b="w") == Child(SPECIALIZE_AFTER + 4, "w", ("q",))
    with pytest.raises(TypeError):
        Base()
    with pytest.raises(FrozenRecordError):
        child.a = 2  # type: ignore[misc]
    assert hash(Base(1)) == hash(Base(1))


@given(st.lists(st.integers(0, (1 << 48) - 1), max_size=50))
def test_bulk_uuid7_carry_their_times_and_are_distinct(times: list[int]) -> None:
    from perth.ids import uuid7_many

    ids = uuid7_many(times)
    assert [uuid7_time_ms(i) for i in ids] == times
    assert all(is_uuid(i) and i[14] == "7" and i[19] in "89ab" for i in ids)
    assert len(set(ids)) == len(ids)
