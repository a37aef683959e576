"""Documents of ``perth code`` (schemas ``perth.code.*.v1``)."""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.codeindex.graph import CallSite, Impact, SymbolContext
    from perth.codeindex.model import CodeRepo, IndexReport, Symbol
    from perth.codeindex.repomap import RepoMap
    from perth.codeindex.service import RepoStatus


def repo_json(repo: CodeRepo) -> dict[str, object]:
    """A repository in the JSON contracts."""
    return {"name": repo.name, "id": repo.id, "root": repo.root, "added_at": to_iso(repo.added_at),
            "indexed_at": to_iso(repo.indexed_at) if repo.indexed_at else None, "head": repo.head,
            "branch": repo.branch, "state": repo.state, "files": repo.files, "symbols": repo.symbols,
            "edges": repo.edges, "last_error": repo.last_error}


def symbol_json(s: Symbol) -> dict[str, object]:
    """A symbol in the JSON contracts."""
    return {"name": s.name, "qualname": s.qualname, "kind": s.kind, "path": s.path, "line": s.line,
            "end_line": s.end_line, "parent": s.parent, "signature": s.signature, "doc": s.doc,
            "decorators": [d for d in s.decorators.split(",") if d]}


def site_json(c: CallSite) -> dict[str, object]:
    """A call site in the JSON contracts."""
    return {"caller": c.caller, "callee": c.callee, "path": c.path, "line": c.line, "confidence": c.confidence,
            "depth": c.depth}


def _when(ms: int | None) -> str:
    return to_local(ms) if ms else "never"


def repo_view(action: str, repo: CodeRepo, text: str) -> Document:
    """``perth code add|remove``."""
    return Document("perth.code.repo.v1", {"action": action, "repo": repo_json(repo)}, title="Code repository",
                    blocks=[Note(text)])


def repos_view(repos: Sequence[CodeRepo]) -> Document:
    """``perth code list``."""
    rows = [(r.name, r.state, str(r.files), str(r.symbols), str(r.edges), _when(r.indexed_at), r.root)
            for r in repos]
    blocks: list[Block] = [Table(("name", "state", "files", "symbols", "edges", "indexed", "root"), rows)] if rows \
        else [Note("No repositories yet. Register one with `perth code add PATH`.")]
    return Document("perth.code.repos.v1", {"count": len(repos), "repos": [repo_json(r) for r in repos]},
                    title="Code repositories", blocks=blocks)


def reindex_view(reports: Sequence[IndexReport]) -> Document:
    """``perth code reindex``."""
    from perth.record import as_dict

    rows = [(r.repo, "full" if r.full else "incremental", str(r.files), str(r.parsed), str(r.unchanged),
             str(r.deleted), str(r.renamed), str(r.skipped), str(r.errors), f"{r.seconds:.2f}s") for r in reports]
    table = Table(("repo", "run", "files", "parsed", "unchanged", "deleted", "renamed", "skipped", "errors", "time"),
                  rows)
    return Document("perth.code.reindex.v1", {"reports": [as_dict(r) for r in reports]}, title="Code index",
                    blocks=[table])


def find_view(repo: CodeRepo, query: str, symbols: Sequence[Symbol]) -> Document:
    """``perth code find``."""
    rows = [(s.kind, s.qualname, f"{s.path}:{s.line}", s.signature) for s in symbols]
    data = {"repo": repo.name, "query": query, "count": len(symbols), "symbols": [symbol_json(s) for s in symbols]}
    return Document("perth.code.find.v1", data, title=f"Symbols matching {query!r} in {repo.name}",
                    blocks=[Table(("kind", "symbol", "where", "signature"), rows)])


def _sites_table(sites: Sequence[CallSite], title: str, near: str) -> Table:
    rows = [(str(c.depth), c.caller if near == "caller" else c.callee, f"{c.path}:{c.line}", c.confidence)
            for c in sites]
    return Table(("depth", near, "where", "confidence"), rows, title=title)


