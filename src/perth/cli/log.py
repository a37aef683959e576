"""``perth log``: record an intent entry (the hot path: keep imports light)."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPES = ("checkpoint", "milestone", "decision", "blocker", "next", "exploration")
SOURCES = ("manual", "automated", "agent")


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth log`` to the parser."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " The pane is resolved from --pane, $PERTH_PANE, the multiplexer pane, or the repository"
        " and branch. A summary of '-' is read from standard input."))
    parser.add_argument("summary", nargs="+", help="What you intend, decided or did ('-' reads stdin).")
    parser.add_argument("--pane", "-p", help="Pane name (default: the current pane).")
    parser.add_argument("--type", "-t", default="checkpoint", metavar="TYPE",
                        help=f"Entry type: {', '.join(TYPES)} (default checkpoint).")
    parser.add_argument("--source", "-s", default=None, metavar="SOURCE",
                        help=f"Who wrote it: {', '.join(SOURCES)} (default manual, or agent with --agent).")
    parser.add_argument("--agent", help="The agent's name for agent entries (implies --source agent).")
    parser.add_argument("--artifact", "-a", action="append", default=[], metavar="PATH",
                        help="A file or URL this entry produced or touched (repeatable).")
    parser.add_argument("--command", "-c", dest="commands", action="append", default=[], metavar="CMD",
                        help="A command run for this entry (repeatable).")
    parser.add_argument("--goal-delta", "-g", help="How this moved the goal forward.")
    parser.add_argument("--tag", action="append", default=[], help="A tag (repeatable).")
    parser.add_argument("--at", metavar="TIME", help="When it happened (default now), e.g. 2h or 2026-11-20T14:30.")
    add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Log the entry and print a one-line confirmation."""
    from perth.panes.entries import EntryDraft, log_entry, short_id

    words = list(args.summary)
    summary = sys.stdin.read() if words == ["-"] else " ".join(words)
    at = None
    if args.at:
        from perth.clock import parse_when

        at = parse_when(args.at)
    draft = EntryDraft(summary=summary, type=args.type, source=args.source, agent=args.agent,
                       artifacts=tuple(args.artifact), commands_run=tuple(args.commands),
                       goal_delta=args.goal_delta, tags=tuple(args.tag), at=at)
    rt = ctx.runtime()
    entry, found = log_entry(rt, draft, args.pane)
    fmt = ctx.format(args)
    if fmt == "text":
        how = "" if found.how == "flag" else f" (pane from {found.detail})"
        print(f"logged {entry.type} {short_id(entry.id)} in {entry.pane_name}{how}")
    else:
        from perth.views.panes import entry_view

        ctx.emit(entry_view(entry), args)
    return 0
