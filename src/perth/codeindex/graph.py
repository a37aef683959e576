"""Queries over the stored graph: find, context, callers, callees, impact.

Targets the parser could not pin down in one file are resolved here, over the stored edges:

* a package re-export (``from .core import run`` in ``pkg/__init__.py``) makes ``pkg.run`` an
  alias of ``pkg.core.run``: callers of one are callers of the other;
* a method reached through a subclass (``self.m()`` in ``Child`` where ``m`` is defined in
  ``Base``) is found by walking the stored ``inherits`` edges;
* calls known only by their bare name (``obj.m()``, other languages across files) are listed with
  the ``name-only`` confidence, after the resolved ones.
"""

from __future__ import annotations

from perth.codeindex.model import CONFIDENCES, Edge, Symbol
from perth.errors import NotFoundError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from perth.store.ports.code import CodeIndexPort

_RANK = {c: i for i, c in enumerate(CONFIDENCES)}
_TEST_MARKERS = ("tests/", "test/", "__tests__/", "spec/")
_MAX_NODES = 2000


class CallSite(Record):
    """One call in a callers/callees answer: who calls what, where, how sure, how far from the start."""

    caller: str
    callee: str
    path: str
    line: int
    confidence: str
    depth: int


class SymbolContext(Record):
    """Everything about one symbol: definition, callers, callees, members and neighbours."""

    symbol: Symbol
    callers: tuple[CallSite, ...]
    callees: tuple[CallSite, ...]
    members: tuple[Symbol, ...]
    bases: tuple[str, ...]
    related: tuple[Symbol, ...]


class Impact(Record):
    """What a change to a file or symbol may break: transitive callers and the tests that reach it."""

    target: str
    seeds: tuple[str, ...]
    callers: tuple[CallSite, ...]
    files: tuple[str, ...]
    tests: tuple[str, ...]


def is_test_path(path: str) -> bool:
    """Whether a file looks like a test (by folder or name, in the usual conventions)."""
    name = path.rsplit("/", 1)[-1]
    return (any(f"/{m}" in f"/{path}" for m in _TEST_MARKERS) or name.startswith("test_")
            or name.endswith(("_test.py", "_test.go", "Test.java", "Tests.java"))
            or ".test." in name or ".spec." in name)


