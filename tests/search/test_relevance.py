"""Relevance: nDCG@10 of fts, vector and hybrid on the judged set; BM25 equal to exhaustive scoring on it.

Run with ``-s`` to see the figures (docs/search.md records them).  The floors asserted here sit below
the held-out figures measured when the set was written: they catch a regression, they were not tuned.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from perth.panes.entries import EntryDraft, log_entry
from perth.runtime import Runtime
from perth.search.service import SearchRequest, search_memory
from tests.search.conftest import add_commands, make_rt
from tests.search.relevance_data import GLOSSARY, documents, queries
from tests.search.test_search_service import NO_BOOSTS, expected_top
from tests.search.tiny_model import build_model

DAY_MS = 86_400_000
#: Held-out floors (measured figures are in docs/search.md).
FLOORS = {"fts": 0.50, "vector": 0.65, "hybrid": 0.65}


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    best = sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / best if best else 0.0


def load(rt: Runtime) -> dict[str, str]:
    """Store the documents (older than the journal's window); returns doc id by stored record id."""
    now = rt.clock()
    by_ref: dict[str, str] = {}
    docs = documents()
    commands = [(doc_id, text) for doc_id, kind, text in docs if kind == "command"]
    stored = add_commands(rt, [text for _, text in commands], start_ms=now - 900 * DAY_MS, step_ms=3_600_000)
    by_ref.update({c.id: doc_id for c, (doc_id, _) in zip(stored, commands, strict=True)})
    for n, (doc_id, kind, text) in enumerate(docs):
        if kind == "intent":
            entry, _ = log_entry(rt, EntryDraft(summary=text, at=now - 800 * DAY_MS + n * 3_600_000), "memory")
            by_ref[entry.id] = doc_id
    return by_ref


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [*GLOSSARY, *(text for _, _, text in documents())]
    return build_model(texts, tmp_path_factory.mktemp("relevance") / "model", dim=48)


def measure(rt: Runtime, by_ref: dict[str, str], mode: str) -> tuple[float, float]:
    """Mean nDCG@10 over the tuning half and over the held-out half."""
    halves: dict[bool, list[float]] = {True: [], False: []}
    for text, grades, held_out in queries():
        page = search_memory(rt, SearchRequest(text=text, mode=mode, kinds=("command", "intent"), limit=10))
        halves[held_out].append(ndcg_at_10([by_ref[h.ref_id] for h in page.hits], grades))
    return sum(halves[False]) / len(halves[False]), sum(halves[True]) / len(halves[True])


def test_relevance_set_is_big_enough() -> None:
    found = queries()
    assert len(found) >= 50
    assert sum(1 for *_, held in found if held) == len(found) // 2


def test_ndcg_at_10_of_every_mode(model: Path) -> None:
    rt = make_rt(**{"search.model_path": str(model)})
    by_ref = load(rt)
    figures = {mode: measure(rt, by_ref, mode) for mode in ("fts", "vector", "hybrid")}
    print("\nnDCG@10 (tuning half, held-out half):")
    for mode, (tune, held) in figures.items():
        print(f"  {mode:7s} {tune:.3f}  {held:.3f}")
    for mode, floor in FLOORS.items():
        assert figures[mode][1] >= floor, (mode, figures[mode])


def test_bm25_equals_exhaustive_scoring_on_the_relevance_set() -> None:
    """Every query's top 10 (documents with every word, then documents with some) has exactly the scores of
    scoring every document in Python."""
    rt = make_rt(**NO_BOOSTS)
    load(rt)
    texts = [text for _, _, text in documents()]
    compared = 0
    for text, _grades, _held in queries():
        page = search_memory(rt, SearchRequest(text=text, kinds=("command", "intent"), limit=10))
        from perth.search.engine import query_terms

        exact, _prefixes = query_terms(text)
        truth = expected_top(texts, list(exact))
        assert [round(h.bm25, 4) for h in page.hits] == [round(s, 4) for s in truth], text
        compared += len(page.hits)
    assert compared >= 250
