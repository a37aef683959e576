"""Encryption at rest of the SQLite store (``store.encryption = "sqlcipher"``, the ``[crypt]`` extra).

The data file is a SQLCipher 4 database (AES-256 in CBC mode per page with an HMAC-SHA512 per
page, through the ``sqlcipher3`` module): readable with the ``sqlcipher`` shell and the key.

**The key** is 32 random bytes, given to SQLCipher as a raw key (``x'<64 hex digits>'``: no key
derivation at each open).  It comes from ``$PERTH_STORE_KEY`` (64 hex digits; any other text is
used as a passphrase, which SQLCipher stretches with PBKDF2 at every open) or else from the OS
keyring (service ``perth-store``, named by the data file's path), where ``perth store encrypt``
and ``perth store rekey`` put it.  While a key is rotated the keyring also keeps the previous one,
tried when the current one does not open the file, so a rotation interrupted between the two
steps never locks the store.

Changing the file (encrypt, decrypt, rekey) is :mod:`perth.store.encryption`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from perth.errors import PerthError, StoreError, UnavailableError

KEY_ENV = "PERTH_STORE_KEY"
NEW_KEY_ENV = "PERTH_STORE_NEW_KEY"
SERVICE = "perth-store"
INSTALL_HINT = "install the crypt extra: pip install 'perth[crypt]' (from a checkout: pip install '.[crypt]')"


class WrongStoreKeyError(StoreError):
    """The key does not open the encrypted data file (or the file is not encrypted)."""


def sqlcipher() -> Any:
    """The ``sqlcipher3`` DB-API module, or the error naming the extra."""
    try:
        import sqlcipher3
    except ImportError:
        raise UnavailableError("an encrypted store (SQLCipher) needs sqlcipher3, which is not installed",
                               INSTALL_HINT) from None
    return sqlcipher3


def key_literal(secret: str) -> str:
    """The ``PRAGMA key`` value of a secret: a raw key for 64 hex digits, else a quoted passphrase."""
    text = secret.strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return f"\"x'{text.lower()}'\""
    return "'" + secret.replace("'", "''") + "'"


def new_key() -> str:
    """A fresh random key as 64 hex digits."""
    import secrets

    return secrets.token_hex(32)


def keyring_call(action: str, *args: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError
    except ImportError:
        raise UnavailableError("the keyring package is not installed",
                               f"{INSTALL_HINT}, or set {KEY_ENV} to the store's key") from None
    try:
        result: str | None = getattr(keyring, action)(SERVICE, *args)
    except PasswordDeleteError:
        return None
    except KeyringError as exc:
        raise UnavailableError(f"the OS keyring is not usable here ({exc})",
                               f"set {KEY_ENV} to the store's key instead") from exc
    return result


def keyring_keys(path: str) -> list[str]:
    """The current and previous keys the keyring keeps for a data file."""
    found = [keyring_call("get_password", os.path.abspath(path)),
             keyring_call("get_password", os.path.abspath(path) + "#previous")]
    return [key for key in found if key]


def store_keys(path: str, environ: Mapping[str, str]) -> tuple[list[str], str]:
    """The keys to try on ``path`` and where they come from (``env`` or ``keyring``)."""
    given = environ.get(KEY_ENV)
    if given:
        return [given], "env"
    keys = keyring_keys(path)
    if not keys:
        raise WrongStoreKeyError(f"store.encryption is on but no key for {path} was found",
                                 f"set {KEY_ENV}, or run `perth store encrypt` to make one (kept in the OS"
                                 " keyring); `perth config set store.encryption off` if the file is not encrypted")
    return keys, "keyring"


def connect(path: str, key: str, *, timeout: float, **options: Any) -> Any:
    """A connection to an encrypted file, keyed and checked; a wrong key is one clear error."""
    module = sqlcipher()
    connection = module.connect(path, timeout=timeout, **options)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")  # errors are Perth's to report, not SQLCipher's log
        connection.execute(f"PRAGMA key = {key_literal(key)}")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.DatabaseError as exc:
        connection.close()
        if "not a database" in str(exc):
            raise WrongStoreKeyError(
                f"the key does not open {path} (a wrong key, or the file is not encrypted)",
                f"set {KEY_ENV} to the key the file was encrypted with; `perth store encrypt` encrypts a plain"
                " file") from None
        raise
    return connection


def open_keyed(path: str, keys: list[str], *, timeout: float, **options: Any) -> Any:
    """Try each key in turn (the keyring's current key, then the previous one)."""
    last: PerthError | None = None
    for key in keys:
        try:
            return connect(path, key, timeout=timeout, **options)
        except WrongStoreKeyError as exc:
            last = exc
    assert last is not None  # noqa: S101 - at least one key was tried
    raise last


def is_encrypted(path: str) -> bool:
    """Whether a file exists and is not a plain SQLite database (its header is not SQLite's)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except OSError:
        return False
    return len(header) == 16 and header != b"SQLite format 3\x00"


def cipher_version(path: str, keys: list[str]) -> str:
    """SQLCipher's version, read through a keyed connection (also proves the key opens the file)."""
    connection = open_keyed(path, keys, timeout=5)
    try:
        return str(connection.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        connection.close()
