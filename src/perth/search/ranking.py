"""Ranking on top of BM25: explicit recency and importance boosts, exact top k, and rank fusion.

The final full-text score of a document is::

    score = bm25 x (1 + R x 0.5 ** (age / half_life[kind])) x (1 + I x importance / 100)

with ``R = search.recency_boost_pct / 100`` and ``I = search.importance_boost_pct / 100``.  Both factors
are bounded, so the product is at most ``max_factor = (1 + R) x (1 + I)``.  :func:`top_k` asks the
index for the best ``n`` documents by BM25 and stops as soon as the k-th boosted score is at least the
n-th BM25 score x ``max_factor``: no document outside the first ``n`` can beat it, so the result is the
exact top k under the boosted score over every match (a threshold algorithm), never a cut-off.  When
BM25 scores are flat (one common word), the documents that could still enter are only the recent or
important ones: partitions by age and importance (:func:`partitions`) bound them tightly, and only the
partitions that can still matter are searched.

Hybrid ranking fuses the full-text and vector lists by reciprocal rank: ``sum(1 / (k + rank))``.
"""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Protocol, TypeVar

    class Ranked(Protocol):
        """What ranking reads of a match: a :class:`Candidate` or a :class:`Match`."""

        @property
        def bm25(self) -> float: ...
        @property
        def kind(self) -> str: ...
        @property
        def at_ms(self) -> int: ...
        @property
        def importance(self) -> int: ...
        @property
        def key(self) -> tuple[object, ...]: ...

    R = TypeVar("R", bound=Ranked)

DAY_MS = 86_400_000


class Boosts(Record):
    """The boost settings (see the module docstring); half-lives per kind in days (0: no recency boost)."""

    recency: float = 0.3
    importance: float = 0.5
    half_life_days: tuple[tuple[str, int], ...] = ()

    @property
    def max_factor(self) -> float:
        """The largest factor a document can get."""
        return (1.0 + self.recency) * (1.0 + self.importance)

    def factor(self, kind: str, at_ms: int, importance: int, now_ms: int) -> float:
        """The boost of one document."""
        half_life = dict(self.half_life_days).get(kind, 0)
        fresh = 0.5 ** (max(0, now_ms - at_ms) / (half_life * DAY_MS)) if half_life > 0 else 0.0
        return (1.0 + self.recency * fresh) * (1.0 + self.importance * min(max(importance, 0), 100) / 100)


class Candidate(Record):
    """A document the index returned, with its BM25 score and what the boosts need.

    ``ident`` tells documents apart (an index address while ranking); ``fields`` holds the stored fields
    once loaded (only the final hits are loaded).
    """

    bm25: float
    kind: str
    ref_id: str
    at_ms: int
    importance: int
    fields: dict[str, list[object]] | None = None
    ident: tuple[object, ...] = ()

    @property
    def key(self) -> tuple[object, ...]:
        """Identity for de-duplication."""
        return self.ident or (self.kind, self.ref_id)


class Match:
    """A match as the index returned it, with what ranking reads (:class:`Candidate`'s fields): a plain
    class, not a :class:`~perth.record.Record`, because a search makes thousands of them and keeps only
    the best ``k`` (those become candidates)."""

    __slots__ = ("at_ms", "bm25", "importance", "key", "kind")

    def __init__(self, bm25: float, kind: str, at_ms: int, importance: int, key: tuple[object, ...]) -> None:
        self.bm25 = bm25
        self.kind = kind
        self.at_ms = at_ms
        self.importance = importance
        self.key = key


def rank_all(found: Sequence[R], k: int, boosts: Boosts, now_ms: int) -> list[tuple[float, R]]:
    """The ``k`` best of candidates that hold every match."""
    scored: dict[tuple[object, ...], tuple[float, R]] = {}
    _score(found, boosts, now_ms, scored)
    return _best(scored, k)


def _score(found: Sequence[R], boosts: Boosts, now_ms: int, scored: dict[tuple[object, ...], tuple[float, R]]) -> None:
    """Add the boosted scores of candidates not scored yet (each document is scored once)."""
    lives = dict(boosts.half_life_days)
    recency, weight = boosts.recency, boosts.importance
    for c in found:
        key = c.key
        if key in scored:
            continue
        half_life = lives.get(c.kind, 0)
        fresh = 0.5 ** (max(0, now_ms - c.at_ms) / (half_life * DAY_MS)) if half_life > 0 else 0.0
        factor = (1.0 + recency * fresh) * (1.0 + weight * min(max(c.importance, 0), 100) / 100)  # Boosts.factor
        scored[key] = (c.bm25 * factor, c)


def _kth(scored: dict[tuple[object, ...], tuple[float, R]], k: int) -> float:
    """The k-th best boosted score so far (0 while fewer are known)."""
    import heapq

    return heapq.nlargest(k, (score for score, _ in scored.values()))[-1] if len(scored) >= k else 0.0


