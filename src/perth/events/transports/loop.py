"""One private asyncio loop per transport whose client library is asynchronous (aio-pika, nats-py).

The dispatcher is synchronous; :class:`LoopRunner` keeps one loop (and so one connection) alive
between rounds and runs a coroutine to completion under a time limit.
"""

from __future__ import annotations

import asyncio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any, TypeVar

    T = TypeVar("T")


class LoopRunner:
    """Runs coroutines on a loop of its own, each within ``timeout_s``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        if timeout_s is None:
            return self.loop.run_until_complete(coro)
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout_s))

    def close(self) -> None:
        if not self.loop.is_closed():
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
