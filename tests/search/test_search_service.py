"""Memory search: true BM25 over every match, boosts, filters, sync, paging and errors."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.errors import InvalidInputError
from perth.search.engine import tokens
from perth.search.records import SearchFilter
from perth.search.service import SearchRequest, search_memory
from tests.search.conftest import add_commands, make_rt

NO_BOOSTS = {"search.recency_boost_pct": "0", "search.importance_boost_pct": "0"}


def exhaustive_bm25(docs: list[str], query: list[str], k1: float = 1.2, b: float = 0.75, *,
                    require_all: bool = True) -> dict[int, float]:
    """BM25 of every document containing every query word (or any, when not ``require_all``), with
    tantivy's idf and length normalisation."""
    lengths = [len(tokens(d)) for d in docs]
    avgdl = sum(lengths) / len(docs)
    counts = [Counter(tokens(d)) for d in docs]
    df = {w: sum(1 for c in counts if w in c) for w in query}
    scores = {}
    for i, c in enumerate(counts):
        if (all if require_all else any)(w in c for w in query):
            total = 0.0
            for w in (w for w in query if w in c):
                idf = math.log(1 + (len(docs) - df[w] + 0.5) / (df[w] + 0.5))
                total += idf * (k1 + 1) * c[w] / (c[w] + k1 * (1 - b + b * lengths[i] / avgdl))
            scores[i] = total
    return scores


def expected_top(docs: list[str], words: list[str], k: int = 10) -> list[float]:
    """The scores search must return: documents with every word first, then documents with some."""
    every = exhaustive_bm25(docs, words)
    some = {i: s for i, s in exhaustive_bm25(docs, words, require_all=False).items() if i not in every}
    truth = sorted(every.values(), reverse=True)[:k]
    return truth + sorted(some.values(), reverse=True)[:k - len(truth)]


def zipf_corpus(rng: random.Random, n: int) -> list[str]:
    vocab = [f"w{i}" for i in range(400)] + ["git", "docker", "make", "inventory", "deploy"]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    return [" ".join(rng.choices(vocab, weights, k=rng.randint(1, 12))) for _ in range(n)]


def test_top_k_equals_exhaustive_bm25_over_every_match() -> None:
    rt = make_rt(**NO_BOOSTS)
    rng = random.Random(7)
    docs = zipf_corpus(rng, 6000)
    add_commands(rt, docs)
    checked = 0
    for query in (["w0"], ["w1", "w3"], ["git"], ["inventory"], ["w17"], ["w2", "w5", "w9"], ["deploy", "w0"]):
        page = search_memory(rt, SearchRequest(text=" ".join(query), kinds=("command",), limit=10))
        truth = expected_top(docs, query)
        assert [round(h.bm25, 3) for h in page.hits] == [round(s, 3) for s in truth], query
        scores = exhaustive_bm25(docs, query, require_all=False)
        for hit in page.hits:
            assert math.isclose(hit.bm25, scores[int(hit.ref_id[1:])], rel_tol=1e-4)
        checked += len(page.hits)
    assert checked >= 60


def test_an_old_best_match_beyond_the_newest_2000_is_found() -> None:
    rt = make_rt(**NO_BOOSTS)
    best = "inventory inventory"
    noise = [f"ansible-playbook inventory/hosts-{i}.yml --limit web{i} --check --diff -v" for i in range(3000)]
    add_commands(rt, [best, *noise])
    page = search_memory(rt, SearchRequest(text="inventory", limit=3))
    assert page.hits[0].ref_id == "c0000000"
    assert page.hits[0].text == best


def test_recency_and_importance_are_bounded_boosts_not_cut_offs() -> None:
    rt = make_rt(**{"search.recency_boost_pct": "100", "search.importance_boost_pct": "0"})
    now = rt.clock()
    add_commands(rt, ["deploy deploy deploy"], start_ms=now - 400 * 86_400_000, tag="old")
    add_commands(rt, ["deploy the service to staging with extra words here"], start_ms=now, tag="new")
    page = search_memory(rt, SearchRequest(text="deploy", limit=5))
    assert [h.ref_id for h in page.hits] == ["old0000000", "new0000000"], "a far better old match still wins"
    assert page.hits[1].score > page.hits[1].bm25, "the recent hit got its recency boost"
    add_commands(rt, ["deploy the service to staging with other words here"], start_ms=now - 400 * 86_400_000,
                 tag="tie")
    page = search_memory(rt, SearchRequest(text="staging", limit=5))
    assert [h.ref_id for h in page.hits] == ["new0000000", "tie0000000"], "the boost breaks a BM25 tie"


def test_important_entries_rank_above_equal_notes(cli: Callable[..., Any]) -> None:
    assert cli("log", "switch the queue to nats jetstream", "--pane", "ops").code == 0
    assert cli("log", "switch the queue to nats streaming", "--pane", "ops", "--type", "decision").code == 0
    found = json.loads(cli("search", "queue", "--kind", "intent", "--format", "json").out)
    assert [r["importance"] for r in found["results"]] == [100, 0]
    assert found["results"][0]["score"] > found["results"][1]["score"]