def calls_view(direction: str, repo: CodeRepo, symbols: Sequence[Symbol], sites: Sequence[CallSite],
               depth: int) -> Document:
    """``perth code callers|callees``."""
    near = "caller" if direction == "callers" else "callee"
    data = {"repo": repo.name, "symbols": [s.qualname for s in symbols], "depth": depth, "count": len(sites),
            "calls": [site_json(c) for c in sites]}
    names = ", ".join(s.qualname for s in symbols)
    return Document(f"perth.code.{direction}.v1", data, title=f"{direction.capitalize()} of {names}",
                    blocks=[_sites_table(sites, "", near)])


def context_view(repo: CodeRepo, ctx: SymbolContext) -> Document:
    """``perth code context``."""
    s = ctx.symbol
    pairs = [("symbol", s.qualname), ("kind", s.kind), ("where", f"{s.path}:{s.line}-{s.end_line}"),
             ("signature", s.signature), ("decorators", s.decorators), ("bases", ", ".join(ctx.bases))]
    blocks: list[Block] = [Fields([(k, v) for k, v in pairs if v], title="Definition")]
    if s.doc:
        blocks.append(Note(s.doc))
    blocks += [_sites_table(ctx.callers, "Callers", "caller"), _sites_table(ctx.callees, "Callees", "callee")]
    if ctx.members:
        blocks.append(Items([f"{m.kind} {m.signature or m.name} (line {m.line})" for m in ctx.members],
                            title="Members"))
    blocks.append(Items([f"{r.kind} {r.qualname} ({r.path}:{r.line})" for r in ctx.related], title="Related"))
    data = {"repo": repo.name, "symbol": symbol_json(s), "callers": [site_json(c) for c in ctx.callers],
            "callees": [site_json(c) for c in ctx.callees], "members": [symbol_json(m) for m in ctx.members],
            "bases": list(ctx.bases), "related": [symbol_json(r) for r in ctx.related]}
    return Document("perth.code.context.v1", data, title=f"{s.kind} {s.qualname}", blocks=blocks)


def impact_view(repo: CodeRepo, impact: Impact) -> Document:
    """``perth code impact``."""
    data = {"repo": repo.name, "target": impact.target, "seeds": list(impact.seeds),
            "callers": [site_json(c) for c in impact.callers], "files": list(impact.files),
            "tests": list(impact.tests)}
    blocks: list[Block] = [
        Note(f"{len(impact.callers)} call site(s) in {len(impact.files)} file(s) reach {impact.target};"
             f" {len(impact.tests)} test file(s)."),
        Items(list(impact.tests), title="Tests that reach it"),
        Items(list(impact.files), title="Files affected"),
        _sites_table(impact.callers, "Transitive callers", "caller"),
    ]
    return Document("perth.code.impact.v1", data, title=f"Impact of {impact.target}", blocks=blocks)


def map_view(repo: CodeRepo, repo_map: RepoMap) -> Document:
    """``perth code map``."""
    data = {"repo": repo.name, "budget": repo_map.budget, "tokens": repo_map.tokens, "focus": list(repo_map.focus),
            "files": [{"path": f.path, "rank": round(f.rank, 6), "symbols": [symbol_json(s) for s in f.symbols]}
                      for f in repo_map.files], "text": repo_map.text}
    return Document("perth.code.map.v1", data, title=f"Repository map of {repo.name}",
                    blocks=[Note(repo_map.text or "(the index is empty)")])


def status_view(statuses: Sequence[RepoStatus]) -> Document:
    """``perth code status``."""
    rows = [(s.repo.name, s.state, str(s.changed), str(s.added), str(s.deleted), "yes" if s.head_moved else "no",
             _when(s.repo.indexed_at), s.detail) for s in statuses]
    data = {"repos": [{"repo": repo_json(s.repo), "state": s.state, "changed": s.changed, "added": s.added,
                       "deleted": s.deleted, "head_moved": s.head_moved, "detail": s.detail} for s in statuses]}
    columns = ("repo", "state", "changed", "added", "deleted", "new commit", "indexed", "detail")
    empty = Note("No repositories yet. Register one with `perth code add PATH`.")
    blocks: list[Block] = [Table(columns, rows)] if rows else [empty]
    return Document("perth.code.status.v1", data, title="Code index status", blocks=blocks)
