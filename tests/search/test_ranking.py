"""Exact top k under bounded boosts, rank fusion and snippets (property tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from perth.search.ranking import DAY_MS, Boosts, Candidate, Match, Partition, fuse, partitions, rank_all, top_k
from perth.search.snippets import snippet

NOW = 1_800_000_000_000
candidates = st.lists(st.tuples(st.one_of(st.floats(0.01, 50, allow_nan=False), st.sampled_from([1.0, 2.0])),
                                st.sampled_from(["command", "intent"]), st.integers(0, 1000),
                                st.sampled_from([0, 0, 0, 30, 50, 100])), min_size=0, max_size=300)


@settings(max_examples=150, deadline=None)
@given(candidates, st.integers(1, 40), st.integers(0, 300), st.integers(0, 200), st.integers(0, 60))
def test_top_k_equals_sorting_every_match_by_boosted_score(raw: list[tuple[float, str, int, int]], k: int,
                                                            recency: int, importance: int, half_life: int) -> None:
    boosts = Boosts(recency=recency / 100, importance=importance / 100,
                    half_life_days=(("command", half_life), ("intent", half_life // 2)))
    pool = [Candidate(bm25=s, kind=kind, ref_id=f"r{i}", at_ms=NOW - age * DAY_MS, importance=imp, fields={})
            for i, (s, kind, age, imp) in enumerate(raw)]
    by_bm25 = sorted(pool, key=lambda c: -c.bm25)
    calls: list[int] = []

    def fetch(n: int) -> list[Candidate]:
        calls.append(n)
        return by_bm25[:n]

    def fetch_in(part: Partition, n: int) -> list[Candidate]:
        calls.append(-n)
        return [c for c in by_bm25 if part.low <= c.importance <= part.high
                and (part.newer is None or c.at_ms >= part.newer) and (part.older is None or c.at_ms <= part.older)][:n]

    found = top_k(fetch, k, boosts, NOW)
    assert [round(s, 9) for s, _ in top_k(fetch, k, boosts, NOW, fetch_in)] == [round(s, 9) for s, _ in found]
    truth = sorted((c.bm25 * boosts.factor(c.kind, c.at_ms, c.importance, NOW) for c in pool), reverse=True)[:k]
    assert [round(score, 9) for score, _ in found] == [round(score, 9) for score in truth]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1.0, 2.0, 2.5]), st.sampled_from(["command", "intent"]),
                          st.integers(0, 3), st.sampled_from([0, 50, 100]), st.integers(0, 30), st.integers(0, 12)),
                max_size=120),
       st.integers(1, 30))
def test_rank_all_equals_sorting_by_score_then_time_then_identity(raw: list[tuple[float, str, int, int, int, int]],
                                                                   k: int) -> None:
    """Many exact ties (same score and time): the identity decides, as in ``sorted(...)[:k]``."""
    boosts = Boosts(recency=0.3, importance=0.5, half_life_days=(("command", 30), ("intent", 7)))
    found = [Match(s, kind, NOW - age * DAY_MS, imp, (segment, doc)) for s, kind, age, imp, segment, doc in raw]
    unique = list({m.key: m for m in reversed(found)}.values())  # each document scored once: its first match
    truth = sorted(((m.bm25 * boosts.factor(m.kind, m.at_ms, m.importance, NOW), m) for m in unique),
                   key=lambda pair: (-pair[0], -pair[1].at_ms, repr(pair[1].key)))[:k]
    assert [(score, m.key) for score, m in rank_all(found, k, boosts, NOW)] == [(s, m.key) for s, m in truth]


def test_an_unread_match_that_a_small_boost_lifts_above_the_kth_is_found() -> None:
    """The first search returns old matches; as good recent ones were left unread (a BM25 tie) and a 2%
    recency boost lifts them above every old one: the newest partition must still be searched."""
    boosts = Boosts(recency=0.02, importance=0.0, half_life_days=(("command", 30),))
    old = [Candidate(bm25=1.0, kind="command", ref_id=f"old{i}", at_ms=NOW - 900 * DAY_MS, importance=0)
           for i in range(64)]
    new = [Candidate(bm25=1.0, kind="command", ref_id=f"new{i}", at_ms=NOW - i * 60_000, importance=0)
           for i in range(3)]
    by_bm25 = old + new  # tied: the index may return any of them first

    def fetch_in(part: Partition, n: int) -> list[Candidate]:
        return [c for c in by_bm25 if (part.newer is None or c.at_ms >= part.newer)
                and (part.older is None or c.at_ms <= part.older)][:n]

    found = top_k(lambda n: by_bm25[:n], 2, boosts, NOW, fetch_in)
    assert [c.ref_id for _, c in found] == ["new0", "new1"]


def test_partitions_searched_together_are_bounded_by_the_youngest_boost() -> None:
    """Neighbouring partitions with nearly equal boosts are searched as one span: what it leaves unread
    is bounded by its youngest partition's boost, so a brand-new match beats a 5-day-old one."""
    boosts = Boosts(recency=0.3, importance=0.0, half_life_days=(("command", 30),))
    old = [Candidate(bm25=1.0, kind="command", ref_id=f"old{i}", at_ms=NOW - 900 * DAY_MS, importance=0)
           for i in range(31)]
    recent = Candidate(bm25=1.0, kind="command", ref_id="recent", at_ms=NOW - 5 * DAY_MS, importance=0)
    brand_new = Candidate(bm25=1.0, kind="command", ref_id="new", at_ms=NOW, importance=0)
    by_bm25 = [*old, recent, brand_new]  # tied: the first search reads the old ones and the 5-day-old one

    def fetch_in(part: Partition, n: int) -> list[Candidate]:
        return [c for c in by_bm25 if (part.newer is None or c.at_ms >= part.newer)
                and (part.older is None or c.at_ms <= part.older)][:n]

    found = top_k(lambda n: by_bm25[:n], 1, boosts, NOW, fetch_in)
    assert [c.ref_id for _, c in found] == ["new"]


