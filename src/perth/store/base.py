"""What every store adapter's unit of work shares: ports built on first use, one transaction
across them, and a clear error for a port the adapter does not offer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from perth.errors import UnsupportedByStoreError
from perth.store.ports import PORTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from typing import Any, Protocol, Self

    class Connection(Protocol):
        """The adapter's connection: a nestable transaction and a close."""

        def transaction(self) -> AbstractContextManager[object]: ...
        def close(self) -> None: ...


class PortedStore:
    """The Store port's shared behaviour; an adapter sets ``adapter``, ``capabilities``, ``db`` and
    builds a port's adapter in :meth:`_build`."""

    adapter = ""
    capabilities: frozenset[str] = frozenset()
    #: How to fix a request for a port this adapter does not offer.
    unsupported_hint = "use a store adapter that offers it (see docs/team.md)"
    db: Connection

    def _build(self, name: str) -> object:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        """Build a port's adapter on first use (its module is imported only then)."""
        if name not in PORTS:
            raise AttributeError(name)
        if name not in self.capabilities:
            raise UnsupportedByStoreError(f"the {name} port is not supported by the {self.adapter} store",
                                          self.unsupported_hint)
        repo = self._build(name)
        setattr(self, name, repo)
        return repo

    def unit(self) -> AbstractContextManager[Self]:
        """A unit of work: every port call inside commits or rolls back together (nestable)."""
        return _unit(self)

    def bulk(self) -> AbstractContextManager[object]:
        """Many units of work in a row (an ingest, an import): the adapter may defer housekeeping to the
        end (SQLite: one WAL checkpoint after the last unit instead of one every 1,000 pages)."""
        bulk: Callable[[], AbstractContextManager[object]] | None = getattr(self.db, "bulk", None)
        return bulk() if bulk is not None else nullcontext()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()


@contextmanager
def _unit(store: Any) -> Iterator[Any]:
    with store.db.transaction():
        yield store