class Graph:
    """The query side of one repository's graph."""

    def __init__(self, code: CodeIndexPort, repo_id: str) -> None:
        self.code = code
        self.repo_id = repo_id

    # -- symbols -------------------------------------------------------------------------------

    def find(self, text: str, *, kinds: Sequence[str] = (), limit: int = 50) -> list[Symbol]:
        """Symbols by exact name or qualified name, or by a glob (``*``, ``?``, ``[...]``) when given one."""
        if any(ch in text for ch in "*?["):
            return self.code.find_symbols(self.repo_id, pattern=text, kinds=kinds, limit=limit)
        return self.code.find_symbols(self.repo_id, name=text, kinds=kinds, limit=limit)

    def lookup(self, text: str) -> list[Symbol]:
        """The symbols a command argument names (a qualified name wins over bare names)."""
        found = self.find(text, limit=200)
        exact = [s for s in found if s.qualname == text]
        if exact:
            return exact
        if not found and not any(ch in text for ch in "*?["):  # the tail of a qualified name: `Class.method`
            found = self.code.find_symbols(self.repo_id, pattern=f"*[.:]{text}", limit=200)
        if not found:
            raise NotFoundError(f"no symbol named {text!r} in the index",
                                "check the spelling with `perth code find 'PART*'`, or `perth code reindex`")
        return found

    # -- resolution ----------------------------------------------------------------------------

    def aliases(self, qualnames: Iterable[str]) -> set[str]:
        """The qualified names plus every name that re-exports them (``pkg.run`` for ``pkg.core.run``)."""
        found = set(qualnames)
        frontier = set(found)
        for _ in range(4):
            if not frontier:
                break
            edges = self.code.edges_to(self.repo_id, sorted(frontier), ["imports"])
            frontier = {f"{e.src}.{e.name}" for e in edges} - found
            found |= frontier
        return found

    def subclasses(self, classes: Iterable[str]) -> set[str]:
        """Every class that inherits, directly or not, from one of ``classes``."""
        found: set[str] = set()
        frontier = self.aliases(classes)
        while frontier and len(found) < _MAX_NODES:
            edges = self.code.edges_to(self.repo_id, sorted(frontier), ["inherits"])
            frontier = {e.src for e in edges} - found
            found |= frontier
            frontier = self.aliases(frontier) - found
        return found

    def resolve(self, dst: str, depth: int = 0) -> list[str]:
        """Defined symbols a stored target leads to (through re-exports and base classes)."""
        if self.code.symbols(self.repo_id, [dst]):
            return [dst]
        owner, _, member = dst.rpartition(".")
        if not owner or depth > 4:
            return []
        for edge in self.code.edges_from(self.repo_id, [owner], ["imports"]):
            if edge.name == member:
                return self.resolve(edge.dst, depth + 1)
        for base in self.code.edges_from(self.repo_id, [owner], ["inherits"]):
            found = self.resolve(f"{base.dst}.{member}", depth + 1)
            if found:
                return found
        return []

    # -- callers and callees ---------------------------------------------------------------------

    def incoming(self, symbols: Sequence[Symbol]) -> list[tuple[Edge, str, str]]:
        """Call edges into ``symbols``: ``(edge, callee, confidence)``, resolved ones first."""
        targets = self.aliases(s.qualname for s in symbols)
        inherited: dict[str, str] = {}
        for s in symbols:
            if s.kind == "method" and s.parent:
                for sub in self.subclasses([s.parent]):
                    if not self.code.symbols(self.repo_id, [f"{sub}.{s.name}"]):
                        inherited[f"{sub}.{s.name}"] = s.qualname
        by_alias = {alias: s.qualname for s in symbols for alias in self.aliases([s.qualname])}
        found: list[tuple[Edge, str, str]] = []
        for edge in self.code.edges_to(self.repo_id, sorted(targets | set(inherited)), ["calls"]):
            if edge.dst in inherited:
                found.append((edge, inherited[edge.dst], "import-resolved"))
            else:
                found.append((edge, by_alias.get(edge.dst, edge.dst), edge.confidence))
        names = sorted({s.name for s in symbols})
        for edge in self.code.edges_named(self.repo_id, names, ["calls"], "name-only"):
            if edge.dst in names:
                found.append((edge, next(s.qualname for s in symbols if s.name == edge.dst), "name-only"))
        return found

    def callers(self, symbols: Sequence[Symbol], *, depth: int = 1,
                min_confidence: str = "name-only") -> list[CallSite]:
        """Who calls ``symbols``, breadth first up to ``depth`` levels."""
        sites: list[CallSite] = []
        seen = {s.qualname for s in symbols}
        frontier = list(symbols)
        for level in range(1, depth + 1):
            found = [(e, callee, c) for e, callee, c in self.incoming(frontier) if _RANK[c] <= _RANK[min_confidence]]
            sites += [CallSite(e.src, callee, e.path, e.line, c, level) for e, callee, c in found]
            new = sorted({e.src for e, _, _ in found} - seen)
            seen.update(new)
            frontier = self.code.symbols(self.repo_id, new) if level < depth else []
            if not frontier or len(seen) > _MAX_NODES:
                break
        return _ordered(sites)

    def callees(self, symbols: Sequence[Symbol], *, depth: int = 1,
                min_confidence: str = "name-only") -> list[CallSite]:
        """What ``symbols`` call, breadth first up to ``depth`` levels (targets resolved where possible)."""
        sites: list[CallSite] = []
        seen = {s.qualname for s in symbols}
        frontier = [s.qualname for s in symbols]
        for level in range(1, depth + 1):
            nxt: list[str] = []
            for edge in self.code.edges_from(self.repo_id, frontier, ["calls"]):
                resolved = self.resolve(edge.dst) if edge.confidence != "name-only" or "." in edge.dst else []
                confidence = edge.confidence if not resolved or resolved[0] == edge.dst else "import-resolved"
                target = resolved[0] if resolved else edge.dst
                if _RANK[confidence] > _RANK[min_confidence]:
                    continue
                sites.append(CallSite(edge.src, target, edge.path, edge.line, confidence, level))
                if resolved and target not in seen:
                    seen.add(target)
                    nxt.append(target)
            frontier = nxt
            if not frontier or len(seen) > _MAX_NODES:
                break
        return _ordered(sites)

    # -- context and impact ----------------------------------------------------------------------

    def context(self, symbol: Symbol) -> SymbolContext:
        """Definition, callers, callees, members, bases and symbols of the same file around it."""
        members = [s for s in self.code.file_symbols(self.repo_id, symbol.path) if s.parent == symbol.qualname]
        bases = [e.dst for e in self.code.edges_from(self.repo_id, [symbol.qualname], ["inherits"])]
        neighbours = [s for s in self.code.file_symbols(self.repo_id, symbol.path)
                      if s.parent == symbol.parent and s.qualname != symbol.qualname and s.kind != "variable"]
        return SymbolContext(symbol=symbol, callers=tuple(self.callers([symbol])),
                             callees=tuple(self.callees([symbol])), members=tuple(members), bases=tuple(bases),
                             related=tuple(neighbours[:10]))

    def impact(self, target: str, *, depth: int = 5) -> Impact:
        """Transitive callers of a file's symbols (or of a symbol), the files they live in, and the tests."""
        seeds = self.code.file_symbols(self.repo_id, target)
        if not seeds:
            seeds = self.lookup(target)
        sites = self.callers(seeds, depth=depth, min_confidence="import-resolved")
        importers = self.code.edges_to(self.repo_id, sorted(self.aliases(s.qualname for s in seeds)), ["imports"])
        files = sorted({s.path for s in sites} | {e.path for e in importers})
        tests = sorted({f for f in files if is_test_path(f)})
        return Impact(target=target, seeds=tuple(s.qualname for s in seeds), callers=tuple(sites),
                      files=tuple(files), tests=tuple(tests))


def _ordered(sites: list[CallSite]) -> list[CallSite]:
    unique = {(s.caller, s.callee, s.path, s.line): s for s in sites}
    return sorted(unique.values(), key=lambda s: (s.depth, _RANK[s.confidence], s.path, s.line, s.caller))
