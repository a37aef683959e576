"""``perth user add|list|role|remove`` and ``perth token create|list|revoke``: who may use the interfaces."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ROLES_HELP = ("viewer (reads), operator (reads; retries jobs and dead-lettered events), approver (reads;"
              " approves or rejects workflow steps), admin (everything)")


def _action(actions: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    add_format(parser)
    parser.set_defaults(handler=handler)
    return parser


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth user`` or ``perth token``."""
    if name == "token":
        _register_token(sub, name, help_text)
        return
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " A user's name is their identity in workflow approvals; their role says what their tokens may do: "
        + ROLES_HELP + "."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = _action(actions, "add", "Add a user with a role.", add_user)
    add.add_argument("name", help="User name (letters, digits, . _ - @).")
    add.add_argument("--role", required=True, choices=("viewer", "operator", "approver", "admin"),
                     help="What the user's tokens may do.")
    add.add_argument("--team", action="append", default=[], metavar="TEAM",
                     help="A team the user is in (repeatable): on a multi-user store they read its shared panes.")
    _action(actions, "list", "List users, their roles and live tokens.", list_users)
    role = _action(actions, "role", "Change a user's role.", set_role)
    role.add_argument("name", help="User name.")
    role.add_argument("role", choices=("viewer", "operator", "approver", "admin"), help="The new role.")
    _action(actions, "remove", "Remove a user and revoke every token of theirs.", remove_user).add_argument(
        "name", help="User name.")
    for verb, text in (("join", "Add a user to a team: they read the panes shared with it."),
                       ("leave", "Take a user out of a team.")):
        team = _action(actions, verb, text, join_team)
        team.add_argument("name", help="User name.")
        team.add_argument("team", help="Team name (letters, digits, . _ - @).")


def _register_token(sub: Any, name: str, help_text: str) -> None:
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " A token is shown once, when created; only a hash of it is stored."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = _action(actions, "create", "Create a bearer token for a user (printed once).", create_token)
    create.add_argument("user", help="User name.")
    create.add_argument("--label", default="", help="What the token is for (shown in `perth token list`).")
    create.add_argument("--days", type=int, help="Expire after this many days (default: never).")
    listing = _action(actions, "list", "List tokens (ids, users, state; never the tokens).", list_tokens)
    listing.add_argument("--user", help="Only this user's tokens.")
    _action(actions, "revoke", "Revoke a token (by id, or the token itself).", revoke_token).add_argument(
        "id", help="Token id (see `perth token list`).")


def add_user(args: argparse.Namespace, ctx: CliContext) -> int:
    """Add a user."""
    from perth.identity.service import add_user as add
    from perth.identity.views import user_view
    from perth.workflows.service import local_user

    ctx.emit(user_view(add(ctx.runtime(), args.name, args.role, by=local_user(), teams=tuple(args.team)), "add"),
             args)
    return 0


def join_team(args: argparse.Namespace, ctx: CliContext) -> int:
    """Add a user to a team, or take them out."""
    from perth.identity.service import join_team as join
    from perth.identity.views import user_view

    ctx.emit(user_view(join(ctx.runtime(), args.name, args.team, leave=args.action == "leave"), args.action), args)
    return 0


def list_users(args: argparse.Namespace, ctx: CliContext) -> int:
    """List users."""
    from perth.identity.service import list_users as listed
    from perth.identity.views import user_list_view

    ctx.emit(user_list_view(listed(ctx.runtime())), args)
    return 0


def set_role(args: argparse.Namespace, ctx: CliContext) -> int:
    """Change a user's role."""
    from perth.identity.service import set_role as change
    from perth.identity.views import user_view

    ctx.emit(user_view(change(ctx.runtime(), args.name, args.role), "role"), args)
    return 0


def remove_user(args: argparse.Namespace, ctx: CliContext) -> int:
    """Remove a user."""
    from perth.identity.service import remove_user as remove
    from perth.identity.views import user_view

    ctx.emit(user_view(remove(ctx.runtime(), args.name), "remove"), args)
    return 0


def create_token(args: argparse.Namespace, ctx: CliContext) -> int:
    """Create a token and show it once."""
    from perth.identity.service import create_token as create
    from perth.identity.views import token_created_view

    rt = ctx.runtime()
    record, secret = create(rt, args.user, label=args.label, days=args.days)
    ctx.emit(token_created_view(record, secret, rt.clock()), args)
    return 0


def list_tokens(args: argparse.Namespace, ctx: CliContext) -> int:
    """List tokens."""
    from perth.identity.service import list_tokens as listed
    from perth.identity.views import token_list_view

    rt = ctx.runtime()
    ctx.emit(token_list_view(listed(rt, args.user), rt.clock()), args)
    return 0


def revoke_token(args: argparse.Namespace, ctx: CliContext) -> int:
    """Revoke a token."""
    from perth.identity.service import revoke_token as revoke
    from perth.identity.views import token_view

    rt = ctx.runtime()
    ctx.emit(token_view(revoke(rt, args.id), "revoke", rt.clock()), args)
    return 0
