"""The entries port: intent entries of panes (C1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from perth.records import Entry, EntryQuery


def in_pages(query: Callable[[EntryQuery], list[Entry]], pane_ids: Sequence[str] = (), *,
             include_deleted: bool = False, page: int = 1000) -> Iterator[Entry]:
    """Every entry ``query`` answers for these panes, oldest first, read a page at a time (``stream``)."""
    cursor: tuple[int, str] | None = None
    while True:
        found = query(EntryQuery(pane_ids=tuple(pane_ids), limit=page, include_deleted=include_deleted,
                                 cursor=cursor, oldest_first=True))
        yield from found
        if len(found) < page:
            return
        cursor = (found[-1].ts, found[-1].id)


class EntryRepo(Protocol):
    """Persistence of intent entries."""

    def add(self, entry: Entry) -> None:
        """Insert a new entry."""

    def update(self, entry: Entry) -> None:
        """Replace an entry's fields by id."""

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """One entry by full id."""

    def find_ids(self, suffix: str, *, limit: int = 2) -> list[str]:
        """Ids of entries ending with ``suffix`` (short ids are the random tail of a UUIDv7)."""

    def query(self, query: EntryQuery) -> list[Entry]:
        """Entries matching the query, newest first unless ``oldest_first``."""

    def latest(self, pane_ids: Sequence[str], *, types: Sequence[str] = (),
               per_pane: int = 1) -> dict[str, list[Entry]]:
        """The newest live entries of each pane (optionally of some types only)."""

    def stream(self, pane_ids: Sequence[str] = (), *, include_deleted: bool = False) -> Iterator[Entry]:
        """Every entry (oldest first), streamed; for exports."""

    def count(self, pane_id: str | None = None) -> int:
        """How many live entries a pane (or the whole store) has."""
