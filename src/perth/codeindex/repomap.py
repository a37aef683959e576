"""A repository map: the most important definitions, ranked by PageRank, fitted to a token budget.

Aider's idea, computed on the stored graph: files are the nodes; every call, import or inherits
edge from file A to a symbol defined in file B adds weight to A -> B (a reference known only by its
name counts a tenth, split between the files that define that name, and not at all when the name
is private, special or a method of a builtin type: ``x.get()`` is most likely ``dict.get``).
PageRank runs with the random jump personalised to the focus files (uniform without focus), each
file's rank flows to the definitions its references point at, and the best definitions are
rendered one line each under their file's path, as many as the token budget (estimated at four
characters a token) allows.
"""

from __future__ import annotations

from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.codeindex.model import Symbol
    from perth.store.ports.code import CodeIndexPort

_MAP_KINDS = frozenset({"class", "function", "method", "interface", "type"})
_DAMPING = 0.85
_CHARS_PER_TOKEN = 4
_NAME_ONLY_WEIGHT = 0.1
#: Methods of the builtin types: a reference known only as ``x.join()`` or ``x.get()`` is most likely one
#: of these, so it does not vote for a definition of the same name.
_BUILTIN_METHODS = frozenset(name for kind in (str, bytes, dict, list, set, tuple, int, float)
                             for name in dir(kind) if not name.startswith("_"))


class MapFile(Record):
    """A file of the map with its rank and the definitions shown."""

    path: str
    rank: float
    symbols: tuple[Symbol, ...]


class RepoMap(Record):
    """The rendered map and what it holds."""

    text: str
    tokens: int
    budget: int
    focus: tuple[str, ...]
    files: tuple[MapFile, ...]


def estimate_tokens(text: str) -> int:
    """Tokens of a text, estimated (four characters each, rounded up)."""
    return -(-len(text) // _CHARS_PER_TOKEN)


def pagerank(edges: dict[str, dict[str, float]], nodes: Sequence[str], personal: dict[str, float],
             *, iterations: int = 50, tolerance: float = 1e-9) -> dict[str, float]:
    """PageRank by power iteration; dangling nodes jump like the random surfer (to ``personal``)."""
    if not nodes:
        return {}
    total = sum(personal.values()) or 1.0
    jump = {n: personal.get(n, 0.0) / total for n in nodes}
    rank = dict(jump)
    out = {n: sum(edges.get(n, {}).values()) for n in nodes}
    for _ in range(iterations):
        dangling = sum(rank[n] for n in nodes if not out[n])
        nxt = {n: (1 - _DAMPING + _DAMPING * dangling) * jump[n] for n in nodes}
        for src, targets in edges.items():
            if out[src]:
                share = _DAMPING * rank[src] / out[src]
                for dst, weight in targets.items():
                    nxt[dst] += share * weight
        delta = sum(abs(nxt[n] - rank[n]) for n in nodes)
        rank = nxt
        if delta < tolerance:
            break
    return rank


def _targets(definitions: Sequence[Symbol]) -> tuple[dict[str, Symbol], dict[str, list[Symbol]]]:
    by_qualname: dict[str, Symbol] = {}
    by_name: dict[str, list[Symbol]] = {}
    for s in definitions:
        if s.kind in _MAP_KINDS:
            by_qualname.setdefault(s.qualname, s)
            by_name.setdefault(s.name, []).append(s)
    return by_qualname, by_name


def rank_symbols(code: CodeIndexPort, repo_id: str, focus: Sequence[str]) -> tuple[list[tuple[Symbol, float]],
                                                                                   dict[str, float]]:
    """Definitions with their rank (best first), and each file's rank."""
    definitions = code.definitions(repo_id)
    by_qualname, by_name = _targets(definitions)
    refs: list[tuple[str, Symbol, float]] = []
    for path, dst, name, count in code.references(repo_id):
        hit = by_qualname.get(dst)
        if hit is None and (not name or name.startswith("_") or name in _BUILTIN_METHODS):
            continue
        candidates = [hit] if hit is not None else by_name.get(name, [])[:5]
        weight = count if hit is not None else count * _NAME_ONLY_WEIGHT  # `x.get()` may be dict.get
        refs += [(path, s, weight / len(candidates)) for s in candidates if s.path != path]
    files = sorted({s.path for s in definitions})
    edges: dict[str, dict[str, float]] = {}
    for path, s, weight in refs:
        edges.setdefault(path, {}).setdefault(s.path, 0.0)
        edges[path][s.path] += weight
    wanted = {f for f in focus if f in set(files)}
    ranks = pagerank(edges, files, dict.fromkeys(wanted, 1.0) if wanted else dict.fromkeys(files, 1.0))
    score: dict[str, float] = {}
    for path, s, weight in refs:
        score[s.qualname] = score.get(s.qualname, 0.0) + ranks[path] * weight / sum(edges[path].values())
    ranked = [(s, score.get(s.qualname, 0.0) + ranks.get(s.path, 0.0) * 1e-3) for s in by_qualname.values()]
    ranked.sort(key=lambda item: (-item[1], item[0].path, item[0].line))
    return ranked, ranks


def render(chosen: Sequence[tuple[Symbol, float]], ranks: dict[str, float]) -> tuple[str, list[MapFile]]:
    """The map text: each file (best first), its chosen definitions in line order."""
    per_file: dict[str, list[Symbol]] = {}
    for s, _ in chosen:
        per_file.setdefault(s.path, []).append(s)
    order = sorted(per_file, key=lambda p: (-ranks.get(p, 0.0), p))
    lines: list[str] = []
    files: list[MapFile] = []
    for path in order:
        symbols = sorted(per_file[path], key=lambda s: s.line)
        lines.append(f"{path}:")
        lines += [f"  {s.line}: {s.signature or s.kind + ' ' + s.name}" for s in symbols]
        files.append(MapFile(path=path, rank=ranks.get(path, 0.0), symbols=tuple(symbols)))
    return "\n".join(lines), files


def build_map(code: CodeIndexPort, repo_id: str, *, budget: int, focus: Sequence[str] = ()) -> RepoMap:
    """The largest prefix of the ranked definitions whose rendering fits ``budget`` tokens."""
    ranked, ranks = rank_symbols(code, repo_id, focus)
    low, high = 0, len(ranked)
    while low < high:
        middle = (low + high + 1) // 2
        text, _ = render(ranked[:middle], ranks)
        if estimate_tokens(text) <= budget:
            low = middle
        else:
            high = middle - 1
    text, files = render(ranked[:low], ranks)
    return RepoMap(text=text, tokens=estimate_tokens(text), budget=budget, focus=tuple(focus), files=tuple(files))
