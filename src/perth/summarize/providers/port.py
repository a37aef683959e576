"""The provider port: one verb, ``complete``."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.resilience.policy import Timeouts
    from perth.summarize.model import Completion, Prompt


class Provider(Protocol):
    """Sends a prompt to a model and parses the reply.

    Raises :class:`perth.errors.TransientError` for timeouts, connection errors, HTTP 429
    (with ``retry_after_s``) and 5xx; :class:`perth.errors.ProviderRejectedError` for 400,
    401, 403 and 404.  A reply that cannot be parsed is returned as text with a warning.
    """

    name: str
    model: str

    def complete(self, prompt: Prompt, timeouts: Timeouts) -> Completion:
        """One request, one reply; no retries here (the caller owns them)."""
        ...
