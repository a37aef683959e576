"""``perth code add|list|remove|reindex|find|context|callers|callees|impact|map|status``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_CONFIDENCES = ("exact", "import-resolved", "name-only")


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth code`` and its actions."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Python is parsed with ast; JavaScript/TypeScript, Go, Rust, Java and shell with tree-sitter"
        " (pip install 'perth[code]'). Signatures and docstrings are redacted before they are stored."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = _action(actions, "add", "Register a repository and index it.", run_add)
    add.add_argument("path", help="The working tree's folder.")
    add.add_argument("--name", help="A short name (default: the folder's name).")
    add.add_argument("--no-index", action="store_true", help="Register only; index later (reindex or the daemon).")
    _action(actions, "list", "List registered repositories.", run_list)
    remove = _action(actions, "remove", "Forget a repository and its graph (the files are not touched).", run_remove)
    remove.add_argument("name", help="Repository name.")
    reindex = _action(actions, "reindex", "Index now: only changed files, or every file with --full.", run_reindex)
    reindex.add_argument("name", nargs="?", help="Repository (default: the one holding the current folder).")
    reindex.add_argument("--full", action="store_true", help="Re-parse every file.")
    reindex.add_argument("--all", action="store_true", dest="every", help="Every registered repository.")
    find = _action(actions, "find", "Find symbols by name, qualified name or glob ('get_*').", run_find, repo=True)
    find.add_argument("text", metavar="NAME|PATTERN", help="A name, a qualified name, or a glob.")
    find.add_argument("--kind", action="append", default=[],
                      choices=("module", "class", "function", "method", "variable", "interface", "type"),
                      help="Only these kinds (repeatable).")
    find.add_argument("--limit", type=int, default=50, help="At most this many symbols (default 50).")
    context = _action(actions, "context", "A symbol's definition, signature, docstring, callers, callees and"
                      " neighbours.", run_context, repo=True)
    context.add_argument("symbol", help="Name or qualified name.")
    for direction in ("callers", "callees"):
        calls = _action(actions, direction, f"The {direction} of a symbol, with each call's confidence.",
                        run_calls, repo=True)
        calls.add_argument("symbol", help="Name or qualified name.")
        calls.add_argument("--depth", type=int, default=1, help="Levels to follow (default 1).")
        calls.add_argument("--min-confidence", choices=_CONFIDENCES, default="name-only",
                           help="Leave out weaker edges (default: show all, name-only last).")
        calls.set_defaults(direction=direction)
    impact = _action(actions, "impact", "What a change to a file or symbol may break: transitive callers, files"
                     " and the tests that reach it.", run_impact, repo=True)
    impact.add_argument("target", metavar="FILE|SYMBOL", help="A path relative to the repository, or a symbol.")
    impact.add_argument("--depth", type=int, default=5, help="Levels of callers to follow (default 5).")
    repo_map = _action(actions, "map", "A map of the repository's most important definitions (PageRank over the"
                       " graph), fitted to a token budget.", run_map, repo=True)
    repo_map.add_argument("--tokens", type=int, default=1024, help="Token budget (default 1024).")
    repo_map.add_argument("--focus", nargs="+", default=[], metavar="PATH",
                          help="Files to rank around (the files you are working on).")
    status = _action(actions, "status", "Fresh, stale, partial or unavailable, per repository.", run_status)
    status.add_argument("name", nargs="?", help="One repository (default: every one).")


def _action(actions: Any, name: str, text: str, handler: Any, *, repo: bool = False) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    if repo:
        parser.add_argument("--repo", help="Repository name (default: the one holding the current folder).")
    add_format(parser)
    parser.set_defaults(handler=handler)
    return parser


def run_add(args: argparse.Namespace, ctx: CliContext) -> int:
    """Register (and index) a repository."""
    from perth.codeindex import service
    from perth.codeindex.indexer import index_repo
    from perth.codeindex.views import repo_view

    rt = ctx.runtime()
    repo = service.add_repo(rt, args.path, name=args.name)
    text = f"Registered {repo.name} at {repo.root}."
    if not args.no_index:
        report = index_repo(rt, repo)
        repo = rt.store.code.get_repo(repo_id=repo.id) or repo
        text += (f" Indexed {report.files} files: {report.symbols} symbols, {report.edges} edges"
                 f" in {report.seconds:.2f}s.")
    ctx.emit(repo_view("add", repo, text), args)
    if not args.no_index:
        service.require_grammars([report])
    return 0


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List repositories."""
    from perth.codeindex.service import list_repos
    from perth.codeindex.views import repos_view

    ctx.emit(repos_view(list_repos(ctx.runtime())), args)
    return 0


