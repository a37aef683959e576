"""Ranking on top of BM25: explicit recency and importance boosts, exact top k, and rank fusion.

The final full-text score of a document is::

    score = bm25 x (1 + R x 0.5 ** (age / half_life[kind])) x (1 + I x importance / 100)

with ``R = search.recency_boost_pct / 100`` and ``I = search.importance_boost_pct / 100``.  Both factors
are bounded, so the product is at most ``max_factor = (1 + R) x (1 + I)``.  :func:`top_k` asks the
index for the best ``n`` documents by BM25 and stops as soon as the k-th boosted score is at least the
n-th BM25 score x ``max_factor``: no document outside the first ``n`` can beat it, so the result is the
exact top k under the boosted score over every match (a threshold algorithm), never a cut-off.

Hybrid ranking fuses the full-text and vector lists by reciprocal rank: ``sum(1 / (k + rank))``.
"""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

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
    """A document the index returned, with its BM25 score and what the boosts need."""

    bm25: float
    kind: str
    ref_id: str
    at_ms: int
    importance: int
    fields: dict[str, list[object]]


def top_k(fetch: Callable[[int], Sequence[Candidate]], k: int, boosts: Boosts,
          now_ms: int) -> list[tuple[float, Candidate]]:
    """The exact ``k`` best candidates by boosted score; ``fetch(n)`` returns the ``n`` best by BM25."""
    n = max(2 * k, 32)
    while True:
        found = fetch(n)
        scored = sorted(((c.bm25 * boosts.factor(c.kind, c.at_ms, c.importance, now_ms), c) for c in found),
                        key=lambda pair: (-pair[0], -pair[1].at_ms, pair[1].ref_id))
        if len(found) < n:
            return scored[:k]
        if len(scored) >= k and scored[k - 1][0] >= found[-1].bm25 * boosts.max_factor:
            return scored[:k]
        n *= 4


def fuse(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of ranked key lists: best first, ties by first appearance."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
