"""``perth snapshot save|list|show|diff|delete|pin|unpin|prune`` and ``perth restore``."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth snapshot`` (with its actions) or ``perth restore``."""
    if name == "restore":
        _restore(sub.add_parser(name, help=help_text, description=help_text + (
            " Windows and panes that already exist (matched by name) are reused, so running it twice changes"
            " nothing; commands re-run only when on mux.restore_commands.")))
        return
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Snapshots are redacted; identical consecutive snapshots and empty workspaces are never saved."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = _action(actions, "save", "Snapshot the multiplexer workspace now.", run_save)
    save.add_argument("name", nargs="?", help="A name (hand-named snapshots are never pruned; default auto-TIME).")
    scope = save.add_mutually_exclusive_group()
    scope.add_argument("--session", "-s", help="Only this session (default: the one this runs in, if any).")
    scope.add_argument("--all", action="store_true", help="Every session (the default outside tmux and Zellij).")
    _action(actions, "list", "List snapshots, newest first.", run_list)
    show = _action(actions, "show", "Show a snapshot's sessions, windows and panes.", run_show)
    show.add_argument("name", nargs="?", help="Snapshot name (default: the newest).")
    diff = _action(actions, "diff", "Windows and panes added, removed or changed between two snapshots.", run_diff)
    diff.add_argument("a", help="The older snapshot.")
    diff.add_argument("b", help="The newer snapshot.")
    delete = _action(actions, "delete", "Delete a snapshot.", run_delete)
    delete.add_argument("name", help="Snapshot name.")
    for verb, text in (("pin", "Pin a snapshot (never pruned)."), ("unpin", "Unpin a snapshot.")):
        pin = _action(actions, verb, text, run_pin)
        pin.add_argument("name", help="Snapshot name.")
        pin.set_defaults(pinned=verb == "pin")
    prune = _action(actions, "prune", "Drop automatic snapshots older than mux.prune_days, keeping mux.keep.",
                    run_prune)
    prune.add_argument("--keep", type=int, help="Always keep this many newest snapshots (default mux.keep).")
    prune.add_argument("--older-than", type=int, metavar="DAYS", help="Age in days (default mux.prune_days).")
    prune.add_argument("--dry-run", action="store_true", help="Only list what would be dropped.")


def _action(actions: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    add_format(parser)
    parser.set_defaults(handler=handler)
    return parser


def _restore(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="Snapshot to restore (default: the newest).")
    parser.add_argument("--session", "-s", metavar="NEW", help="Restore the (single) saved session under this name.")
    parser.add_argument("--dry-run", action="store_true", help="Print the plan; change nothing.")
    add_format(parser)
    parser.set_defaults(handler=run_restore)


def run_save(args: argparse.Namespace, ctx: CliContext) -> int:
    """Save a snapshot."""
    from perth.mux.service import current_session, driver_for, save
    from perth.mux.views import save_view

    rt = ctx.runtime()
    mux = driver_for(rt)
    session = args.session or (None if args.all else current_session(rt, mux))
    ctx.emit(save_view(save(rt, mux, name=args.name, session=session)), args)
    return 0


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List snapshots."""
    from perth.mux.views import list_view

    ctx.emit(list_view(ctx.runtime().store.snapshots.all()), args)
    return 0


def run_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show one snapshot."""
    from perth.mux.service import get
    from perth.mux.views import show_view

    ctx.emit(show_view(get(ctx.runtime(), args.name)), args)
    return 0


def run_diff(args: argparse.Namespace, ctx: CliContext) -> int:
    """Diff two snapshots."""
    from perth.mux.service import diff, get
    from perth.mux.views import diff_view

    rt = ctx.runtime()
    a, b = get(rt, args.a), get(rt, args.b)
    ctx.emit(diff_view(a, b, diff(a, b)), args)
    return 0


def run_delete(args: argparse.Namespace, ctx: CliContext) -> int:
    """Delete a snapshot."""
    from perth.mux.service import delete
    from perth.mux.views import changed_view

    snap = delete(ctx.runtime(), args.name)
    ctx.emit(changed_view("delete", [snap], f"Deleted snapshot {snap.name!r}."), args)
    return 0


def run_pin(args: argparse.Namespace, ctx: CliContext) -> int:
    """Pin or unpin a snapshot."""
    from perth.mux.service import pin
    from perth.mux.views import changed_view

    snap = pin(ctx.runtime(), args.name, args.pinned)
    verb = "pin" if args.pinned else "unpin"
    ctx.emit(changed_view(verb, [snap], f"{verb.capitalize()}ned snapshot {snap.name!r}."), args)
    return 0


def run_prune(args: argparse.Namespace, ctx: CliContext) -> int:
    """Prune old automatic snapshots."""
    from perth.mux.service import prune
    from perth.mux.views import changed_view

    dropped = prune(ctx.runtime(), keep=args.keep, days=args.older_than, dry_run=args.dry_run)
    note = f"{'Would drop' if args.dry_run else 'Dropped'} {len(dropped)} automatic snapshot(s)."
    ctx.emit(changed_view("prune", dropped, note), args)
    return 0


def run_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    """Restore a snapshot (or print its plan)."""
    from perth.mux.execute import RestoreFailedError, restore
    from perth.mux.service import attach_hint, driver_for, get
    from perth.mux.views import restore_view

    rt = ctx.runtime()
    snap = get(rt, args.name)
    mux = driver_for(rt)
    try:
        report = restore(rt, mux, snap, rename=args.session, dry_run=args.dry_run)
    except RestoreFailedError as exc:
        ctx.emit(restore_view(exc.report), args)
        raise
    ctx.emit(restore_view(report), args)
    hint = None if args.dry_run else attach_hint(rt, mux, report)
    if hint:
        print(f"perth: attach with: {hint}", file=sys.stderr)
    return 0
