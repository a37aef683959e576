"""``perth history`` and ``perth show``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth history`` or ``perth show``."""
    if name == "show":
        parser = sub.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("id", help="Entry id, or its short id (the last 8 characters shown by history).")
        parser.add_argument("--include-deleted", action="store_true", help="Also find soft-deleted entries.")
        add_format(parser)
        parser.set_defaults(handler=run_show)
        return
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Times accept ISO dates (2026-11-20), durations ago (90m, 2h, 3d, 1w), today and yesterday."))
    parser.add_argument("--pane", "-p", action="append", default=[], help="Only this pane (repeatable).")
    parser.add_argument("--type", "-t", action="append", default=[], help="Only this entry type (repeatable).")
    parser.add_argument("--source", "-s", action="append", default=[], help="Only this source (repeatable).")
    parser.add_argument("--agent", help="Only entries by this agent.")
    parser.add_argument("--tag", action="append", default=[],
                        help="Only entries with this tag (repeatable; all must match).")
    parser.add_argument("--since", metavar="TIME", help="Only entries at or after TIME.")
    parser.add_argument("--until", metavar="TIME", help="Only entries at or before TIME.")
    parser.add_argument("--limit", "-n", type=int, default=None, help="Entries per page (default history.limit, 20).")
    parser.add_argument("--offset", type=int, default=0, help="Skip this many entries.")
    parser.add_argument("--cursor", help="Continue after the page that printed this cursor.")
    parser.add_argument("--include-deleted", action="store_true", help="Also list soft-deleted entries.")
    commands = parser.add_argument_group("captured commands (with --commands)")
    commands.add_argument("--commands", "-c", action="store_true",
                          help="List the commands captured from your shells instead of intent entries.")
    commands.add_argument("--cwd", help="Only commands run in this directory or below it.")
    commands.add_argument("--repo", help="Only commands run in this repository (its root directory).")
    commands.add_argument("--exit", type=int, help="Only commands that exited with this status.")
    commands.add_argument("--failed", action="store_true", help="Only commands that exited non-zero.")
    commands.add_argument("--host", help="Only commands run on this host.")
    add_format(parser)
    parser.set_defaults(handler=run_history)


def run_history(args: argparse.Namespace, ctx: CliContext) -> int:
    """List entries (or captured commands with --commands)."""
    if args.commands:
        return _run_commands(args, ctx)
    _refuse_command_options(args)
    from perth.clock import parse_when
    from perth.panes.entries import HistoryFilter, history
    from perth.views.panes import history_view

    rt = ctx.runtime()
    flt = HistoryFilter(
        panes=tuple(args.pane), types=tuple(args.type), sources=tuple(args.source), tags=tuple(args.tag),
        agent=args.agent, since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until) if args.until else None, include_deleted=args.include_deleted,
        limit=args.limit, offset=args.offset, cursor=args.cursor,
    )
    page = history(rt, flt)
    flt = page.query or flt
    filters = {"panes": list(flt.panes), "types": list(flt.types), "sources": list(flt.sources),
               "tags": list(flt.tags), "agent": flt.agent, "since": args.since or _iso(flt.since),
               "until": args.until or _iso(flt.until),
               "limit": flt.limit, "offset": flt.offset}
    ctx.emit(history_view(page, filters), args)
    return 0


def _iso(ms: int | None) -> str | None:
    from perth.clock import to_iso

    return to_iso(ms) if ms is not None else None


def run_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show one entry."""
    from perth.panes.entries import find_entry
    from perth.views.panes import entry_view

    entry = find_entry(ctx.runtime(), args.id, include_deleted=args.include_deleted)
    ctx.emit(entry_view(entry), args)
    return 0


COMMAND_ONLY = ("cwd", "repo", "exit", "failed", "host")


def _refuse_command_options(args: argparse.Namespace) -> None:
    used = [f"--{name}" for name in COMMAND_ONLY if getattr(args, name) not in (None, False)]
    if used:
        from perth.errors import UsageError

        raise UsageError(f"{', '.join(used)} filter captured commands", "add --commands")


def _run_commands(args: argparse.Namespace, ctx: CliContext) -> int:
    from perth.capture.query import command_history
    from perth.cli.capture import command_filter
    from perth.views.capture import command_history_view

    if args.type or args.source or args.tag or args.agent or args.include_deleted:
        from perth.errors import UsageError

        raise UsageError("--type, --source, --tag, --agent and --include-deleted apply to intent entries",
                         "drop them, or drop --commands")
    flt = command_filter(args, ctx)
    page = command_history(ctx.runtime(), flt)
    flt = page.query or flt
    filters = {"panes": list(flt.panes), "cwd": flt.cwd, "repo": flt.repo, "exit": flt.exit, "failed": flt.failed,
               "host": flt.host, "since": args.since or _iso(flt.since), "until": args.until or _iso(flt.until),
               "limit": flt.limit, "offset": flt.offset}
    ctx.emit(command_history_view(page, filters), args)
    return 0