def test_filters_apply_inside_the_index(cli: Callable[..., Any]) -> None:
    rt = make_rt()
    now = rt.clock()
    add_commands(rt, ["pytest -q tests/a", "pytest -x tests/b"], start_ms=now - 5000, cwd="/src/app/sub", tag="a")
    add_commands(rt, ["pytest --lf"], start_ms=now - 3000, cwd="/src/other", exit_status=2, host="ci", tag="b")

    def refs(**flt: Any) -> list[str]:
        page = search_memory(rt, SearchRequest(text="pytest", kinds=("command",), filter=SearchFilter(**flt), limit=10))
        return sorted(h.ref_id for h in page.hits)

    assert refs() == ["a0000000", "a0000001", "b0000000"]
    assert refs(cwd="/src/app") == ["a0000000", "a0000001"]
    assert refs(cwd="/src/ap") == []
    assert refs(failed=True) == ["b0000000"]
    assert refs(exit=0) == ["a0000000", "a0000001"]
    assert refs(host="ci") == ["b0000000"]
    assert refs(since=now - 3500) == ["b0000000"]
    assert refs(until=now - 3500) == ["a0000000", "a0000001"]


def test_expiry_per_kind_hides_old_documents() -> None:
    rt = make_rt(**{"search.expire_days_command": "30"})
    now = rt.clock()
    add_commands(rt, ["terraform plan"], start_ms=now - 40 * 86_400_000, tag="old")
    add_commands(rt, ["terraform apply"], start_ms=now, tag="new")
    assert [h.ref_id for h in search_memory(rt, SearchRequest(text="terraform", kinds=("command",))).hits] == ["new0000000"]
    assert len(search_memory(make_rt(), SearchRequest(text="terraform", kinds=("command",))).hits) == 2


def test_edits_deletions_and_new_rows_reach_the_index(cli: Callable[..., Any]) -> None:
    logged = json.loads(cli("log", "rotate the kafka certificates", "--pane", "ops", "--format", "json").out)
    entry_id = logged["entry"]["id"]

    def intents(word: str) -> list[str]:
        return [r["id"] for r in json.loads(cli("search", word, "--kind", "intent", "--format", "json").out)["results"]]

    assert intents("kafka") == [entry_id]
    assert cli("entry", "edit", entry_id[-8:], "--summary", "rotate the rabbitmq certificates").code == 0
    assert intents("kafka") == []
    assert intents("rabbitmq") == [entry_id]
    assert cli("entry", "delete", entry_id[-8:]).code == 0
    assert intents("rabbitmq") == []
    rt = make_rt()
    add_commands(rt, ["rabbitmqctl list_queues"])
    assert [h.kind for h in search_memory(rt, SearchRequest(text="rabbitmqctl")).hits] == ["command"]


def test_paging_with_a_cursor_walks_every_hit_once(cli: Callable[..., Any]) -> None:
    add_commands(make_rt(), [f"kubectl get pods -n ns{i}" for i in range(25)])
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        args = ["search", "kubectl", "--limit", "10", "--format", "json", *(["--cursor", cursor] if cursor else [])]
        page = json.loads(cli(*args).out)
        seen += [r["id"] for r in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 25 == len(set(seen))


def test_search_contract_and_snippets(cli: Callable[..., Any]) -> None:
    add_commands(make_rt(), ["docker compose -f deploy/compose.yml up -d --build"])
    page = json.loads(cli("search", "compose", "--format", "json").out)
    assert set(page) == {"schema", "query", "mode", "kinds", "count", "results", "next_cursor"}
    hit = page["results"][0]
    assert set(hit) == {"kind", "id", "score", "bm25", "text", "snippet", "highlights", "pane", "at", "importance"}
    assert hit["snippet"].startswith("docker **compose** -f deploy/**compose**.yml")
    plain = hit["snippet"].replace("**", "")
    assert [plain[s:e] for s, e in hit["highlights"]] == ["compose", "compose"]


def test_bad_input_is_one_line(cli: Callable[..., Any]) -> None:
    for args, message in ((["search", " "], "the search text is empty"),
                          (["search", "x", "--kind", "nope"], "unknown kind 'nope'"),
                          (["search", "x", "--cursor", "abc"], "bad cursor"),
                          (["search", "x", "--limit", "0"], "--limit must be >= 1")):
        result = cli(*args)
        assert result.code == 1, args
        assert result.err.startswith("perth: error: ") and message in result.err
        assert result.err.count("\n") == 1


def test_reindex_rebuilds_from_nothing_and_the_index_is_private(cli: Callable[..., Any], perth_home: Path) -> None:
    add_commands(make_rt(), ["ls -la", "ls /tmp"])
    cli("log", "listing things", "--pane", "p")
    rebuilt = json.loads(cli("search", "reindex", "--format", "json").out)
    assert rebuilt["documents"]["command"] == 2 and rebuilt["documents"]["intent"] == 1
    directory = perth_home / "perth.db.search"
    assert directory.stat().st_mode & 0o777 == 0o700
    assert (directory / "fulltext").stat().st_mode & 0o777 == 0o700
    assert len(json.loads(cli("search", "ls", "--format", "json").out)["results"]) == 2


def test_unknown_pane_is_not_found(cli: Callable[..., Any]) -> None:
    result = cli("search", "x", "--pane", "ghost")
    assert result.code == 3


def test_request_checks() -> None:
    with pytest.raises(InvalidInputError, match="unknown mode"):
        search_memory(make_rt(), SearchRequest(text="x", mode="fuzzy"))
