"""``perth entry edit|delete|restore``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth entry`` and its subcommands."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    edit = actions.add_parser("edit", help="Change an entry's fields.",
                              description="Change an entry's fields; every text passes the secret filter.")
    edit.add_argument("id", help="Entry id, or its short id (the last 8 characters).")
    edit.add_argument("--summary", help="New summary.")
    edit.add_argument("--type", "-t", help="New type.")
    edit.add_argument("--goal-delta", "-g", help="New goal delta ('' clears it).")
    edit.add_argument("--tag", action="append", default=[], help="Add a tag (repeatable).")
    edit.add_argument("--untag", action="append", default=[], help="Remove a tag (repeatable).")
    edit.add_argument("--artifact", "-a", action="append", default=[], help="Add an artifact (repeatable).")
    edit.add_argument("--command", "-c", dest="commands", action="append", default=[],
                      help="Add a command run (repeatable).")
    edit.add_argument("--pane", "-p", help="Move the entry to another pane.")
    add_format(edit)
    edit.set_defaults(handler=run_edit)
    for action, text in (("delete", "Soft-delete an entry (recoverable with `perth entry restore`)."),
                         ("restore", "Undo a soft delete.")):
        sub_parser = actions.add_parser(action, help=text, description=text)
        sub_parser.add_argument("id", help="Entry id, or its short id (the last 8 characters).")
        add_format(sub_parser)
        sub_parser.set_defaults(handler=run_delete if action == "delete" else run_restore)


def run_edit(args: argparse.Namespace, ctx: CliContext) -> int:
    """Edit an entry."""
    from perth.panes.entries import EntryChanges, edit_entry, short_id
    from perth.views.panes import entry_view

    changes = EntryChanges(summary=args.summary, type=args.type, goal_delta=args.goal_delta,
                           add_tags=tuple(args.tag), remove_tags=tuple(args.untag),
                           add_artifacts=tuple(args.artifact), add_commands=tuple(args.commands),
                           pane=args.pane)
    entry = edit_entry(ctx.runtime(), args.id, changes)
    ctx.emit(entry_view(entry, action=f"Edited {short_id(entry.id)}."), args)
    return 0


def run_delete(args: argparse.Namespace, ctx: CliContext) -> int:
    """Soft-delete an entry."""
    from perth.panes.entries import delete_entry, short_id
    from perth.views.panes import entry_view

    entry = delete_entry(ctx.runtime(), args.id)
    short = short_id(entry.id)
    ctx.emit(entry_view(entry, action=f"Deleted {short} (perth entry restore {short} undoes it)."), args)
    return 0


def run_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    """Restore a soft-deleted entry."""
    from perth.panes.entries import restore_entry, short_id
    from perth.views.panes import entry_view

    entry = restore_entry(ctx.runtime(), args.id)
    ctx.emit(entry_view(entry, action=f"Restored {short_id(entry.id)}."), args)
    return 0