def test_boost_factor_is_bounded() -> None:
    boosts = Boosts(recency=0.3, importance=0.5, half_life_days=(("command", 30),))
    assert boosts.factor("command", NOW, 100, NOW) == boosts.max_factor
    assert boosts.factor("command", NOW - 30 * DAY_MS, 0, NOW) == 1.15
    assert boosts.factor("journal", NOW, 0, NOW) == 1.0


def test_reciprocal_rank_fusion() -> None:
    fused = dict(fuse([["a", "b", "c"], ["c", "a"]], k=60))
    assert fused["a"] == 1 / 61 + 1 / 62
    assert max(fused, key=fused.__getitem__) == "a"
    assert fused["b"] == 1 / 62


@given(st.text(max_size=400).filter(lambda t: "*" not in t), st.lists(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), max_size=3))
def test_highlights_point_at_query_words(text: str, words: list[str]) -> None:
    marked, spans = snippet(text, tuple(words))
    plain = marked.replace("**", "")
    assert len(plain) <= 162
    for start, end in spans:
        assert plain[start:end].lower() in words


def test_partitions_cover_every_age_and_importance_once() -> None:
    boosts = Boosts(recency=0.3, importance=0.5, half_life_days=(("command", 30),))
    parts = partitions(boosts, NOW)
    for age_days in (0, 0.5, 1, 3, 100, 600, 5000):
        for importance in (0, 1, 50, 51, 100):
            at = NOW - int(age_days * DAY_MS)
            holding = [p for p in parts if p.low <= importance <= p.high
                       and (p.newer is None or at >= p.newer) and (p.older is None or at <= p.older)]
            assert len(holding) == 1, (age_days, importance)
            assert boosts.factor("command", at, importance, NOW) <= holding[0].max_factor + 1e-12


def _reference_snippet(text: str, exact: tuple[str, ...], prefixes: tuple[str, ...] = (),
                       width: int = 160) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Snippets as first written: every token of the whole text compared (slow on long texts, plainly right)."""
    import re

    flat = " ".join(text.split())
    spans = [m.span() for m in re.finditer(r"[^\W_]+", flat)
             if m.group().lower() in exact or any(m.group().lower().startswith(p) for p in prefixes)]
    start = 0
    if spans and len(flat) > width:
        start = max(0, min(spans[0][0] - width // 4, len(flat) - width))
    end = min(len(flat), start + width)
    lead, tail = ("…" if start > 0 else ""), ("…" if end < len(flat) else "")
    inside = [(s - start + len(lead), e - start + len(lead)) for s, e in spans if s >= start and e <= end]
    plain = lead + flat[start:end] + tail
    marked, cursor = [], 0
    for s, e in inside:
        marked += [plain[cursor:s], "**", plain[s:e], "**"]
        cursor = e
    marked.append(plain[cursor:])
    return "".join(marked), tuple(inside)


_WORDS = st.sampled_from(["git", "push", "gitlab", "Git", "GIT", "pushed", "ǅemo", "İstanbul", "a_git", "x9", "ß"])


@given(st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=300).map(" ".join),
       st.lists(st.sampled_from(["git", "push", "x9", "ǆemo", "i̇stanbul", "ss"]), max_size=3),
       st.lists(st.sampled_from(["gi", "pus", "i̇s", "a"]), max_size=2))
def test_snippets_equal_reading_every_token(text: str, exact: list[str], prefixes: list[str]) -> None:
    """Reading only around the first match gives the snippet that reading every token gives."""
    words, starts = tuple(dict.fromkeys(exact)), tuple(dict.fromkeys(prefixes))
    assert snippet(text, words, starts) == _reference_snippet(text, words, starts)
