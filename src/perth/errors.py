"""The Perth error tree and the exit codes the CLI maps it to.

Every failure Perth reports on purpose is a :class:`PerthError`.  Third-party
exceptions are translated into the most specific subclass at the boundary where
they occur (``raise ... from exc``); only the interfaces (CLI, web, MCP) turn an
error into an exit code or an HTTP status.

::

    PerthError                      exit 1   something is wrong; the message says how to fix it
    ├── UserError                   exit 1   the input is wrong
    │   ├── InvalidInputError                a value does not have the accepted shape
    │   ├── ConfigError                      config.toml / PERTH_* / flag is invalid
    │   ├── ForbiddenError                   another user's row on a multi-user store (HTTP 403)
    │   └── ConflictError                    the thing already exists (duplicate pane name, ...)
    │       └── StoreRaceError               another process wrote the same records meanwhile (retried)
    ├── UsageError                  exit 2   the command line itself is malformed
    ├── NotFoundError               exit 3   a pane, entry, key or file does not exist
    ├── StoreError                  exit 1   the data store cannot be used as it is
    │   ├── StoreCorruptError                the data file is not a Perth/SQLite database
    │   ├── SchemaTooNewError                written by a newer Perth
    │   ├── StoreReadOnlyError               the data directory or file is not writable
    │   ├── StoreFullError                   the disk (or quota) is full
    │   └── UnsupportedByStoreError          the configured store adapter lacks that port
    ├── ProviderRejectedError       exit 1   a provider refused the request (400, 401, 403, 404)
    ├── UnavailableError            exit 4   an external dependency is unavailable
    │   ├── StoreBusyError                   another writer held the store past the timeout
    │   ├── StoreUnreachableError            the store's server (PostgreSQL) cannot be reached
    │   ├── TransientError                   a timeout, connection error, 429 or 5xx: worth retrying
    │   └── CircuitOpenError                 a circuit breaker is open: failing fast without a call
    ├── GateFailedError             exit 5   a gate failed (secrets found, performance budget)
    └── CancelledByUserError        exit 130 the user interrupted the operation

Messages follow one format: ``<what is wrong> — <how to fix it>``; the CLI
prints them as ``perth: error: <message>``.
"""

from __future__ import annotations


class ExitCode:
    """Process exit codes shared by every Perth command (plain ints: no enum on the hot path)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    UNAVAILABLE = 4
    GATE_FAILED = 5
    INTERRUPTED = 130


class PerthError(Exception):
    """Root of every error Perth raises on purpose.

    ``what`` says what went wrong, ``fix`` how to fix it; both are one line.
    """

    exit_code: int = ExitCode.ERROR

    def __init__(self, what: str, fix: str = "") -> None:
        self.what = what
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message: ``what — fix``."""
        return f"{self.what} — {self.fix}" if self.fix else self.what


class UserError(PerthError):
    """The user's input is wrong."""


class InvalidInputError(UserError):
    """A value does not have the accepted shape."""


class ConfigError(UserError):
    """A configuration value, file or environment variable is invalid."""


class ConflictError(UserError):
    """The object already exists or the change contradicts the current state."""


class ForbiddenError(UserError):
    """The user who asks may not read or change this (a multi-user store: another user's row)."""


class StoreRaceError(ConflictError):
    """Another process changed the records a unit of work read before it committed (optimistic
    stores): the whole operation may be run again."""


class UsageError(PerthError):
    """The command line is malformed."""

    exit_code = ExitCode.USAGE


class NotFoundError(PerthError):
    """A pane, entry, key or file does not exist."""

    exit_code = ExitCode.NOT_FOUND


class StoreError(PerthError):
    """The data store cannot be used as it is."""


class StoreCorruptError(StoreError):
    """The data file is not a SQLite database Perth can read."""


class SchemaTooNewError(StoreError):
    """The data file was written by a newer version of Perth."""


class StoreReadOnlyError(StoreError):
    """The data directory or file cannot be written."""


class StoreFullError(StoreError):
    """The disk or quota holding the data file is full."""


class UnsupportedByStoreError(StoreError):
    """The configured store adapter does not offer the port an operation needs."""


class UnavailableError(PerthError):
    """An external dependency is unavailable (tmux, a broker, a provider, a locked store)."""

    exit_code = ExitCode.UNAVAILABLE


class StoreBusyError(UnavailableError):
    """Another process held the store's write lock past the busy timeout."""


class StoreUnreachableError(UnavailableError):
    """The store's server (PostgreSQL) cannot be reached."""


class TransientError(UnavailableError):
    """A failure worth retrying: timeout, connection error, HTTP 429 or 5xx.

    ``retry_after_s`` carries the server's ``Retry-After`` when it sent one.
    """

    def __init__(self, what: str, fix: str = "", *, retry_after_s: float | None = None) -> None:
        super().__init__(what, fix)
        self.retry_after_s = retry_after_s


class CircuitOpenError(UnavailableError):
    """A circuit breaker is open: the dependency failed repeatedly and is not called until it cools down."""


class ProviderRejectedError(PerthError):
    """A provider refused the request itself (HTTP 400, 401, 403, 404): retrying cannot help."""


class GateFailedError(PerthError):
    """A gate failed: secrets were found, a performance budget was exceeded."""

    exit_code = ExitCode.GATE_FAILED


class CancelledByUserError(PerthError):
    """The user interrupted the operation (Ctrl-C)."""

    exit_code = ExitCode.INTERRUPTED


__all__ = [
    "CancelledByUserError",
    "CircuitOpenError",
    "ConfigError",
    "ConflictError",
    "ExitCode",
    "InvalidInputError",
    "NotFoundError",
    "PerthError",
    "ProviderRejectedError",
    "SchemaTooNewError",
    "StoreBusyError",
    "StoreCorruptError",
    "StoreError",
    "StoreFullError",
    "StoreReadOnlyError",
    "TransientError",
    "UnavailableError",
    "UsageError",
    "UserError",
]
