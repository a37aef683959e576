"""Escape stripping is split-invariant; the transcript dates text by the chunk that completed it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from perth.shellperf.escapes import EscapeStripper, strip_escapes
from perth.shellperf.transcript import Transcript

FISH = (b'\x1b]0;~/PZ1cwd\x07\x1b[30m\x1b(B\x1b[m\rroot\x1b(B\x1b[m@vm ~/PZ1cwd\x1b(B\x1b[m# \x1b[K\r\x1b[18C'
        b"\x1b[?2004h\xe2\x8f\x8e \x1bP1$r0m\x1b\\end")


def test_strips_colour_titles_bracketed_paste_charsets_and_controls() -> None:
    assert strip_escapes(FISH) == "root@vm ~/PZ1cwd# ⏎ end"
    assert strip_escapes(b"\x1b[1m\x1b[7m#\x1b[27m\x1b[0m   \r \r\rPZ1host# \x1b[K") == "#    PZ1host# "


@given(st.lists(st.integers(min_value=0, max_value=len(FISH)), max_size=6))
def test_any_split_gives_the_same_text(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [FISH[a:b] for a, b in zip([0, *points], [*points, len(FISH)], strict=True)]
    stripper = EscapeStripper()
    assert "".join(stripper.feed(p) for p in pieces) + stripper.flush() == strip_escapes(FISH)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_leave_an_escape(data: bytes) -> None:
    assert "\x1b" not in strip_escapes(data)


def test_an_unterminated_title_is_held_back_not_shown() -> None:
    stripper = EscapeStripper()
    assert stripper.feed(b"a\x1b]0;PZ1cwd") == "a"
    assert stripper.feed(b"\x07b") == "b"


def test_transcript_dates_a_token_by_its_last_chunk() -> None:
    screen = Transcript()
    screen.add(b"\x1b[32mPZ1", 100)
    screen.add(b"cw", 200)
    screen.add(b"d\x1b[0m% ", 300)
    end = screen.find("PZ1cwd")
    assert end == 6 and screen.time_at(end) == 300
    assert screen.find("PZ1cwd", end) is None
