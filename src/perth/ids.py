"""Identifiers: UUIDv7 (RFC 9562), time-ordered so that ids sort by creation time.

Formatted by hand rather than with :mod:`uuid`, whose import pulls in :mod:`platform`
(a measurable share of the ``perth log`` budget).
"""

from __future__ import annotations

import os
import time

_HEX = frozenset("0123456789abcdef")
_last_ms = 0
_last_rand = 0


def _format(value: int) -> str:
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def uuid7(ms: int | None = None) -> str:
    """Return a new UUIDv7 as a canonical (lower-case, hyphenated) string.

    ``ms`` fixes the timestamp (milliseconds since the epoch), which importers use to
    keep ids ordered like the records they identify.  Within one process, ids created
    in the same millisecond stay strictly increasing (a monotonic random counter).
    """
    global _last_ms, _last_rand
    now = time.time_ns() // 1_000_000 if ms is None else ms
    rand = int.from_bytes(os.urandom(10), "big") & ((1 << 74) - 1)
    if ms is None and now <= _last_ms:
        now = _last_ms
        rand = _last_rand + 1
    if ms is None:
        _last_ms, _last_rand = now, rand
    rand_a = (rand >> 62) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = (now & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return _format(value)


def uuid7_many(times_ms: list[int]) -> list[str]:
    """UUIDv7s for the given timestamps (bulk ingest and import): one read of the random source
    for the whole batch instead of one per id, and each id assembled from hex text (the 74
    random bits of :func:`uuid7`: 12 after the version digit, 2 in the variant digit, 60 after)."""
    random = os.urandom(10 * len(times_ms)).hex()
    variant = "89ab"
    ids = []
    for index, ms in enumerate(times_ms):
        stamp = f"{ms & 0xFFFFFFFFFFFF:012x}"
        bits = random[20 * index:20 * index + 20]
        ids.append(f"{stamp[:8]}-{stamp[8:]}-7{bits[:3]}-{variant[int(bits[3], 16) & 3]}{bits[4:7]}-{bits[7:19]}")
    return ids


def uuid7_time_ms(value: str) -> int:
    """The creation time (ms since the epoch) embedded in a UUIDv7 string."""
    return int(value.replace("-", "")[:12], 16)


def is_uuid(value: str) -> bool:
    """True when ``value`` is a canonical lower-case UUID string."""
    parts = value.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(_HEX.issuperset(p) for p in parts)
