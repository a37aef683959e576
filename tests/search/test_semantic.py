"""Vector and hybrid search with a tiny model built here: one dimension per index, filters, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth.errors import ConfigError
from perth.search.records import SearchFilter
from perth.search.service import SearchRequest, search_memory
from tests.search.conftest import add_commands, make_rt
from tests.search.tiny_model import build_model

TRAINING = [
    "kubernetes k8s kubectl pods cluster rollout deployment",
    "kubectl rollout restart deployment api in the k8s cluster",
    "postgres database psql pg_dump backup restore",
    "psql backup of the postgres database with pg_dump",
    "docker container image build compose",
    "docker compose build the container image",
]
DOCS = ["kubectl get pods -n prod", "kubectl rollout status deployment/api", "pg_dump -Fc shop > shop.dump",
        "psql -c 'vacuum analyze'", "docker compose build web", "docker image prune -a"]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return build_model(TRAINING + DOCS, tmp_path / "model", dim=8)


def test_vector_mode_finds_meaning_without_shared_words(model: Path) -> None:
    rt = make_rt(**{"search.model_path": str(model)})
    add_commands(rt, DOCS)
    page = search_memory(rt, SearchRequest(text="k8s cluster", mode="vector", kinds=("command",), limit=2))
    assert {h.text for h in page.hits} == {"kubectl get pods -n prod", "kubectl rollout status deployment/api"}
    assert all(h.bm25 == 0.0 for h in page.hits)
    fts = search_memory(rt, SearchRequest(text="k8s cluster", mode="fts", kinds=("command",)))
    assert fts.hits == ()


def test_hybrid_fuses_both_rankings(model: Path) -> None:
    rt = make_rt(**{"search.model_path": str(model)})
    add_commands(rt, DOCS)
    page = search_memory(rt, SearchRequest(text="psql", mode="hybrid", kinds=("command",), limit=3))
    assert page.hits[0].text == "psql -c 'vacuum analyze'"
    assert page.hits[0].bm25 > 0 and page.mode == "hybrid"
    assert page.hits[1].text == "pg_dump -Fc shop > shop.dump", "found by meaning only"
    assert page.hits[1].bm25 == 0.0


def test_filters_hold_in_vector_mode(model: Path) -> None:
    rt = make_rt(**{"search.model_path": str(model)})
    add_commands(rt, DOCS[:2], cwd="/prod", tag="p")
    add_commands(rt, DOCS[:2], cwd="/dev", tag="d")
    page = search_memory(rt, SearchRequest(text="k8s", mode="vector", kinds=("command",), limit=10,
                                           filter=SearchFilter(cwd="/dev")))
    assert sorted(h.ref_id for h in page.hits) == ["d0000000", "d0000001"]


def test_another_dimension_is_refused_with_the_re_embed_command(model: Path, tmp_path: Path,
                                                                 cli: Callable[..., Any]) -> None:
    add_commands(make_rt(), DOCS)
    rt = make_rt(**{"search.model_path": str(model)})
    assert search_memory(rt, SearchRequest(text="docker", mode="hybrid")).hits
    wider = build_model(TRAINING, tmp_path / "wider", dim=12)
    other = make_rt(**{"search.model_path": str(wider)})
    with pytest.raises(ConfigError, match=r"8-dimension vectors but search\.model_path gives 12") as caught:
        search_memory(other, SearchRequest(text="docker", mode="vector"))
    assert caught.value.fix == "re-embed everything with: perth search reindex"
    assert cli("config", "set", "search.model_path", str(wider)).code == 0
    failed = cli("search", "docker")
    assert failed.code == 1 and "perth search reindex" in failed.err
    assert json.loads(cli("search", "reindex", "--format", "json").out)["documents"]["command"] == 6
    assert json.loads(cli("search", "k8s", "--mode", "vector", "--format", "json").out)["count"] > 0


def test_vector_mode_needs_a_model(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("search", "x", "--mode", "hybrid")
    assert result.code == 1
    assert "perth config set search.model_path" in result.err
    assert cli("config", "set", "search.model_path", str(tmp_path / "nothing")).code == 0
    result = cli("search", "x", "--mode", "vector")
    assert result.code == 1 and "is not a directory" in result.err


def test_model_configured_later_embeds_what_is_already_indexed(model: Path) -> None:
    add_commands(make_rt(), DOCS)
    assert search_memory(make_rt(), SearchRequest(text="docker")).hits
    rt = make_rt(**{"search.model_path": str(model)})
    page = search_memory(rt, SearchRequest(text="container", mode="vector", kinds=("command",), limit=2))
    assert {h.text for h in page.hits} == {"docker compose build web", "docker image prune -a"}


def test_missing_extra_is_a_clean_error(perth_proc: Callable[..., Any], model: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    (blocker / "model2vec").mkdir(parents=True)
    (blocker / "model2vec" / "__init__.py").write_text("raise ImportError('blocked for the test')\n")
    env = {"PYTHONPATH": str(blocker), "PERTH_SEARCH__MODEL_PATH": str(model)}
    assert perth_proc("log", "plain words", "--pane", "p", env=env).returncode == 0
    assert perth_proc("search", "plain", env=env).returncode == 0, "full text needs no extra"
    done = perth_proc("search", "plain", "--mode", "hybrid", env=env)
    assert done.returncode == 4
    assert done.stderr.strip() == ("perth: error: vector and hybrid search need the [semantic] extra"
                                   " — pip install 'perth[semantic]'")
