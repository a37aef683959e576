"""The shipped fake transport: keeps what it is given in memory; can be cut or made to refuse."""

from __future__ import annotations

from perth.errors import TransientError
from perth.events.transports.port import EventRejectedError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.events.records import StoredEvent


class FakeTransport:
    """An in-memory broker: ``received`` holds every body delivered, duplicates included.

    ``down`` makes every publish fail as an outage would; ``refuse`` names event ids the broker
    rejects; ``fail_after`` cuts the connection after that many events of the next batch.
    """

    def __init__(self, name: str = "fake") -> None:
        self._name = name
        self.received: list[str] = []
        self.down = False
        self.refuse: set[str] = set()
        self.fail_after: int | None = None
        self.batches = 0

    @property
    def name(self) -> str:
        return self._name

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if self.down:
            raise TransientError(f"{self._name} is unreachable (fake outage)", "wait for it to come back")
        self.batches += 1
        for index, event in enumerate(events):
            if self.fail_after is not None and index >= self.fail_after:
                self.fail_after = None
                raise TransientError(f"{self._name} dropped the connection mid-batch", "it is retried")
            if event.id in self.refuse:
                raise EventRejectedError(index, f"{self._name} refused event {event.id}")
            self.received.append(event.body)

    def close(self) -> None:
        return None
