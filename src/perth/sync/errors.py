"""The errors of ``perth sync``: each says what is wrong and how to fix it."""

from __future__ import annotations

from perth.errors import PerthError, UnavailableError, UserError


class SyncKeyError(UserError):
    """The passphrase (or stored key) does not open the vault, or no key is available."""


class SyncTamperedError(PerthError):
    """A record from the server failed authentication: altered, truncated or not from this vault."""


class SyncServerError(UnavailableError):
    """The sync server cannot be reached or refused the request."""


class SyncNotConfiguredError(UserError):
    """``perth sync`` was run before ``perth sync init``."""
