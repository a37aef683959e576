"""Which records sync, and how each kind is read from, compared with and written to a store.

A user running Perth on a laptop and a desktop expects the same **panes**, **intent entries**
(edits and soft deletions included) and **captured shell commands** on both: those sync.  What
describes one machine stays on it: spool cursors, redaction counters, circuit breakers, shell
start-up measurements, workspace snapshots (tmux layouts of that machine), LLM call records, jobs,
workflows, and derived data (search and code indexes, rebuilt locally; journal sessions, computed
from the entries and commands that did sync).

Each kind is read whole through its port's everything read (as :mod:`perth.store.transfer` does).
A record's *data* is its plain JSON without derived fields (the pane name an entry or command
shows is joined from its pane, so renaming a pane does not make every entry look changed); its
*fingerprint* is a hash of the same fields.  Commands are immutable: one is sent once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from perth.store.transfer_parts import plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.record import Record
    from perth.store.port import Store


def canonical_data(data: dict[str, Any]) -> str:
    """:func:`perth.store.transfer_parts.canonical` of data that is plain JSON values already (no walk)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(kind: Kind, record: Any) -> str:
    """A short SHA-256 of the record's synced fields (what "changed since the last sync" compares).

    It hashes the ``repr`` of the field values (maps as sorted pairs), which is stable for the
    strings, integers, ``None`` and tuples records hold, and several times cheaper than canonical
    JSON: a push fingerprints every record of the store.
    """
    values = []
    for name in type(record)._fields:
        if name in kind.derived:
            continue
        value = getattr(record, name)
        if isinstance(value, Mapping):
            value = tuple(sorted(value.items()))
        values.append(value)
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


class Kind(NamedTuple):
    """How one kind of record syncs."""

    name: str
    port: str
    read: Callable[[Store], Iterable[Any]]
    data: Callable[[Any], dict[str, Any]]
    edited: Callable[[Any], int]
    build: Callable[[dict[str, Any]], Any]
    immutable: bool = False
    derived: frozenset[str] = frozenset()  # fields joined from elsewhere: not synced


_SCALARS = (str, int, float, bool, type(None))


def _value(value: object) -> object:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [_value(item) for item in value]  # type: ignore[attr-defined]
    return plain(value)  # mappings, nested records: the general (slower) path


def _without(record: Record, *names: str) -> dict[str, Any]:
    """The record's fields as plain JSON values (what :func:`perth.store.transfer_parts.plain` gives,
    without its isinstance checks on the common scalar and tuple fields), less ``names``."""
    return {name: _value(getattr(record, name)) for name in type(record)._fields if name not in names}


def _tuples(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {**data, **{name: tuple(data.get(name) or ()) for name in names}}


def _read_panes(store: Store) -> list[Any]:
    from perth.records import PaneQuery

    return store.panes.query(PaneQuery(include_deleted=True))


def _build_pane(data: dict[str, Any]) -> Any:
    from perth.records import Pane

    return Pane(**_tuples({**data, "meta": dict(data.get("meta") or {})}, "tags"))


def _build_entry(data: dict[str, Any]) -> Any:
    from perth.records import Entry

    return Entry(pane_name="", **_tuples(data, "artifacts", "commands_run", "tags"))


def _read_commands(store: Store) -> Iterable[Any]:
    from perth.capture.records import CommandQuery

    return store.commands.stream(CommandQuery())


def _build_command(data: dict[str, Any]) -> Any:
    from perth.capture.records import Command

    return Command(pane_name=None, **data)


#: Every kind that syncs, parents first (panes before the entries and commands that name them).
KINDS: tuple[Kind, ...] = (
    Kind("pane", "panes", _read_panes, _without,
         lambda p: max(p.created_at, p.last_seen_at, p.deleted_at or 0), _build_pane),
    Kind("entry", "entries", lambda s: s.entries.stream(include_deleted=True),
         lambda e: _without(e, "pane_name"), lambda e: max(e.ts, e.updated_at or 0, e.deleted_at or 0),
         _build_entry, derived=frozenset({"pane_name"})),
    Kind("command", "commands", _read_commands, lambda c: _without(c, "pane_name"), lambda c: c.start_ms,
         _build_command, immutable=True, derived=frozenset({"pane_name"})),
)
KIND_INDEX: dict[str, Kind] = {kind.name: kind for kind in KINDS}
