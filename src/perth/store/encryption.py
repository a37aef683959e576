"""Encrypting, decrypting and re-keying the SQLite data file (``perth store encrypt|decrypt|rekey``).

Each writes a complete copy with ``sqlcipher_export`` beside the file, under the store's
initialization lock and a write transaction on the original (no other writer meanwhile), then
renames it over the original: the file is always whole, under the old key or the new one.  A key
kept in the OS keyring is stored before the file changes and the old one kept as the previous key
(:mod:`perth.store.crypt` tries both), so a crash at any point leaves a file that opens.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from perth.store.crypt import (
    KEY_ENV,
    NEW_KEY_ENV,
    is_encrypted,
    key_literal,
    keyring_call,
    new_key,
    open_keyed,
    sqlcipher,
    store_keys,
)


def _export(source: Any, target: str, key: str | None, version: int) -> None:
    literal = key_literal(key) if key is not None else "''"
    source.execute(f"ATTACH DATABASE ? AS rewritten KEY {literal}", (target,))
    try:
        source.execute("SELECT sqlcipher_export('rewritten')")
        source.execute(f"PRAGMA rewritten.user_version = {int(version)}")
    finally:
        source.execute("DETACH DATABASE rewritten")


def rewrite(path: str, old_keys: list[str] | None, new_key: str | None, *, timeout_ms: int = 5000) -> None:
    """Copy the file under ``new_key`` (``None``: plain) and rename the copy over it.

    ``old_keys``: the keys of the current file (``None``: it is plain).  Writers are held off by the
    initialization lock and a write transaction on the original while the copy is made.
    """
    from perth.files import private_file
    from perth.store.sqlite_db import _init_lock

    module = sqlcipher()
    fresh = path + ".rewrite"
    for leftover in (fresh, fresh + "-journal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    def connection() -> Any:
        if old_keys is None:
            plain = module.connect(path, timeout=timeout_ms / 1000, isolation_level=None)
            plain.execute("PRAGMA cipher_log_level = NONE")
            return plain
        return open_keyed(path, old_keys, timeout=timeout_ms / 1000, isolation_level=None)

    with _init_lock(path, timeout_ms):
        source, holder = connection(), connection()
        try:
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            version = int(source.execute("PRAGMA user_version").fetchone()[0])
            holder.execute("BEGIN IMMEDIATE")  # no other writer until the copy has replaced the file
            try:
                private_file(fresh)
                _export(source, fresh, new_key, version)
                with open(fresh, "rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(fresh, path)
            finally:
                holder.execute("ROLLBACK")
        finally:
            source.close()
            holder.close()
            if os.path.exists(fresh):
                os.remove(fresh)
        for stale in (path + "-wal", path + "-shm"):  # the old file's; the new one starts without them
            if os.path.exists(stale):
                os.remove(stale)


def remember(path: str, key: str) -> None:
    """Keep ``key`` as the file's current key in the keyring, the current one becoming the previous."""
    name = os.path.abspath(path)
    current = keyring_call("get_password", name)
    if current and current != key:
        keyring_call("set_password", name + "#previous", current)
    keyring_call("set_password", name, key)


def forget(path: str) -> None:
    """Remove the file's keys from the keyring."""
    name = os.path.abspath(path)
    keyring_call("delete_password", name)
    keyring_call("delete_password", name + "#previous")


def _plain_store(path: str, timeout_ms: int) -> None:
    """Create (and migrate) the plain file first when it does not exist yet."""
    from perth.store.sqlite import SQLiteStore

    SQLiteStore(path, busy_timeout_ms=timeout_ms).close()


def encrypt(path: str, environ: Mapping[str, str], *, timeout_ms: int = 5000) -> str:
    """Encrypt a plain data file; returns where its key is (``env`` or ``keyring``)."""
    from perth.errors import ConflictError

    if is_encrypted(path):
        raise ConflictError(f"{path} is already encrypted",
                            "perth config set store.encryption sqlcipher; `perth store rekey` changes its key")
    _plain_store(path, timeout_ms)
    key = environ.get(KEY_ENV)
    source = "env" if key else "keyring"
    if not key:
        key = new_key()
        remember(path, key)  # before the file changes: a crash after the rename still finds its key
    try:
        rewrite(path, None, key, timeout_ms=timeout_ms)
    except BaseException:
        if source == "keyring":
            forget(path)
        raise
    return source


def decrypt(path: str, environ: Mapping[str, str], *, timeout_ms: int = 5000) -> str:
    """Turn an encrypted data file back into a plain one (and forget its keyring keys)."""
    from perth.errors import ConflictError

    if not is_encrypted(path):
        raise ConflictError(f"{path} is not encrypted", "perth config set store.encryption off")
    keys, source = store_keys(path, environ)
    rewrite(path, keys, None, timeout_ms=timeout_ms)
    if source == "keyring":
        forget(path)
    return source


def rotate(path: str, environ: Mapping[str, str], *, timeout_ms: int = 5000) -> str:
    """Re-encrypt the file under a new key: a random one kept in the keyring, or ``$PERTH_STORE_NEW_KEY``
    when the current key comes from ``$PERTH_STORE_KEY``."""
    from perth.errors import ConflictError, InvalidInputError

    if not is_encrypted(path):
        raise ConflictError(f"{path} is not encrypted", "run `perth store encrypt` first")
    keys, source = store_keys(path, environ)
    if source == "env":
        new = environ.get(NEW_KEY_ENV, "")
        if not new or new == keys[0]:
            raise InvalidInputError(f"the store's key comes from {KEY_ENV}: the new one must too",
                                    f"set {NEW_KEY_ENV} to the new key (e.g. `openssl rand -hex 32`), run `perth"
                                    f" store rekey`, then put the new key in {KEY_ENV}")
        rewrite(path, keys, new, timeout_ms=timeout_ms)
        return source
    new = new_key()
    name = os.path.abspath(path)
    previous = keyring_call("get_password", name + "#previous")
    remember(path, new)  # the old key becomes the previous one: whichever file survives a crash opens
    try:
        rewrite(path, keys, new, timeout_ms=timeout_ms)
    except BaseException:
        keyring_call("set_password", name, keys[0])
        if previous:
            keyring_call("set_password", name + "#previous", previous)
        raise
    return source
