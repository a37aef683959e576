"""``perth store``: operations on the store itself (``migrate``; ``encrypt``, ``decrypt``, ``rekey``)."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth store migrate``."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    migrate = actions.add_parser(
        "migrate", help="Copy everything this store holds into another one, then verify counts and checksums.",
        description="Copy everything the configured store holds into the store at --to (a postgresql:// or"
                    " redis:// URL, or a SQLite file path), then verify every part by count and checksum."
                    " Re-running copies only what is missing or different. Parts the target cannot hold"
                    " are reported and skipped.")
    migrate.add_argument("--to", required=True, metavar="URL", help="The target store (created if needed).")
    migrate.add_argument("--dry-run", action="store_true", help="Report what would move; write nothing.")
    add_format(migrate)
    migrate.set_defaults(handler=run_migrate)
    for action, text, detail in (
            ("encrypt", "Encrypt the SQLite file at rest (SQLCipher) and set store.encryption = sqlcipher.",
             "The key is $PERTH_STORE_KEY when set (64 hex digits, or a passphrase), else a new random key kept"
             " in the OS keyring. The file is rewritten whole and renamed over the old one. Needs the [crypt]"
             " extra."),
            ("decrypt", "Turn the encrypted SQLite file back into a plain one and set store.encryption = off.",
             "Its keys are removed from the OS keyring."),
            ("rekey", "Re-encrypt the SQLite file under a new key (key rotation).",
             "A new random key replaces the one in the OS keyring (the old one is kept as the previous key);"
             " when the key comes from $PERTH_STORE_KEY, the new one comes from $PERTH_STORE_NEW_KEY.")):
        command = actions.add_parser(action, help=text, description=f"{text} {detail}")
        add_format(command)
        command.set_defaults(handler=run_encryption)


def run_migrate(args: argparse.Namespace, ctx: CliContext) -> int:
    """Copy, verify and report; exit 1 when a part does not match after the copy, or when the target
    could not hold records the source has."""
    from perth.errors import InvalidInputError, StoreError
    from perth.store import open_location
    from perth.store.transfer import migrate
    from perth.views.store import migrate_view

    rt = ctx.runtime()
    target = open_location(args.to, timeout_ms=rt.settings.store.busy_timeout_ms, driver=rt.settings.store.pg_driver)
    try:
        if target.info().location == rt.store.info().location:
            raise InvalidInputError("the target is the store in use", "pass the URL or path of another store")
        report = migrate(rt.store, target, dry_run=args.dry_run)
    finally:
        target.close()
    ctx.emit(migrate_view(report), args)
    if args.dry_run:
        return 0
    mismatched = [p.part for p in report.parts if p.status == "mismatch"]
    if mismatched:
        raise StoreError(f"the target does not match the source for: {', '.join(mismatched)}",
                         "see the report; a target holding rows the source lacks must be emptied first")
    if report.skipped:
        counts = {p.part: p.source_count for p in report.parts}
        named = ", ".join(f"{part} ({counts[part]})" for part in report.skipped)
        raise StoreError(f"copied and verified what the target can hold; it has no port for: {named}",
                         "keep the source, or copy into a SQLite or PostgreSQL store to keep them all")
    return 0


def run_encryption(args: argparse.Namespace, ctx: CliContext) -> int:
    """Encrypt, decrypt or rekey the SQLite file, and record the setting."""
    from perth.config import database_path, load_settings, set_value
    from perth.errors import InvalidInputError
    from perth.store import crypt, encryption
    from perth.views.document import Document, Fields, Note

    settings = load_settings(ctx.paths, ctx.environ, ctx.overrides)
    if settings.store.url.strip():
        raise InvalidInputError("encryption at rest is for the SQLite file, and store.url names a server store",
                                "encrypt the server's storage, or unset store.url")
    crypt.sqlcipher()
    path = database_path(settings)
    timeout = settings.store.busy_timeout_ms
    source = {"encrypt": encryption.encrypt, "decrypt": encryption.decrypt, "rekey": encryption.rotate}[args.action](
        path, ctx.environ, timeout_ms=timeout)
    encrypted = args.action != "decrypt"
    set_value(settings.config_file, "store.encryption", "sqlcipher" if encrypted else "off")
    where = {"env": f"${crypt.KEY_ENV}", "keyring": "the OS keyring"}[source]
    note = {"encrypt": f"Encrypted; the key is in {where}.",
            "decrypt": "Decrypted: the file is plain SQLite again.",
            "rekey": f"Re-encrypted under a new key, in {where}" + (
                f" (now put $PERTH_STORE_NEW_KEY's value in ${crypt.KEY_ENV})." if source == "env" else ".")}
    data = {"action": args.action, "path": path, "encrypted": encrypted, "key_source": source}
    ctx.emit(Document("perth.store.encryption.v1", data, title="Store encryption",
                      blocks=[Fields([("file", path), ("encrypted", "yes" if encrypted else "no")]),
                              Note(note[args.action])]), args)
    return 0
