"""Code symbols as the search kind ``code``: found by name, qualified name, docstring and camel-case words,
ranked by exact BM25, filtered by repository and folder, kept in step file by file."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tantivy
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.codeindex import service
from perth.codeindex.indexer import index_repo
from perth.runtime import Runtime
from perth.search.code_source import camel_words, file_prefix, symbol_text
from perth.search.engine import literal, query_terms
from perth.search.records import SearchFilter
from perth.search.service import SearchRequest, search_memory
from perth.search.sync import sync
from tests.search.conftest import add_commands, make_rt
from tests.search.test_search_service import NO_BOOSTS, expected_top

FILES = {
    "shop/orders.py": '"""Orders of the shop."""\n\n\nclass OrderRepository:\n'
                      '    """Reads and writes orders in PostgreSQL."""\n\n'
                      '    def load_order(self, order_id):\n        """Read one order by its id."""\n'
                      '        return order_id\n\n    def cancel_order(self, order_id):\n        return None\n',
    "shop/billing/invoice.py": 'def render_invoice(order):\n    """Render the invoice of an order as PDF."""\n'
                               '    return order\n\n\ndef refund_payment(invoice):\n'
                               '    """Give the money back through the payment provider."""\n    return invoice\n',
    "tools/deploy.py": 'def rollout_restart(service):\n    """Restart every pod of a service."""\n    return service\n',
}


def make_repo(root: Path, files: dict[str, str] = FILES) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def indexed(rt: Runtime, root: Path, name: str) -> None:
    repo = service.add_repo(rt, str(root), name=name)
    index_repo(rt, repo)


def later(path: Path) -> None:
    """Give a rewritten file a clearly newer mtime (the code index skips racy stat-equal files)."""
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def code_refs(rt: Runtime, text: str, **flt: Any) -> list[str]:
    page = search_memory(rt, SearchRequest(text=text, kinds=("code",), filter=SearchFilter(**flt), limit=20))
    return [h.ref_id for h in page.hits]


def test_symbols_are_found_by_name_docstring_and_camel_case_words(tmp_path: Path) -> None:
    rt = make_rt()
    indexed(rt, make_repo(tmp_path / "shop-repo"), "shop")
    assert code_refs(rt, "load_order")[0] == "shop:shop/orders.py:7:orders.OrderRepository.load_order"
    assert "shop:shop/orders.py:4:orders.OrderRepository" in code_refs(rt, "repository"), "by its camel-case words"
    assert code_refs(rt, "reads writes postgresql") == ["shop:shop/orders.py:4:orders.OrderRepository"]
    assert code_refs(rt, "payment provider") == ["shop:shop/billing/invoice.py:6:invoice.refund_payment"]
    assert code_refs(rt, "pdf")[0].endswith("render_invoice")
    page = search_memory(rt, SearchRequest(text="restart pod", kinds=("code",), limit=5))
    hit = page.hits[0]
    assert hit.kind == "code" and hit.ref_id.endswith("deploy.rollout_restart")
    assert hit.text.startswith("function deploy.rollout_restart def rollout_restart(service)")
    assert "tools/deploy.py:1" in hit.text
    assert "**Restart** every **pod**" in hit.snippet


def test_code_is_in_the_default_mix_and_filtered_by_repository_and_folder(tmp_path: Path) -> None:
    rt = make_rt()
    shop = make_repo(tmp_path / "shop-repo")
    indexed(rt, shop, "shop")
    other = make_repo(tmp_path / "other-repo", {"lib/orders.py": "def sync_orders():\n    return 1\n"})
    indexed(rt, other, "other")
    add_commands(rt, ["psql -c 'select * from orders'"], cwd=str(shop))
    page = search_memory(rt, SearchRequest(text="orders", limit=20))
    assert {h.kind for h in page.hits} == {"code", "command"}
    assert all(r.startswith("shop:") for r in code_refs(rt, "orders", repo_root=str(shop)))
    assert sorted(code_refs(rt, "orders", repo_root=str(other))) == ["other:lib/orders.py:1:orders",
                                                                      "other:lib/orders.py:1:orders.sync_orders"]
    assert [r.split(":")[1] for r in code_refs(rt, "invoice", cwd=str(shop / "shop" / "billing"))] == [
        "shop/billing/invoice.py"] * 3
    assert code_refs(rt, "invoice", cwd=str(shop / "tools")) == []
    assert code_refs(rt, "orders", pane_ids=("p1",)) == [], "symbols belong to no pane"


def test_bm25_of_code_hits_equals_exhaustive_scoring(tmp_path: Path) -> None:
    rt = make_rt(**NO_BOOSTS)
    root = make_repo(tmp_path / "shop-repo")
    indexed(rt, root, "shop")
    repo = rt.store.code.get_repo(name="shop")
    assert repo is not None
    texts = [symbol_text(s) for s in rt.store.code.definitions(repo.id)]
    for query in ("order", "order id", "invoice payment", "restart", "orders shop"):
        page = search_memory(rt, SearchRequest(text=query, kinds=("code",), limit=10))
        truth = expected_top(texts, list(query_terms(query)[0]))
        assert [round(h.bm25, 4) for h in page.hits] == [round(s, 4) for s in truth], query


def test_only_changed_files_are_rewritten_and_removed_ones_disappear(tmp_path: Path) -> None:
    rt = make_rt()
    root = make_repo(tmp_path / "shop-repo")
    indexed(rt, root, "shop")
    assert dict(sync(rt).written)["code"] == 9
    assert sync(rt).total == 0, "nothing changed: nothing is written"
    assert code_refs(rt, "rollout")
    deploy = root / "tools" / "deploy.py"
    deploy.write_text('def blue_green(service):\n    """Switch traffic between two stacks."""\n    return service\n')
    later(deploy)
    (root / "shop" / "billing" / "invoice.py").unlink()
    service.reindex(rt, "shop")
    report = sync(rt)
    assert dict(report.written)["code"] == 2, "the module and its function; the removed file's symbols deleted"
    assert code_refs(rt, "rollout") == []
    assert code_refs(rt, "traffic stacks") == ["shop:tools/deploy.py:1:deploy.blue_green"]
    assert code_refs(rt, "invoice") == []
    assert code_refs(rt, "order")[0].startswith("shop:shop/orders.py:"), "unchanged files stay"
    service.remove_repo(rt, "shop")
    assert code_refs(rt, "order") == []
    assert code_refs(rt, "traffic") == []


def test_many_changed_files_are_read_in_one_query_and_batched(tmp_path: Path) -> None:
    rt = make_rt()
    files = {f"pkg/mod{i:03d}.py": f"def handler_{i}():\n    \"\"\"Handle the widget request.\"\"\"\n\n\n"
                                    f"def helper_{i}():\n    return {i}\n" for i in range(120)}
    indexed(rt, make_repo(tmp_path / "big", files), "big")
    from perth.search import sync as sync_module

    sync_module.BATCH, saved = 50, sync_module.BATCH
    try:
        assert dict(sync(rt, rebuild=True).written)["code"] == 240 + 120
    finally:
        sync_module.BATCH = saved
    page = search_memory(rt, SearchRequest(text="widget", kinds=("code",), limit=200))
    assert len(page.hits) == 120


def test_secrets_in_code_never_reach_the_index(tmp_path: Path, perth_home: Path) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" + "K1l2M3n4O5p6Q7r8"
    rt = make_rt()
    root = make_repo(tmp_path / "leaky", {"app/conf.py": f'def connect(key="{token}"):\n'
                                                        f'    """Use {token} to call the API."""\n'})
    indexed(rt, root, "leaky")
    page = search_memory(rt, SearchRequest(text="connect", kinds=("code",), limit=5))
    assert page.hits and "[REDACTED" in page.hits[0].text and token not in page.hits[0].text
    written = [p for p in (perth_home / "perth.db.search").rglob("*") if p.is_file()]
    assert written and not any(token.encode() in p.read_bytes() for p in written)


def test_cli_kind_code_with_json_and_text(cli: Callable[..., Any], tmp_path: Path) -> None:
    root = make_repo(tmp_path / "shop-repo")
    assert cli("code", "add", str(root), "--name", "shop").code == 0
    found = json.loads(cli("search", "invoice", "--kind", "code", "--repo", str(root), "--format", "json").out)
    assert found["schema"] == "perth.search.v1" and found["kinds"] == ["code"]
    assert [r["id"].rsplit(":", 1)[-1] for r in found["results"]] == [
        "invoice.render_invoice", "invoice", "invoice.refund_payment"]
    assert found["results"][0]["snippet"].count("**invoice**") >= 1
    text = cli("search", "invoice", "--kind", "code").out
    assert "  shop  " in text and "render_**invoice**" in text


def test_camel_case_words() -> None:
    assert camel_words("perth.search.FullTextIndex") == ["Full", "Text", "Index"]
    assert camel_words("HTTPServer.getURL2") == ["HTTP", "Server", "get", "URL", "2"]
    assert camel_words("plain_snake_case") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab:/.%-_ *+?()[]{}^$|\\#&~é"), min_size=1, max_size=8),
                min_size=2, max_size=6, unique=True), st.integers(min_value=0, max_value=5))
def test_prefix_delete_removes_exactly_the_documents_of_that_file(paths: list[str], pick: int) -> None:
    """Keys of every file, one file's prefix deleted: the others all stay, whatever the path's characters."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    for path in paths:
        for line in (1, 12):
            writer.add_document(tantivy.Document(key=f"{file_prefix('r', path)}{line}:q"))
    writer.commit()
    gone = paths[pick % len(paths)]
    writer.delete_documents_by_query(tantivy.Query.regex_query(schema, "key", literal(file_prefix("r", gone)) + ".*"))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    left = {searcher.doc(a)["key"][0] for _s, a in searcher.search(tantivy.Query.all_query(), limit=100).hits}
    assert left == {f"{file_prefix('r', p)}{line}:q" for p in paths if p != gone for line in (1, 12)}


