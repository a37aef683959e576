"""Where the sync key comes from: the passphrase, or the OS keyring.

The passphrase is read from ``$PERTH_SYNC_PASSPHRASE`` or typed at a prompt; the master key derived
from it may be kept in the OS keyring (the ``keyring`` package: Secret Service, macOS Keychain,
Windows Credential Locker) under the service ``perth-sync``, so later commands need no passphrase.
The :class:`KeyStore` port has the OS keyring adapter and an in-memory fake for tests.
"""

from __future__ import annotations

import base64
from typing import Protocol

from perth.sync.errors import SyncKeyError

PASSPHRASE_ENV = "PERTH_SYNC_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret
SERVICE = "perth-sync"


class KeyStore(Protocol):
    """A place for secrets outside Perth's files."""

    def get(self, name: str) -> str | None:
        """The secret stored under ``name``."""

    def put(self, name: str, value: str) -> None:
        """Store a secret."""

    def delete(self, name: str) -> None:
        """Forget a secret (absent is fine)."""


class MemoryKeyStore:
    """Secrets in a dict (tests)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        """A stored secret."""
        return self.secrets.get(name)

    def put(self, name: str, value: str) -> None:
        """Store."""
        self.secrets[name] = value

    def delete(self, name: str) -> None:
        """Forget."""
        self.secrets.pop(name, None)


class OsKeyring:
    """The OS keyring through the ``keyring`` package (its configured backend)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def _call(self, action: str, *args: str) -> str | None:
        try:
            import keyring
            from keyring.errors import KeyringError
        except ImportError:
            raise SyncKeyError("the keyring package is not installed",
                               "install the sync extra (pip install 'perth[sync]'), or set "
                               f"{PASSPHRASE_ENV} and pass --key-store none") from None
        try:
            result: str | None = getattr(keyring, action)(self.service, *args)
        except KeyringError as exc:
            raise SyncKeyError(f"the OS keyring is not usable here ({exc})",
                               f"set {PASSPHRASE_ENV} for each sync and pass --key-store none to init") from exc
        return result

    def get(self, name: str) -> str | None:
        """The secret under ``name``."""
        return self._call("get_password", name)

    def put(self, name: str, value: str) -> None:
        """Store a secret."""
        self._call("set_password", name, value)

    def delete(self, name: str) -> None:
        """Forget a secret."""
        import contextlib

        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            self._call("delete_password", name)


def encode_key(master: bytes) -> str:
    """How a master key is kept in a key store."""
    return base64.b64encode(master).decode()


def decode_key(text: str) -> bytes:
    """The master key from its stored form."""
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise SyncKeyError("the sync key stored in the keyring is damaged",
                           "run `perth sync init` again with the passphrase") from exc
