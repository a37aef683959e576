"""``perth sync``: an encrypted personal store shared between machines through a server."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.sync.keys import KeyStore


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth sync init|push|pull|now|status|leave``."""
    parser = sub.add_parser(name, help=help_text, description=help_text + " Panes, intent entries and captured"
                            " commands sync; the server only ever holds ciphertext ([sync] extra).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="Create a vault on the server, or join one with its passphrase.",
        description="Make this home sync through a server: create the vault (first machine) or join it (the"
                    " others, with the same passphrase). The passphrase comes from $PERTH_SYNC_PASSPHRASE or is"
                    " typed; the key derived from it (Argon2id) is kept in the OS keyring unless --key-store none.")
    init.add_argument("--server", required=True, metavar="URL",
                      help="postgresql://user@host:5432/db (add ?table=NAME to pick the table; default perth_sync).")
    init.add_argument("--vault", default="default", help="The vault's name on the server (default: default).")
    init.add_argument("--key-store", choices=("keyring", "none"), default="keyring",
                      help="Where to keep the key: the OS keyring (default), or nowhere ($PERTH_SYNC_PASSPHRASE"
                           " then needed for each sync).")
    add_format(init)
    init.set_defaults(handler=run_init)
    for action, text in (("push", "Send what changed here since the last sync."),
                         ("pull", "Apply what other machines sent since the last pull."),
                         ("now", "Pull, then push: both machines agree once each has run it.")):
        command = actions.add_parser(action, help=text, description=text + " Conflicting edits are resolved"
                                     " the same way on every machine (the newer edit wins) and reported.")
        add_format(command)
        command.set_defaults(handler=run_sync)
    state = actions.add_parser("status", help="The vault, the server, what changed here, conflicts resolved.",
                               description="Where this home stands; needs no key.")
    add_format(state)
    state.set_defaults(handler=run_status)
    leave = actions.add_parser("leave", help="Stop syncing this home (forgets its sync state and stored key).",
                               description="Forget this home's sync state and its key in the keyring. The"
                                           " store and the server's rows are left as they are.")
    leave.set_defaults(handler=run_leave)


def _key_store() -> KeyStore:
    from perth.sync.keys import OsKeyring

    return OsKeyring()


def _prompt(question: str, confirm: bool) -> str | None:
    import getpass
    import sys

    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(question)
    if confirm and getpass.getpass("Again: ") != first:
        from perth.sync.errors import SyncKeyError

        raise SyncKeyError("the two passphrases differ", "run the command again")
    return first


def _require_extra() -> None:
    from perth.extras import missing_extra, module_available

    if not module_available("nacl"):
        raise missing_extra("perth sync", "sync")


def run_init(args: argparse.Namespace, ctx: CliContext) -> int:
    """Create or join the vault."""
    from perth.sync import service
    from perth.views.sync import init_view

    _require_extra()
    rt = ctx.runtime()
    report = service.init(rt, args.server, vault=args.vault,
                          key_store=_key_store() if args.key_store == "keyring" else None, prompt=_prompt)
    ctx.emit(init_view(report), args)
    return 0


def run_sync(args: argparse.Namespace, ctx: CliContext) -> int:
    """Push, pull or both."""
    from perth.sync import service
    from perth.views.sync import run_view

    _require_extra()
    report = service.run(ctx.runtime(), args.action, _key_store(), _prompt)
    ctx.emit(run_view(args.action, report), args)
    return 0


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    """Report."""
    from perth.sync import service
    from perth.views.sync import status_view

    ctx.emit(status_view(service.status(ctx.runtime())), args)
    return 0


def run_leave(args: argparse.Namespace, ctx: CliContext) -> int:
    """Forget."""
    from perth.sync import service

    vault = service.leave(ctx.runtime(), _key_store())
    print(f"this home no longer syncs vault {vault!r}" if vault else "this home did not sync")
    return 0