def test_vectors_of_code_follow_file_changes(tmp_path: Path) -> None:
    """Vector mode sees symbols too, and a rewritten file's old vectors go with its old documents."""
    from tests.search.tiny_model import build_model

    model = build_model([*FILES.values(), "kubernetes pods service restart rollout deployment",
                         "traffic switch stacks blue green deployment"], tmp_path / "model", dim=16)
    rt = make_rt(**{"search.model_path": str(model)})
    root = make_repo(tmp_path / "shop-repo")
    indexed(rt, root, "shop")

    def nearest(text: str) -> list[str]:
        page = search_memory(rt, SearchRequest(text=text, mode="vector", kinds=("code",), limit=30))
        return [h.ref_id for h in page.hits]

    assert "shop:tools/deploy.py:1:deploy.rollout_restart" in nearest("kubernetes deployment")[:2]
    deploy = root / "tools" / "deploy.py"
    deploy.write_text('def blue_green(service):\n    """Switch traffic between two stacks."""\n    return service\n')
    later(deploy)
    service.reindex(rt, "shop")
    found = nearest("traffic stacks")
    assert "shop:tools/deploy.py:1:deploy.blue_green" in found[:2]
    assert not any(r.endswith("rollout_restart") for r in found), "the old symbol's vector is gone"
    assert len(found) == 9 == len(set(found))
