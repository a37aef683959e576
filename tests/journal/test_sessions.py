"""Session splitting at idle gaps, active time and deterministic ids (unit and property tests)."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from perth.journal.model import Scope
from perth.journal.sessions import ACTIVE_CAP_MS, Span, active_ms, session_id, split

MIN = 60_000
GAP = 30 * MIN


def point(at: int, index: int = 0, kind: str = "entry") -> Span:
    return Span(at, at, kind, index)


def test_a_gap_longer_than_the_idle_gap_starts_a_new_session() -> None:
    spans = [point(0, 0), point(29 * MIN, 1), point(29 * MIN + GAP + 1, 2), point(29 * MIN + GAP + 2, 3)]
    groups = split(spans, GAP)
    assert [[s.index for s in g] for g in groups] == [[0, 1], [2, 3]]


def test_a_gap_of_exactly_the_idle_gap_stays_in_the_session() -> None:
    assert len(split([point(0), point(GAP, 1)], GAP)) == 1


def test_a_long_running_command_bridges_the_gap_it_covers() -> None:
    build = Span(0, 50 * MIN, "command", 0)  # a 50-minute build
    after = point(70 * MIN, 1)  # 20 minutes after the build ended
    assert len(split([build, after], GAP)) == 1
    assert len(split([point(0, 0, "command"), after], GAP)) == 2


def test_active_time_counts_running_commands_and_caps_each_pause() -> None:
    spans = [Span(0, 5 * MIN, "command", 0), point(25 * MIN, 1), point(26 * MIN, 2)]
    # 5 min running, a 20 min pause credited 10 min, then 1 min
    assert active_ms(spans, GAP) == 5 * MIN + ACTIVE_CAP_MS + 1 * MIN
    assert active_ms(spans, 2 * MIN) == 5 * MIN + 2 * MIN + 1 * MIN  # the cap is never above the idle gap
    assert active_ms([], GAP) == 0


def test_session_ids_depend_on_scope_and_start_only() -> None:
    everything, one_pane = Scope(), Scope(pane_names=("fix/a",))
    assert session_id(everything, 1000) == session_id(Scope(), 1000)
    assert session_id(everything, 1000) != session_id(everything, 1001)
    assert session_id(everything, 1000) != session_id(one_pane, 1000)
    assert session_id(everything, 1000).startswith("s") and len(session_id(everything, 1000)) == 16


spans_strategy = st.lists(
    st.tuples(st.integers(0, 10 * 24 * 60), st.integers(0, 120), st.sampled_from(["command", "entry", "commit"])),
    max_size=60,
).map(lambda items: [Span(start * MIN, start * MIN + (length * MIN if kind == "command" else 0), kind, i)
                     for i, (start, length, kind) in enumerate(items)])


@settings(max_examples=300, deadline=None)
@given(spans_strategy, st.integers(1, 180))
def test_split_properties(spans: list[Span], gap_minutes: int) -> None:
    gap = gap_minutes * MIN
    groups = split(spans, gap)
    flat = [s for g in groups for s in g]
    assert sorted(flat, key=lambda s: (s.kind, s.index)) == sorted(spans, key=lambda s: (s.kind, s.index))
    for group in groups:  # inside a session: no gap after the furthest end exceeds the idle gap
        reach = group[0].end_ms
        for span in group[1:]:
            assert span.start_ms - reach <= gap
            reach = max(reach, span.end_ms)
        assert 0 <= active_ms(group, gap) <= max(s.end_ms for s in group) - group[0].start_ms
    for before, after in pairwise(groups):  # between sessions: always more
        assert after[0].start_ms - max(s.end_ms for s in before) > gap