def run_remove(args: argparse.Namespace, ctx: CliContext) -> int:
    """Forget a repository."""
    from perth.codeindex.service import remove_repo
    from perth.codeindex.views import repo_view

    repo = remove_repo(ctx.runtime(), args.name)
    ctx.emit(repo_view("remove", repo, f"Removed {repo.name} and its graph."), args)
    return 0


def run_reindex(args: argparse.Namespace, ctx: CliContext) -> int:
    """Index now."""
    from perth.codeindex import service
    from perth.codeindex.views import reindex_view

    reports = service.reindex(ctx.runtime(), args.name, full=args.full, every=args.every)
    ctx.emit(reindex_view(reports), args)
    service.require_grammars(reports)
    return 0


def run_find(args: argparse.Namespace, ctx: CliContext) -> int:
    """Find symbols."""
    from perth.codeindex.graph import Graph
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import find_view

    rt = ctx.runtime()
    repo = get_repo(rt, args.repo)
    symbols = Graph(rt.store.code, repo.id).find(args.text, kinds=args.kind, limit=args.limit)
    ctx.emit(find_view(repo, args.text, symbols), args)
    return 0 if symbols else 3


def run_context(args: argparse.Namespace, ctx: CliContext) -> int:
    """One symbol in context."""
    from perth.codeindex.graph import Graph
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import context_view

    rt = ctx.runtime()
    repo = get_repo(rt, args.repo)
    graph = Graph(rt.store.code, repo.id)
    ctx.emit(context_view(repo, graph.context(graph.lookup(args.symbol)[0])), args)
    return 0


def run_calls(args: argparse.Namespace, ctx: CliContext) -> int:
    """Callers or callees."""
    from perth.codeindex.graph import Graph
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import calls_view

    rt = ctx.runtime()
    repo = get_repo(rt, args.repo)
    graph = Graph(rt.store.code, repo.id)
    symbols = graph.lookup(args.symbol)
    query = graph.callers if args.direction == "callers" else graph.callees
    sites = query(symbols, depth=max(1, args.depth), min_confidence=args.min_confidence)
    ctx.emit(calls_view(args.direction, repo, symbols, sites, max(1, args.depth)), args)
    return 0


def run_impact(args: argparse.Namespace, ctx: CliContext) -> int:
    """Impact of a change."""
    from perth.codeindex.graph import Graph
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import impact_view

    rt = ctx.runtime()
    repo = get_repo(rt, args.repo)
    ctx.emit(impact_view(repo, Graph(rt.store.code, repo.id).impact(args.target, depth=max(1, args.depth))), args)
    return 0


def run_map(args: argparse.Namespace, ctx: CliContext) -> int:
    """The ranked repository map."""
    from perth.codeindex.repomap import build_map
    from perth.codeindex.service import get_repo
    from perth.codeindex.views import map_view

    rt = ctx.runtime()
    repo = get_repo(rt, args.repo)
    ctx.emit(map_view(repo, build_map(rt.store.code, repo.id, budget=max(1, args.tokens), focus=args.focus)), args)
    return 0


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    """Index freshness per repository."""
    from perth.codeindex.service import status
    from perth.codeindex.views import status_view

    ctx.emit(status_view(status(ctx.runtime(), args.name)), args)
    return 0