def _best(scored: dict[tuple[object, ...], tuple[float, R]], k: int) -> list[tuple[float, R]]:
    """The ``k`` best, ties broken by the newer document, then by identity: ``sorted(...)[:k]``.

    The identity (its ``repr``) costs the most to compare, so the k best are first found by score and
    time; every pair tied with the k-th of those on both is kept, and only these are sorted in full."""
    import heapq

    pairs = list(scored.values())
    if len(pairs) > k:
        top = heapq.nsmallest(k, pairs, key=lambda pair: (-pair[0], -pair[1].at_ms))
        last = (-top[-1][0], -top[-1][1].at_ms)
        pairs = [pair for pair in pairs if (-pair[0], -pair[1].at_ms) <= last]
    return sorted(pairs, key=lambda pair: (-pair[0], -pair[1].at_ms, repr(pair[1].key)))[:k]


#: Partition bounds: document ages in days (the last partition holds everything older) and importance
#: classes.  Inside a partition the boost varies little, so a few documents settle its contribution.
AGE_BOUNDS_DAYS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
IMPORTANCE_CLASSES = ((0, 0), (1, 50), (51, 100))


class Partition(Record):
    """Documents ``newer <= at <= older`` (``None``: unbounded) of importance ``low..high``, and the
    largest boost any of them can get."""

    newer: int | None
    older: int | None
    low: int
    high: int
    max_factor: float


def partitions(boosts: Boosts, now_ms: int) -> list[Partition]:
    """Every (age, importance) partition, the one with the largest possible boost first."""
    half_life = max([days for _, days in boosts.half_life_days if days > 0], default=0)
    edges = [None, *(now_ms - days * DAY_MS for days in AGE_BOUNDS_DAYS), None]
    found = []
    for i in range(len(edges) - 1):
        youngest_age = 0 if i == 0 else AGE_BOUNDS_DAYS[i - 1]
        fresh = 0.5 ** (youngest_age / half_life) if half_life > 0 else 0.0
        upper, lower = edges[i], edges[i + 1]
        for low, high in IMPORTANCE_CLASSES:
            factor = (1.0 + boosts.recency * fresh) * (1.0 + boosts.importance * high / 100)
            found.append(Partition(newer=lower, older=None if upper is None else upper - 1, low=low, high=high,
                                   max_factor=factor))
    return sorted(found, key=lambda p: -p.max_factor)


def top_k(fetch: Callable[[int], Sequence[R]], k: int, boosts: Boosts, now_ms: int,
          fetch_in: Callable[[Partition, int], Sequence[R]] | None = None) -> list[tuple[float, R]]:
    """The exact ``k`` best candidates by boosted score; ``fetch(n)`` returns the ``n`` best by BM25.

    When the first ``n`` do not settle the top k (flat BM25 scores: one common word), each partition of
    :func:`partitions` whose best possible unread score could still beat the k-th score is searched by
    BM25 (``fetch_in(partition, n)``) until the next document it could return cannot.  A document the
    first search did not return has a BM25 of at most its n-th one's, so a partition's unread documents
    score at most that BM25 (or the partition's own m-th, once searched, when lower) x its largest
    boost: the old and unimportant partitions, which hold most documents, are rarely searched.
    Neighbouring partitions of one importance class whose largest boosts differ by less than
    :data:`SPAN_RATIO` are searched as one (bounded by the youngest one's boost).  Every document left
    unread is bounded by the k-th score, so the result equals sorting every match (up to documents
    tied with the k-th).  Without ``fetch_in`` the first fetch grows instead.
    """
    n = max(2 * k, 32)
    scored: dict[tuple[object, ...], tuple[float, R]] = {}
    while True:
        found = list(fetch(n))
        _score(found, boosts, now_ms, scored)
        kth = _kth(scored, k)
        if len(found) < n or kth >= found[-1].bm25 * boosts.max_factor:
            return _best(scored, k)
        if fetch_in is not None:
            break
        n *= 4
    ceiling = found[-1].bm25  # the first search read every match scoring more: none left unread does
    classes: dict[tuple[int, int], list[Partition]] = {}
    for part in partitions(boosts, now_ms):  # within an importance class: the youngest first
        classes.setdefault((part.low, part.high), []).append(part)
    for group in classes.values():
        start = 0
        while start < len(group):
            if ceiling * group[start].max_factor <= kth:  # and so every older one of the class
                break
            # neighbours whose largest boost is nearly the same are searched together: the span's bound
            # (its youngest partition's boost) is barely looser than each one's, and one search is cheaper
            end = start + 1
            while end < len(group) and group[end].max_factor * SPAN_RATIO >= group[start].max_factor:
                end += 1
            span = Partition(newer=group[end - 1].newer, older=group[start].older, low=group[start].low,
                             high=group[start].high, max_factor=group[start].max_factor)
            m = n
            bound = ceiling
            while bound * span.max_factor > kth:
                more = list(fetch_in(span, m))
                _score(more, boosts, now_ms, scored)
                kth = _kth(scored, k)
                if len(more) < m:
                    break
                bound = min(bound, more[-1].bm25)
                m *= 4
            start = end
    return _best(scored, k)


#: Neighbouring partitions of one importance class whose largest boosts differ by less than this
#: factor are searched as one.
SPAN_RATIO = 1.05


def fuse(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of ranked key lists: best first, ties by first appearance."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
