"""The code port: repositories, the graph of each file replaced whole, symbol and edge queries."""

from __future__ import annotations

import pytest

from perth.codeindex.model import CodeRepo, Edge, FileGraph, FileState, Symbol
from perth.errors import ConflictError
from perth.record import replace
from perth.store.port import Store

PORT = "code"


def repo(n: int, **fields: object) -> CodeRepo:
    values: dict[str, object] = {"name": f"r{n}", "root": f"/src/r{n}", "added_at": n, **fields}
    return CodeRepo(id=f"00000000-0000-7000-8000-{n:012d}", **values)  # type: ignore[arg-type]


def state(path: str, digest: str = "d1") -> FileState:
    return FileState(path=path, language="python", module=path.removesuffix(".py").replace("/", "."),
                     digest=digest, size=10, mtime_ns=5)


def graph(path: str, *names: str, calls: tuple[tuple[str, str], ...] = ()) -> FileGraph:
    module = path.removesuffix(".py").replace("/", ".")
    symbols = tuple(Symbol(name=n, qualname=f"{module}.{n}", kind="function", line=i + 1, end_line=i + 2,
                           signature=f"def {n}()", path=path) for i, n in enumerate(names))
    edges = tuple(Edge(kind="calls", src=f"{module}.{a}", dst=b, name=b.rsplit(".", 1)[-1],
                       confidence="exact" if "." in b else "name-only", line=3, path=path) for a, b in calls)
    return FileGraph(state=state(path), symbols=symbols, edges=edges)


def test_repositories_round_trip_and_names_are_unique(store: Store) -> None:
    first = repo(1, last_error="parse failed", head="abc", branch="main", state="partial", files=2)
    store.code.add_repo(first)
    store.code.add_repo(repo(2))
    assert store.code.get_repo(repo_id=first.id) == first
    assert store.code.get_repo(name="r1") == first
    assert store.code.get_repo(root="/src/r2") == repo(2)
    assert store.code.get_repo(name="nope") is None
    with pytest.raises(ConflictError):
        store.code.add_repo(repo(3, name="r1"))
    changed = replace(first, state="fresh", indexed_at=9, last_error=None, symbols=7)
    store.code.update_repo(changed)
    assert [r.name for r in store.code.list_repos()] == ["r1", "r2"]
    assert store.code.get_repo(repo_id=first.id) == changed
    assert store.code.remove_repo(first.id)
    assert not store.code.remove_repo(first.id)
    assert [r.name for r in store.code.list_repos()] == ["r2"]


def test_apply_replaces_file_graphs_and_queries_find_them(store: Store) -> None:
    store.code.add_repo(repo(1))
    rid = repo(1).id
    store.code.apply(rid, [graph("a.py", "alpha", "beta", calls=(("alpha", "b.gamma"),)),
                           graph("b.py", "gamma", calls=(("gamma", "delta"),))], [], [])
    assert store.code.counts(rid) == (2, 3, 2)
    assert set(store.code.file_states(rid)) == {"a.py", "b.py"}
    assert [s.qualname for s in store.code.find_symbols(rid, name="beta")] == ["a.beta"]
    assert [s.qualname for s in store.code.find_symbols(rid, name="a.alpha")] == ["a.alpha"]
    assert [s.qualname for s in store.code.find_symbols(rid, pattern="*a")] == ["a.beta", "a.alpha", "b.gamma"]
    assert [s.qualname for s in store.code.find_symbols(rid, pattern="[ab].?e*")] == ["a.beta"]
    assert store.code.find_symbols(rid, pattern="A*") == []  # globs are case-sensitive
    assert store.code.find_symbols(rid, name="beta", kinds=("class",)) == []
    assert [s.name for s in store.code.file_symbols(rid, "a.py")] == ["alpha", "beta"]
    assert sorted(s.path for s in store.code.symbols(rid, ["b.gamma", "a.beta", "b.gamma"])) == ["a.py", "b.py"]
    assert [e.src for e in store.code.edges_to(rid, ["b.gamma"], ("calls",))] == ["a.alpha"]
    assert [e.dst for e in store.code.edges_from(rid, ["b.gamma"], ("calls", "imports"))] == ["delta"]
    assert [e.path for e in store.code.edges_named(rid, ["delta"], ("calls",), "name-only")] == ["b.py"]
    assert store.code.edges_named(rid, ["delta"], ("calls",), "exact") == []
    assert sorted(store.code.references(rid)) == [("a.py", "b.gamma", "gamma", 1), ("b.py", "delta", "delta", 1)]
    assert [s.qualname for s in store.code.definitions(rid)] == ["a.alpha", "a.beta", "b.gamma"]
    # a re-parsed file replaces its graph, a deleted one goes, an unchanged one gets its new stats
    touched = replace(state("b.py"), size=99, mtime_ns=77)
    store.code.apply(rid, [graph("c.py", "omega")], ["a.py"], [touched])
    assert store.code.counts(rid) == (2, 2, 1)
    assert store.code.file_states(rid)["b.py"] == touched
    assert store.code.edges_to(rid, ["b.gamma"], ("calls",)) == []
    store.code.remove_repo(rid)
    assert store.code.counts(rid) == (0, 0, 0)


def test_two_repositories_keep_their_graphs_apart(store: Store) -> None:
    for n in (1, 2):
        store.code.add_repo(repo(n))
        store.code.apply(repo(n).id, [graph("m.py", f"f{n}")], [], [])
    assert [s.name for s in store.code.definitions(repo(1).id)] == ["f1"]
    assert [s.name for s in store.code.find_symbols(repo(2).id, pattern="f*")] == ["f2"]
