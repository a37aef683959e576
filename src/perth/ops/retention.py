"""Backup retention: which backups a keep-last / daily / weekly policy keeps (pure functions)."""

from __future__ import annotations

import datetime as dt

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class Retention(Record):
    """Keep the ``last`` newest, plus the newest of each of the ``daily`` most recent days and of the
    ``weekly`` most recent ISO weeks that have a backup."""

    last: int = 7
    daily: int = 0
    weekly: int = 0


def kept(times_ms: list[int], policy: Retention) -> set[int]:
    """The positions in ``times_ms`` (creation times, UTC ms) of the backups the policy keeps."""
    newest_first = sorted(range(len(times_ms)), key=lambda i: (times_ms[i], i), reverse=True)
    keep = set(newest_first[:policy.last])
    keep |= _newest_per(times_ms, newest_first, policy.daily, lambda d: d.date().isoformat())
    keep |= _newest_per(times_ms, newest_first, policy.weekly,
                        lambda d: "{:04d}-W{:02d}".format(*d.isocalendar()[:2]))
    return keep


def _newest_per(times_ms: list[int], newest_first: list[int], count: int,
                period: Callable[[dt.datetime], str]) -> set[int]:
    chosen: dict[str, int] = {}
    for index in newest_first:
        key = period(dt.datetime.fromtimestamp(times_ms[index] / 1000, tz=dt.UTC))
        if key not in chosen:
            if len(chosen) == count:
                break
            chosen[key] = index
    return set(chosen.values())
