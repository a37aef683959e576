"""``perth status``: where was I."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth status``."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " The first line names the current pane and how it was resolved."))
    parser.add_argument("--pane", "-p", help="Only this pane.")
    parser.add_argument("--limit", "-n", type=int, default=20, help="Panes shown (default 20, most recent first).")
    add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the status report."""
    from perth.panes.status import status
    from perth.views.panes import status_view

    ctx.emit(status_view(status(ctx.runtime(), pane_name=args.pane, limit=max(1, args.limit))), args)
    return 0
