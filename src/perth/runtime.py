"""The runtime a Perth operation runs in: settings, store, secret filter, environment.

Interfaces (CLI, web, MCP) build one :class:`Runtime` per request or process and
pass it to the capability functions.  The store and the secret filter open
lazily, so a command that needs neither pays for neither.  :meth:`Runtime.close`
persists the filter's per-rule counters and closes the store.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

from perth.clock import now_ms
from perth.text import escape_undecodable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from contextlib import AbstractContextManager

    from perth.config import Settings
    from perth.identity.model import Principal
    from perth.records import Visibility
    from perth.redact import Redacted, SecretFilter
    from perth.store.port import Store
    from perth.tracing import Span, SpanValue


#: The principal of the HTTP request being served (set by the web and MCP servers' token checks): a runtime
#: made while serving it acts for them.
ACTING: ContextVar[Principal | None] = ContextVar("perth_acting", default=None)


class Runtime:
    """Everything an operation needs from its surroundings."""

    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None, cwd: str | None = None,
                 clock: Callable[[], int] = now_ms, principal: Principal | None = None) -> None:
        self.settings = settings
        self.environ: Mapping[str, str] = dict(os.environ) if environ is None else environ
        self.cwd = escape_undecodable(os.getcwd() if cwd is None else os.fspath(cwd))
        self.clock = clock
        self._store: Store | None = None
        self._whole: Store | None = None
        self._filter: SecretFilter | None = None
        self._principal = principal if principal is not None else ACTING.get()

    @property
    def store(self) -> Store:
        """The store, opened (and migrated) on first use; on a multi-user store (``store.multi_user``), as the
        principal sees it (:mod:`perth.store.scoped`)."""
        if self._store is None:
            whole = self.whole_store
            if self.settings.store.multi_user:
                from perth.store.scoped import ScopedStore, check_owners

                check_owners(whole)  # before the principal is looked up in a store without users
                self._store = ScopedStore(whole, self.visibility())
            else:
                self._store = whole
        return self._store

    @property
    def whole_store(self) -> Store:
        """The store with every user's rows: for users and tokens, metrics and the store's own maintenance."""
        if self._whole is None:
            from perth.store import open_store

            self._whole = open_store(self.settings, self.environ)
        return self._whole

    @property
    def principal(self) -> Principal | None:
        """Who acts: the principal given (a request's), else the owner of ``store.token`` on a multi-user store."""
        if self._principal is None and self.settings.store.multi_user and self.settings.get("store.token"):
            from perth.identity.tokens import authenticate_in

            self._principal = authenticate_in(self.whole_store.users, str(self.settings.get("store.token")),
                                              self.clock())
            if self._principal is None:
                from perth.errors import ConfigError

                raise ConfigError("store.token is not a live token of this store",
                                  "ask an admin for a new one (perth token create YOU) and set store.token")
        return self._principal

    @property
    def owner(self) -> str:
        """Who owns what this runtime records: the signed-in user on a multi-user store, else nobody (``""``)."""
        return self.visibility().user if self.settings.store.multi_user else ""

    def visibility(self) -> Visibility:
        """What the principal may read on a multi-user store (ConfigError without one)."""
        from perth.records import Visibility

        principal = self.principal
        if principal is None:
            from perth.errors import ConfigError

            raise ConfigError("this store is multi-user (store.multi_user) and no user is signed in",
                              "set store.token (or $PERTH_STORE__TOKEN) to your token from `perth token create YOU`")
        return Visibility(user=principal.name, teams=principal.teams)

    @property
    def secret_filter(self) -> SecretFilter:
        """The secret filter configured from ``[redact]``."""
        if self._filter is None:
            from perth.redact import SecretFilter

            redact = self.settings.redact
            self._filter = SecretFilter(enabled=redact.enabled, extra_patterns=redact.extra_patterns,
                                        allow_patterns=redact.allow_patterns)
        return self._filter

    def redact(self, text: str, source: str) -> Redacted:
        """Pass captured text through the secret filter before it is stored or shown (text that already
        passed it, a :class:`~perth.redact.Redacted`, is returned as it is: an ingest's event payload
        carries the commands it just redacted)."""
        secret_filter = self.secret_filter
        from perth.redact.redacted import Redacted

        if type(text) is Redacted:
            return text
        return secret_filter.redact(text, source=source)

    def redact_optional(self, text: str | None, source: str) -> str | None:
        """:meth:`redact` for optional fields."""
        return None if text is None else self.redact(text, source)

    def span(self, name: str, attributes: Mapping[str, SpanValue] | None = None) -> AbstractContextManager[Span]:
        """An OpenTelemetry span around an operation worth tracing (``trace.exporter``; a no-op
        when tracing is off).  Attribute text must have been through :meth:`redact`."""
        from perth import tracing

        return tracing.span(tracing.tracer_for(self.settings), name, attributes)

    def flush_counters(self) -> None:
        """Persist the secret filter's per-rule counters (never the secrets)."""
        if self._filter is None:
            return
        counts = self._filter.drain_counts()
        if counts:
            self.whole_store.redaction_stats.add(counts, self.clock())

    def close(self) -> None:
        """Flush counters and close the store."""
        try:
            self.flush_counters()
        finally:
            if self._whole is not None:
                self._whole.close()
            self._store = self._whole = None
