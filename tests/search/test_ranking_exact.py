"""The partitioned ranking of a real index returns exactly what reading every match returns.

:func:`perth.search.query.fulltext` reads every match when there are few (``READ_ALL``) and otherwise
searches by BM25 and then partition by partition, skipping partitions that cannot change the top k
(and those of an importance class no document has).  Forcing each path on the same generated index
must give the same hits, scores and order: a shortcut that changed a result fails here.
"""

from __future__ import annotations

import os
import tempfile
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime
from perth.search import query as search_query
from perth.search.engine import FullTextIndex
from perth.search.query import SearchRequest, fulltext
from perth.search.records import SearchDoc, SearchFilter

NOW = 1_800_000_000_000
HOUR_MS = 3_600_000
#: Few words, some frequent: BM25 scores tie often (flat scores are what the partitions are for).
VOCAB = ("git", "git", "git", "status", "status", "push", "docker", "compose", "up", "make", "test", "kubectl",
         "get", "pods", "rare")

documents = st.lists(
    st.tuples(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=6),
              st.one_of(st.integers(0, 72), st.integers(0, 40_000)),  # age in hours: the last days, or years
              st.sampled_from(["command", "command", "intent", "journal"]),
              st.sampled_from([0, 0, 0, 0, 30, 50, 70, 100]),
              st.sampled_from([0, 0, 0, 1, 2])),
    min_size=80, max_size=300)  # more matches than the first search by BM25 reads (2k, at least 32)
queries = st.sampled_from(["git", "git status", "status", "docker compose", "make test", "rare", "git push",
                           "kubectl get pods", "up"])


def _runtime(**overrides: str) -> Runtime:
    environ = dict(os.environ)
    return Runtime(settings=load_settings(resolve_paths(environ), environ, overrides), environ=environ,
                   clock=lambda: NOW)


def _index(directory: str, docs: list[tuple[list[str], int, str, int, int]], *, commands_only: bool) -> FullTextIndex:
    index = FullTextIndex(os.path.join(directory, "fulltext"))
    writer = index.writer()
    try:
        writer.upsert((SearchDoc(kind="command" if commands_only else kind, ref_id=f"d{i}", text=" ".join(words),
                                 at_ms=NOW - age * HOUR_MS,
                                 importance=(50 if status else 0) if commands_only else importance,
                                 exit=status, cwd="/src/app" if i % 3 else "/src/other")
                       for i, (words, age, kind, importance, status) in enumerate(docs)), fresh=True)
        writer.commit()
    finally:
        writer.close()
    return index


def _ranked(rt: Runtime, index: FullTextIndex, request: SearchRequest, k: int,
            read_all: int) -> list[tuple[float, str, str, float]]:
    with mock.patch.object(search_query, "READ_ALL", read_all):
        found = fulltext(rt, index, request, k)
    return [(score, c.kind, c.ref_id, c.bm25) for score, c in found]


def _settled(ranked: list[tuple[float, str, str, float]]) -> tuple[list[float], list[tuple[float, str, str, float]]]:
    """Every score, and the hits scoring more than the last: among documents tied with the k-th score,
    which ones fill the page is not specified (the partitioned search stops without reading them all)."""
    last = ranked[-1][0] if ranked else 0.0
    return [score for score, *_rest in ranked], [hit for hit in ranked if hit[0] > last]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=documents, text=queries, k=st.integers(1, 30), commands_only=st.booleans(),
       flt=st.sampled_from(["none", "failed", "since", "cwd"]),
       boosts=st.sampled_from([("0", "0"), ("30", "50"), ("100", "200")]), decay_days=st.sampled_from(["30", "1", "0"]))
def test_partitioned_top_k_equals_reading_every_match(*, docs: list[tuple[list[str], int, str, int, int]], text: str,
                                                      k: int, commands_only: bool, flt: str,
                                                      boosts: tuple[str, str], decay_days: str) -> None:
    rt = _runtime(**{"search.recency_boost_pct": boosts[0], "search.importance_boost_pct": boosts[1],
                     "search.decay_days": decay_days})
    filters = {"none": SearchFilter(), "failed": SearchFilter(failed=True),
               "since": SearchFilter(since=NOW - 30 * 24 * HOUR_MS), "cwd": SearchFilter(cwd="/src/app")}
    with tempfile.TemporaryDirectory() as directory:
        index = _index(directory, docs, commands_only=commands_only)
        request = SearchRequest(text=text, kinds=("command",) if commands_only else (), filter=filters[flt], limit=k)
        every = _ranked(rt, index, request, k, read_all=10**9)  # every match read and sorted
        assert _settled(_ranked(rt, index, request, k, read_all=-1)) == _settled(every)  # BM25, then partitions


def test_partitions_of_an_importance_class_no_document_has_are_not_searched() -> None:
    """Commands only (importance 0 or 50): the classes above hold nothing, so nothing there is searched."""
    rt = _runtime()
    docs = [(["git", "status"], age, "command", 0, 1 if age % 7 == 0 else 0) for age in range(0, 40_000, 40)]
    with tempfile.TemporaryDirectory() as directory:
        index = _index(directory, docs, commands_only=True)
        parts: list[object] = []
        search = index.search

        def counted(*args: object, **kwargs: object) -> object:
            parts.append(kwargs.get("part"))
            return search(*args, **kwargs)  # type: ignore[arg-type]

        request = SearchRequest(text="git status", kinds=("command",), limit=20)
        with mock.patch.object(index, "search", counted):
            _ranked(rt, index, request, 21, read_all=-1)
        searched = [p for p in parts if p is not None]
        assert searched, "the flat scores needed partitions"
        assert all(p.high <= 50 for p in searched), "no partition of importance 51..100 was searched"  # type: ignore[attr-defined]
        assert index.holds_importance(1, 50) and not index.holds_importance(51, 100)
        assert _settled(_ranked(rt, index, request, 21, read_all=-1)) == _settled(
            _ranked(rt, index, request, 21, read_all=10**9))
