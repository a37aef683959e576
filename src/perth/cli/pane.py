"""``perth pane create|list|show|rename|tag|meta|close|archive|reopen|delete|open|reconcile``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STATUS_ACTIONS = {
    "close": ("closed", "Mark a pane closed (its multiplexer pane is gone; logging reopens it)."),
    "archive": ("archived", "Archive a finished pane (hidden from status; logging to it is refused)."),
    "reopen": ("active", "Make a closed or archived pane active again."),
}


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth pane`` and its subcommands."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Names use 1-128 characters from A-Z a-z 0-9 . _ / -, e.g. fix/auth-bug."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _create(actions)
    listing = actions.add_parser("list", help="List panes, most recently seen first.",
                                 description="List panes, most recently seen first.")
    listing.add_argument("--status", action="append", default=[],
                         help="Only panes with this status: active, closed, archived (repeatable).")
    listing.add_argument("--tag", action="append", default=[], help="Only panes with this tag (repeatable).")
    listing.add_argument("--include-deleted", action="store_true", help="Also list deleted panes.")
    add_format(listing)
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="Show a pane and its recent entries.",
                              description="Show a pane's fields and its recent entries.")
    show.add_argument("name", nargs="?", help="Pane name (default: the current pane).")
    add_format(show)
    show.set_defaults(handler=run_show)
    rename = actions.add_parser("rename", help="Rename a pane; its entries follow.",
                                description="Rename a pane; its entries follow.")
    rename.add_argument("old", help="Current name.")
    rename.add_argument("new", help="New name.")
    add_format(rename)
    rename.set_defaults(handler=run_rename)
    _tagging(actions)
    for action, (_status, text) in STATUS_ACTIONS.items():
        status_parser = actions.add_parser(action, help=text, description=text)
        status_parser.add_argument("name", help="Pane name.")
        add_format(status_parser)
        status_parser.set_defaults(handler=run_status_change, action=action)
    delete = actions.add_parser("delete", help="Delete a pane and its entries (soft delete).",
                                description="Soft-delete a pane and its entries; the name becomes free.")
    delete.add_argument("name", help="Pane name.")
    add_format(delete)
    delete.set_defaults(handler=run_delete)
    _mux_actions(actions)


def _create(actions: Any) -> None:
    create = actions.add_parser("create", help="Register a new pane.", description=(
        "Register a new pane. The working directory, repository and branch are detected; inside"
        " tmux or Zellij the current multiplexer pane is attached unless --no-attach."))
    create.add_argument("name", help="Pane name, e.g. fix/auth-bug.")
    create.add_argument("--cwd", help="Working directory (default: the current one).")
    create.add_argument("--session", help="Multiplexer session name.")
    create.add_argument("--tab", help="Multiplexer tab or window name.")
    create.add_argument("--mux", choices=("none", "tmux", "zellij"), help="Multiplexer kind.")
    create.add_argument("--mux-pane-id", help="Multiplexer pane id (%%3 for tmux, 7 for Zellij).")
    create.add_argument("--no-attach", action="store_true",
                        help="Do not attach the multiplexer pane this command runs in.")
    create.add_argument("--tag", action="append", default=[], help="A tag (repeatable).")
    create.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                        help="A free key/value (repeatable).")
    add_format(create)
    create.set_defaults(handler=run_create)


def _tagging(actions: Any) -> None:
    tag = actions.add_parser("tag", help="Add or remove a pane's tags.",
                             description="Add tags to a pane, or remove them with --remove.")
    tag.add_argument("name", help="Pane name.")
    tag.add_argument("tags", nargs="*", help="Tags to add.")
    tag.add_argument("--remove", "-r", action="append", default=[], help="A tag to remove (repeatable).")
    add_format(tag)
    tag.set_defaults(handler=run_tag)
    share = actions.add_parser("share", help="Share a pane with a team (multi-user stores).",
                               description="Share one of your panes with one of your teams: its members read it"
                               " (only you change it). A multi-user store only (docs/team.md).")
    share.add_argument("name", help="Pane name.")
    share.add_argument("team", help="Team name (one of yours: perth user list).")
    add_format(share)
    share.set_defaults(handler=run_share)
    unshare = actions.add_parser("unshare", help="Make a shared pane private again.",
                                 description="Make one of your shared panes private again (multi-user stores).")
    unshare.add_argument("name", help="Pane name.")
    add_format(unshare)
    unshare.set_defaults(handler=run_share, team="")
    meta = actions.add_parser("meta", help="Set or remove a pane's free key/values.",
                              description="Set KEY=VALUE pairs on a pane, or remove keys with --unset.")
    meta.add_argument("name", help="Pane name.")
    meta.add_argument("pairs", nargs="*", metavar="KEY=VALUE", help="Pairs to set.")
    meta.add_argument("--unset", action="append", default=[], metavar="KEY", help="A key to remove (repeatable).")
    add_format(meta)
    meta.set_defaults(handler=run_meta)


def _show_pane(ctx: CliContext, args: argparse.Namespace, pane_name: str, note: str = "") -> None:
    from perth.panes.service import get_pane
    from perth.views.document import Document, Note
    from perth.views.panes import pane_view

    rt = ctx.runtime()
    pane = get_pane(rt, pane_name, include_deleted=True)
    recent = rt.store.entries.latest([pane.id], per_pane=5)[pane.id]
    view = pane_view(pane, rt.store.entries.count(pane.id), recent)
    if note:
        view = Document(view.schema, view.data, view.title, (Note(note), *view.blocks))
    ctx.emit(view, args)


def run_create(args: argparse.Namespace, ctx: CliContext) -> int:
    """Create a pane."""
    from perth.panes.service import PaneSpec, create_pane, parse_assignments

    spec = PaneSpec(name=args.name, session=args.session, tab=args.tab, mux_kind=args.mux,
                    mux_pane_id=args.mux_pane_id, cwd=args.cwd, tags=tuple(args.tag),
                    meta=parse_assignments(args.meta, "--meta"), attach=not args.no_attach)
    pane = create_pane(ctx.runtime(), spec)
    _show_pane(ctx, args, pane.name, "Created.")  # under the title "Pane NAME"
    return 0


def run_share(args: argparse.Namespace, ctx: CliContext) -> int:
    """Share a pane with a team, or make it private."""
    from perth.panes.service import share_pane

    pane = share_pane(ctx.runtime(), args.name, args.team)
    _show_pane(ctx, args, pane.id, f"Shared with the team {pane.team}." if pane.team else "Private.")
    return 0


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List panes."""
    from perth.panes.service import list_panes
    from perth.views.panes import pane_list_view

    panes = list_panes(ctx.runtime(), statuses=args.status, tags=args.tag,
                       include_deleted=args.include_deleted)
    ctx.emit(pane_list_view(panes), args)
    return 0


