"""Hybrid logical clock stamps of record versions.

A stamp is ``milliseconds << 16 | counter`` in one 64-bit integer.  A version's stamp is its edit
time (the record's own newest time: an entry's ``updated_at``, a pane's ``last_seen_at``...) unless
that is not later than the version it replaces, in which case it is the replaced stamp plus one:
a version always sorts after every version its home had seen of that record (causality), and two
concurrent versions sort by when they were made.  Ties are broken by home id, so every home
orders any two versions the same way.
"""

from __future__ import annotations

SHIFT = 16


def stamp(edited_ms: int, parent: int | None) -> int:
    """The stamp of a new version edited at ``edited_ms`` replacing the version stamped ``parent``."""
    value = max(int(edited_ms), 0) << SHIFT
    if parent is not None and value <= parent:
        value = parent + 1
    return value


def stamp_ms(value: int) -> int:
    """The milliseconds part of a stamp."""
    return value >> SHIFT
