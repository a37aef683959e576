"""Resolution at query time and the query answers on the Python fixture (aliases, relative imports,
re-exports, methods via self and the class hierarchy, shadowing), plus the repo map's ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from perth.codeindex import service
from perth.codeindex.graph import Graph, is_test_path
from perth.codeindex.indexer import index_repo
from perth.codeindex.repomap import build_map, estimate_tokens, pagerank
from perth.errors import NotFoundError
from perth.runtime import Runtime
from tests.codeindex.conftest import copy_fixture


@pytest.fixture
def graph(rt: Runtime, tmp_path: Path) -> Graph:
    repo = service.add_repo(rt, str(copy_fixture("python", tmp_path)), name="py")
    index_repo(rt, repo)
    return Graph(rt.store.code, repo.id)


def _callers(graph: Graph, name: str, **options: object) -> set[tuple[str, str]]:
    return {(c.caller, c.confidence) for c in graph.callers(graph.lookup(name), **options)}  # type: ignore[arg-type]


def test_re_export_and_relative_imports_reach_the_definition(graph: Graph) -> None:
    assert _callers(graph, "app.core.engine.start") == {("test_engine.test_start", "import-resolved")}
    assert ("app.core.engine.Engine.prepare", "import-resolved") in _callers(graph, "app.util.fmt")


def test_inherited_method_through_self_and_a_module_alias(graph: Graph) -> None:
    assert _callers(graph, "app.core.engine.Base.prepare") == {("app.core.engine.Base.run", "exact"),
                                                                 ("app.core.engine.Engine.prepare", "exact")}
    assert ("app.core.engine.Base.prepare", "import-resolved") in _callers(graph, "app.core.store.load")


def test_shadowed_and_star_imported_names_are_name_only(graph: Graph) -> None:
    found = _callers(graph, "app.core.store.load")
    assert ("app.core.engine.shadowed", "name-only") in found
    assert ("app.util.refresh", "name-only") in found
    assert _callers(graph, "app.core.store.load", min_confidence="import-resolved") == {
        ("app.core.engine.Base.prepare", "import-resolved")}


def test_callees_resolve_aliases_and_depth(graph: Graph) -> None:
    direct = {(c.callee, c.confidence) for c in graph.callees(graph.lookup("app.core.engine.start"))}
    assert direct == {("app.core.engine.Engine.create", "exact"), ("run", "name-only")}
    deep = {c.callee for c in graph.callees(graph.lookup("app.core.engine.start"), depth=3)}
    assert {"app.core.engine.Engine.build", "app.core.engine.Engine"} <= deep


def test_callers_with_depth_follow_the_chain(graph: Graph) -> None:
    sites = graph.callers(graph.lookup("app.core.store._read"), depth=3, min_confidence="import-resolved")
    assert [(s.depth, s.caller) for s in sites] == [(1, "app.core.store.load"), (2, "app.core.engine.Base.prepare"),
                                                      (3, "app.core.engine.Base.run"),
                                                      (3, "app.core.engine.Engine.prepare")]


def test_find_by_name_glob_and_kind(graph: Graph) -> None:
    assert [s.qualname for s in graph.find("prepare")] == ["app.core.engine.Base.prepare",
                                                            "app.core.engine.Engine.prepare"]
    assert {s.qualname for s in graph.find("app.core.*", kinds=["class"])} == {"app.core.engine.Base",
                                                                                "app.core.engine.Engine"}
    with pytest.raises(NotFoundError):
        graph.lookup("nothing_like_this")


def test_context_names_members_bases_and_calls(graph: Graph) -> None:
    ctx = graph.context(graph.lookup("app.core.engine.Engine")[0])
    assert [m.name for m in ctx.members] == ["create", "build", "prepare"]
    assert ctx.bases == ("app.core.engine.Base",)
    assert {(c.caller, c.confidence) for c in ctx.callers} == {("app.core.engine.Engine.build", "exact")}
    assert [r.name for r in ctx.related] == ["Base", "start", "shadowed"]


def test_impact_of_a_file_reaches_the_tests(graph: Graph) -> None:
    store = graph.impact("app/core/store.py")
    assert {"app.core.engine.Base.run", "app.core.engine.Engine.prepare"} <= {c.caller for c in store.callers}
    assert store.tests == ()  # only name-only calls lead from the tests to the store
    engine = graph.impact("app/core/engine.py")
    assert engine.tests == ("tests/test_engine.py",)
    assert ("test_engine.test_start", 1) in {(c.caller, c.depth) for c in engine.callers}
    assert is_test_path("pkg/foo_test.go") and not is_test_path("pkg/contest.py")


def test_map_fits_the_budget_and_follows_the_focus(rt: Runtime, graph: Graph) -> None:
    whole = build_map(rt.store.code, graph.repo_id, budget=10_000)
    assert whole.tokens == estimate_tokens(whole.text) <= 10_000
    assert "app/core/engine.py:" in whole.text and "def start(name, *, debug=False)" in whole.text
    small = build_map(rt.store.code, graph.repo_id, budget=20)
    assert small.tokens <= 20 and len(small.text) < len(whole.text)
    focused = build_map(rt.store.code, graph.repo_id, budget=20, focus=["app/util.py"])
    assert [f.path for f in focused.files][:2] == ["app/util.py", "app/core/store.py"]


def test_pagerank_is_personalised() -> None:
    edges = {"a": {"b": 1.0}, "b": {"c": 1.0}, "c": {"a": 1.0}, "d": {"c": 1.0}}
    uniform = pagerank(edges, ["a", "b", "c", "d"], dict.fromkeys("abcd", 1.0))
    assert abs(sum(uniform.values()) - 1.0) < 1e-6 and uniform["c"] > uniform["d"]
    focused = pagerank(edges, ["a", "b", "c", "d"], {"d": 1.0})
    assert focused["d"] > uniform["d"] and focused["c"] > focused["a"]


def test_the_tail_of_a_qualified_name_is_enough(graph: Graph) -> None:
    assert [s.qualname for s in graph.lookup("Engine.prepare")] == ["app.core.engine.Engine.prepare"]
    assert [s.qualname for s in graph.lookup("core.store.load")] == ["app.core.store.load"]


def test_tree_sitter_calls_across_files_are_name_only(rt: Runtime, tmp_path: Path) -> None:
    repo = service.add_repo(rt, str(copy_fixture("js", tmp_path)), name="js")
    index_repo(rt, repo)
    graph = Graph(rt.store.code, repo.id)
    assert {(c.caller, c.confidence) for c in graph.callers(graph.lookup("helper"))} == {
        ("app.js:Dog.speak", "name-only")}
    assert {(c.callee, c.confidence) for c in graph.callees(graph.lookup("app.js:main"))} == {
        ("app.js:Dog", "exact"), ("speak", "name-only"), ("readFileSync", "name-only")}
    impact = graph.impact("util.js")
    assert (impact.callers, impact.files) == ((), ("app.js",))  # imported there; name-only calls are not counted


def test_a_local_built_from_a_class_resolves_its_method_calls() -> None:
    from perth.codeindex.pyparse import parse_python

    source = ("from pathlib import Path\nfrom .engine import Engine\nengine = Engine()\n\n\ndef f():\n"
              "    p = Path('x')\n    p.exists()\n    r = Engine()\n    r = other()\n    r.run()\n"
              "    q = make()\n    q.go()\n    engine.run()\n")
    calls = {(e.dst, e.confidence) for e in parse_python("pkg.mod", source)[1] if e.kind == "calls"}
    assert {("pathlib.Path.exists", "import-resolved"), ("pkg.engine.Engine.run", "import-resolved"),
            ("run", "name-only"), ("go", "name-only")} <= calls
