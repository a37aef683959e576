"""The transport port: publish a batch of events, in order, each confirmed by the broker.

``publish`` returns only when the broker has confirmed every event of the batch (publisher
confirms, JetStream acks, MQTT PUBACK, Redis replies, HTTP 2xx).  It raises
:class:`perth.errors.TransientError` when the broker cannot be reached (the whole batch is tried
again later: at-least-once, the event id de-duplicates) and :class:`EventRejectedError` when the
broker refuses one event (those before it were confirmed).
"""

from __future__ import annotations

from typing import Protocol

from perth.errors import ProviderRejectedError, UnavailableError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.events.records import StoredEvent


class EventRejectedError(ProviderRejectedError):
    """The broker refused the event at ``index`` of the batch; the ones before it were delivered."""

    def __init__(self, index: int, what: str, fix: str = "") -> None:
        super().__init__(what, fix or "see `perth events dlq list`; fix the cause, then `perth events dlq retry`")
        self.index = index


class Transport(Protocol):
    """One broker (or endpoint) events are delivered to."""

    @property
    def name(self) -> str:
        """The transport's name in ``events.transports`` (``rabbitmq``, ``nats``...)."""

    def publish(self, events: Sequence[StoredEvent]) -> None:
        """Deliver ``events`` in order, returning once the broker confirmed all of them."""

    def close(self) -> None:
        """Release the connection (publish reconnects when called again)."""


def missing_extra(transport: str, module: str) -> UnavailableError:
    """The one-line error of a transport whose client library is not installed."""
    return UnavailableError(f"the {transport} events transport needs {module}, which is not installed",
                            "pip install 'perth[brokers]', or remove it from events.transports")