def run_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show a pane."""
    name = args.name
    if not name:
        from perth.panes.resolve import resolve

        found = resolve(ctx.runtime())
        if found.pane is None:
            from perth.errors import NotFoundError

            raise NotFoundError(f"the current pane {found.name!r} ({found.detail}) is not registered",
                                "log an entry or run `perth pane create NAME`")
        name = found.name
    _show_pane(ctx, args, name)
    return 0


def run_rename(args: argparse.Namespace, ctx: CliContext) -> int:
    """Rename a pane."""
    from perth.panes.service import rename_pane

    pane = rename_pane(ctx.runtime(), args.old, args.new)
    _show_pane(ctx, args, pane.name, f"Renamed {args.old} to {pane.name}.")
    return 0


def run_tag(args: argparse.Namespace, ctx: CliContext) -> int:
    """Tag a pane."""
    from perth.errors import UsageError
    from perth.panes.service import tag_pane

    if not args.tags and not args.remove:
        raise UsageError("give tags to add or --remove TAG", "e.g. perth pane tag fix/auth urgent")
    pane = tag_pane(ctx.runtime(), args.name, args.tags, args.remove)
    _show_pane(ctx, args, pane.name, f"Tags of {pane.name}: {', '.join(pane.tags) or '(none)'}.")
    return 0


def run_meta(args: argparse.Namespace, ctx: CliContext) -> int:
    """Set pane meta."""
    from perth.errors import UsageError
    from perth.panes.service import parse_assignments, set_pane_meta

    if not args.pairs and not args.unset:
        raise UsageError("give KEY=VALUE pairs or --unset KEY", "e.g. perth pane meta fix/auth ticket=OPS-12")
    pane = set_pane_meta(ctx.runtime(), args.name, parse_assignments(args.pairs, "KEY=VALUE"), args.unset)
    _show_pane(ctx, args, pane.name, f"Updated meta of {pane.name}.")
    return 0


def run_status_change(args: argparse.Namespace, ctx: CliContext) -> int:
    """Close, archive or reopen a pane."""
    from perth.panes.service import set_pane_status

    status = STATUS_ACTIONS[args.action][0]
    pane = set_pane_status(ctx.runtime(), args.name, status)  # type: ignore[arg-type]
    _show_pane(ctx, args, pane.name, f"Pane {pane.name} is now {pane.status}.")
    return 0


def run_delete(args: argparse.Namespace, ctx: CliContext) -> int:
    """Soft-delete a pane."""
    from perth.panes.service import delete_pane
    from perth.views.document import Document, Note
    from perth.views.panes import plural

    pane, removed = delete_pane(ctx.runtime(), args.name)
    text = (f"Deleted pane {pane.name} and {plural(removed, 'entry', 'entries')}"
            " (soft delete; export --include-deleted keeps them).")
    ctx.emit(Document("perth.pane_deleted.v1", {"pane": pane.to_json(), "entries_deleted": removed},
                      blocks=[Note(text)]), args)
    return 0


def _mux_actions(actions: Any) -> None:
    text = "Focus the multiplexer pane registered under NAME, or create it (here or in --tab) and register it."
    opener = actions.add_parser("open", help="Focus or create the multiplexer pane of a Perth pane.",
                                description=text)
    opener.add_argument("name", help="Pane name.")
    opener.add_argument("--tab", help="Create it in this tab/window (a new one if none has this name).")
    add_format(opener)
    opener.set_defaults(handler=run_open)
    text = "Follow multiplexer renames, moves and closures in the pane registry (re-binding panes by name)."
    rec = actions.add_parser("reconcile", help="Sync the pane registry with the live tmux/Zellij panes.",
                             description=text)
    add_format(rec)
    rec.set_defaults(handler=run_reconcile)


def run_open(args: argparse.Namespace, ctx: CliContext) -> int:
    """Focus or create a pane's multiplexer pane."""
    from perth.mux.panes import open_pane
    from perth.mux.service import driver_for

    rt = ctx.runtime()
    pane, how = open_pane(rt, driver_for(rt), args.name, args.tab)
    _show_pane(ctx, args, pane.name, f"{how.capitalize()} {pane.mux_kind} pane {pane.mux_pane_id} for {pane.name}.")
    return 0


def run_reconcile(args: argparse.Namespace, ctx: CliContext) -> int:
    """Reconcile the registry with the multiplexer."""
    from perth.mux.panes import reconcile
    from perth.mux.service import driver_for
    from perth.views.document import Document, Note, Table

    rt = ctx.runtime()
    changes = reconcile(rt, driver_for(rt))
    rows = [(c.pane, c.change, c.detail) for c in changes]
    blocks = [Table(("pane", "change", "detail"), rows)] if rows else [Note("The registry matches the live panes.")]
    data = {"count": len(changes), "changes": [{"pane": c.pane, "change": c.change, "detail": c.detail}
                                               for c in changes]}
    ctx.emit(Document("perth.pane_reconcile.v1", data, title="Reconcile", blocks=blocks), args)
    return 0
