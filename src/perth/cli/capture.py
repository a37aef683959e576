"""``perth init``, ``ingest``, ``pause``, ``resume``, ``import-history`` and ``search``."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format
from perth.files import private_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add one of the capture commands."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    {"init": _init, "ingest": _ingest, "pause": _pause, "resume": _pause, "import-history": _import,
     "search": _search}[name](parser, name)


def _init(parser: argparse.ArgumentParser, _name: str) -> None:
    parser.description = (f"{parser.description} Fast set-up: `perth init zsh --install` writes the script to a"
                          " file and prints the one `source` line to add to your rc file (no Python runs when a"
                          ' shell starts); `eval "$(perth init zsh)"` also works but starts Python in every shell.')
    parser.add_argument("shell", choices=("zsh", "bash", "fish"), help="The shell to integrate with.")
    parser.add_argument("--install", action="store_true",
                        help="Write the script to a private file in Perth's data dir (rewritten when Perth is"
                             " upgraded) and print the line that sources it.")
    parser.add_argument("--output", metavar="FILE", help="With --install: write the script here instead.")
    parser.set_defaults(handler=run_init)


def _ingest(parser: argparse.ArgumentParser, _name: str) -> None:
    add_format(parser)
    parser.set_defaults(handler=run_ingest)


def _pause(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("--global", dest="everywhere", action="store_true",
                        help="For every shell, not only the one this runs in.")
    parser.set_defaults(handler=run_pause, pausing=name == "pause")


def _import(parser: argparse.ArgumentParser, _name: str) -> None:
    parser.add_argument("--shell", required=True, choices=("zsh", "bash", "fish"), help="The history's shell.")
    parser.add_argument("--file", help="History file (default: $HISTFILE or the shell's default file).")
    add_format(parser)
    parser.set_defaults(handler=run_import)


def _search(parser: argparse.ArgumentParser, _name: str) -> None:
    parser.description = (f"{parser.description} BM25 over every match with recency and importance boosts;"
                          " `perth search reindex` rebuilds the index.")
    parser.add_argument("text", nargs="+", help="Words to find (matches of every word first, then of some;"
                        " word* matches a prefix),"
                        " or `reindex` alone to rebuild the search index.")
    parser.add_argument("--kind", action="append", default=[],
                        help="Only this kind: command, intent, journal, snapshot, code (repeatable; default all).")
    parser.add_argument("--mode", choices=("fts", "vector", "hybrid"),
                        help="Ranking: fts (BM25), vector or hybrid (default search.mode; vector and hybrid"
                        " need the [semantic] extra and search.model_path).")
    add_command_filters(parser)
    parser.add_argument("--cursor", help="Continue after a page (its next_cursor).")
    add_format(parser)
    parser.set_defaults(handler=run_search)


def add_command_filters(parser: argparse.ArgumentParser) -> None:
    """Filters shared by ``history --commands`` and ``search``."""
    parser.add_argument("--pane", "-p", action="append", default=[], help="Only this pane (repeatable).")
    parser.add_argument("--cwd", help="Only commands run in this directory or below it.")
    parser.add_argument("--repo", help="Only commands run in this repository (its root directory); in search,"
                        " also the code symbols of the repository registered there.")
    parser.add_argument("--exit", type=int, help="Only commands that exited with this status.")
    parser.add_argument("--failed", action="store_true", help="Only commands that exited non-zero.")
    parser.add_argument("--host", help="Only commands run on this host.")
    parser.add_argument("--since", metavar="TIME", help="Only at or after TIME (2026-11-20, 2h, 3d, today).")
    parser.add_argument("--until", metavar="TIME", help="Only at or before TIME.")
    parser.add_argument("--limit", "-n", type=int, default=None, help="Results per page (default history.limit).")
    parser.add_argument("--offset", type=int, default=0, help="Skip this many results.")


def command_filter(args: argparse.Namespace, ctx: CliContext) -> Any:
    """Build a :class:`perth.capture.query.CommandFilter` from the shared options."""
    from perth.capture.query import CommandFilter
    from perth.clock import parse_when

    return CommandFilter(
        panes=tuple(args.pane), cwd=args.cwd, repo=args.repo, exit=args.exit, failed=args.failed,
        host=args.host, since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until) if args.until else None,
        limit=args.limit, offset=args.offset, cursor=getattr(args, "cursor", None),
    )


def run_init(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the integration script for a shell."""
    import os

    from perth.capture.ingest import spool_dir
    from perth.capture.integration import render_init

    rt = ctx.runtime()
    directory = spool_dir(rt)
    private_dirs(directory)
    os.chmod(directory, 0o700)
    command = os.environ.get("PERTH_COMMAND") or "perth"
    if args.output and not args.install:
        from perth.errors import UsageError

        raise UsageError("--output is only used with --install",
                         f"run: perth init {args.shell} --install --output FILE")
    if not args.install:
        sys.stdout.write(render_init(args.shell, spool_dir=directory, perth_command=command))
        return 0
    from perth.capture.install import install_script

    done = install_script(args.shell, spool_dir=directory, data_dir=rt.settings.paths.data_dir, perth_command=command,
                          python=sys.executable, perth_home=os.environ.get("PERTH_HOME") or None,
                          output=args.output)
    print(done.source_line)
    print(f"perth: wrote {done.path} (Perth {done.version}); add the line above to {done.rc_file}"
          f" in place of any `perth init {args.shell}` line", file=sys.stderr)
    return 0


def run_ingest(args: argparse.Namespace, ctx: CliContext) -> int:
    """Ingest the spool now."""
    from perth.capture.ingest import ingest
    from perth.views.capture import ingest_view

    report = ingest(ctx.runtime())
    for warning in report.warnings:
        print(f"perth: warning: {warning}", file=sys.stderr)
    ctx.emit(ingest_view(report), args)
    return 0


def run_pause(args: argparse.Namespace, ctx: CliContext) -> int:
    """Create or remove a pause flag."""
    from perth.capture.recording import set_paused

    message = set_paused(ctx.runtime(), paused=args.pausing, everywhere=args.everywhere)
    print(message)
    return 0


def run_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import a history file."""
    from perth.capture.importer import import_history
    from perth.cli.progress import Progress
    from perth.views.capture import import_history_view

    progress = Progress("importing history", unit="commands")
    report = import_history(ctx.runtime(), args.shell, args.file, track=progress.track)
    ctx.emit(import_history_view(report), args)
    return 0


def run_search(args: argparse.Namespace, ctx: CliContext) -> int:
    """Memory search, or ``reindex``."""
    if args.text == ["reindex"]:
        from perth.search.service import reindex
        from perth.views.search import reindex_view

        ctx.emit(reindex_view(reindex(ctx.runtime())), args)
        return 0
    import gc

    # A search imports the store, the index and the ranking and frees what it allocates by reference
    # counting: collecting cycles meanwhile only costs time (about a twentieth of the command).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from perth.search.service import search
        from perth.views.search import search_view

        page = search(ctx.runtime(), " ".join(args.text), command_filter(args, ctx), tuple(args.kind), args.mode)
        ctx.emit(search_view(page), args)
    finally:
        if collecting:
            gc.enable()
    return 0
