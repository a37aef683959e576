"""A memory-search request and its full-text ranking: what both the service and the vector and
hybrid modes (:mod:`perth.search.semantic`) build on.

Full text: BM25 over every match (tantivy), recency and importance boosts applied with an exact
top-k threshold (:mod:`perth.search.ranking`).
"""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.record import Record
from perth.search.records import KINDS, MODES, SearchFilter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.search.engine import FullTextIndex
    from perth.search.ranking import Boosts, Candidate, Partition

DAY_MS = 86_400_000
MAX_WINDOW = 10_000


class SearchRequest(Record):
    """A resolved search: words, kinds (empty: all), mode (``None``: ``search.mode``), filters, paging."""

    text: str
    kinds: tuple[str, ...] = ()
    mode: str | None = None
    filter: SearchFilter = SearchFilter()
    limit: int = 20
    offset: int = 0


def kind_number(kind: str) -> int:
    """A kind's number in the index."""
    from perth.search.engine import kind_number as number

    return number(kind)


def known_kinds() -> tuple[str, ...]:
    """Every kind with a registered source (the built-in ones, plus e.g. ``code`` when registered)."""
    from perth.search.registry import all_sources

    return tuple(dict.fromkeys([*KINDS, *all_sources()]))


def check(request: SearchRequest) -> None:
    """Reject a request that cannot be answered, with a one-line reason."""
    if not request.text.strip():
        raise InvalidInputError("the search text is empty", "give words to look for, e.g. perth search docker compose")
    kinds = known_kinds()
    for kind in request.kinds:
        if kind not in kinds:
            raise InvalidInputError(f"unknown kind {kind!r}", f"use one of: {', '.join(kinds)}")
    if request.mode is not None and request.mode not in MODES:
        raise InvalidInputError(f"unknown mode {request.mode!r}", f"use one of: {', '.join(MODES)}")
    if request.limit < 1 or request.offset < 0 or request.offset + request.limit > MAX_WINDOW:
        raise InvalidInputError("--limit must be >= 1, --offset >= 0, and together at most 10000",
                                "fix the paging options")


def boosts(rt: Runtime) -> Boosts:
    """The boost settings (``search.*``)."""
    from perth.search.ranking import Boosts

    default = rt.settings.get_int("search.decay_days")
    half_lives = []
    for kind in known_kinds():
        key = f"search.decay_days_{kind}"
        value = rt.settings.get_int(key) if kind in KINDS else -1
        half_lives.append((kind, default if value < 0 else value))
    return Boosts(recency=rt.settings.get_int("search.recency_boost_pct") / 100,
                  importance=rt.settings.get_int("search.importance_boost_pct") / 100,
                  half_life_days=tuple(half_lives))


def kind_cutoffs(rt: Runtime, kinds: tuple[str, ...]) -> list[tuple[str, int | None]]:
    """Each requested kind with the oldest time it may have (``search.expire_days_<kind>``); empty when
    every kind is wanted and none expires (no kind filter at all)."""
    now = rt.clock()
    found = []
    for kind in kinds or known_kinds():
        days = rt.settings.get_int(f"search.expire_days_{kind}") if kind in KINDS else 0
        found.append((kind, now - days * DAY_MS if days > 0 else None))
    if not kinds and all(cutoff is None for _, cutoff in found):
        return []
    return found


#: Below this many possible matches, every match is read at once (exact without any further search).
#: Reading one costs about what a partition search costs per 500 matches (fast fields, a row, a score).
READ_ALL = 512


def fulltext(rt: Runtime, index: FullTextIndex, request: SearchRequest, k: int, *,
             refresh: bool = True) -> list[tuple[float, Candidate]]:
    """The exact top ``k`` by boosted BM25 over the documents holding every word; when fewer than ``k`` do,
    the documents holding some of the words follow (ranked the same way among themselves).  ``refresh``:
    first see what is committed now (off: the caller refreshed, and another thread reads this view)."""
    from perth.search.engine import query_terms
    from perth.search.ranking import Match, rank_all, top_k

    terms = query_terms(request.text)
    cutoffs = kind_cutoffs(rt, request.kinds)
    weights = boosts(rt)
    names = {kind_number(kind): kind for kind in known_kinds()}
    addresses: dict[tuple[object, ...], object] = {}
    if refresh:
        index.refresh()

    def fetch(n: int, *, any_word: bool = False, part: Partition | None = None) -> list[Match]:
        matches = []
        for score, address, at, importance, kind in index.search(terms, request.filter, cutoffs, n,
                                                                 any_word=any_word, part=part):
            key = (address.segment_ord, address.doc)
            addresses[key] = address
            matches.append(Match(score, names.get(kind, ""), at, importance, key))
        return matches

    def fetch_in(part: Partition, n: int, *, any_word: bool) -> list[Match]:
        # a partition of an importance class no document has holds nothing: no search needed
        return fetch(n, any_word=any_word, part=part) if index.holds_importance(part.low, part.high) else []

    def ranked(any_word: bool, want: int) -> list[tuple[float, Match]]:
        bound = index.matches_at_most(terms, any_word=any_word)
        if bound is not None and bound <= READ_ALL:
            return rank_all(fetch(bound + 1, any_word=any_word), want, weights, rt.clock())
        return top_k(lambda n: fetch(n, any_word=any_word), want, weights, rt.clock(),
                     lambda part, n: fetch_in(part, n, any_word=any_word))

    best = ranked(False, k)
    if len(best) < k and len(terms[0]) + len(terms[1]) >= 2:
        seen = {c.key for _, c in best}
        best += [pair for pair in ranked(True, k + len(best)) if pair[1].key not in seen][:k - len(best)]
    return [(score, candidate(c.bm25, index.fields(addresses[c.key]))) for score, c in best]


def candidate(score: float, fields: dict[str, list[object]]) -> Candidate:
    """A stored document as a ranking candidate."""
    from perth.search.ranking import Candidate

    def first(name: str, default: object) -> object:
        values = fields.get(name) or [default]
        return values[0]

    return Candidate(bm25=score, kind=str(first("kind", "")), ref_id=str(first("ref", "")),
                     at_ms=int(str(first("at", 0))), importance=int(str(first("importance", 0))), fields=fields)
