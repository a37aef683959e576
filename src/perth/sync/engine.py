"""Push and pull: the sync protocol between a home's store and the server.

**Push** reads every record of every kind (:mod:`perth.sync.kinds`), and for each one whose digest
differs from the version this home last synced makes a new version: an HLC stamp
(:mod:`perth.sync.clock`), the parent version it replaces, and the record's data, sealed
(:mod:`perth.sync.crypto`) and appended to the server in batches.

**Pull** reads the rows other homes appended after this home's cursor, opens every row of a batch
(one that fails authentication stops the pull before anything of its batch is applied), and applies
each version, parents first, in one unit of work per batch:

* a version not newer than the one held (by stamp, then home id) is superseded: ignored;
* otherwise it replaces the local record, unless the record was edited here since the last sync
  and that edit (stamped as it would be when pushed) is the newer one: then the local edit is kept
  and pushed next;
* a version that replaces another one it had not seen is a *conflict*: resolved the same way on
  every home (the newer stamp wins, ties by home id) and reported;
* two live panes with one name: the older one (created first, then by id) keeps the name, the
  other is renamed ``<name>-<last 6 characters of its id>`` and the rename syncs like any edit.

Every home therefore ends with the newest version of every record, whatever the order it saw them
in, and applying a row twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from perth.record import Record, replace
from perth.sync import crypto
from perth.sync.clock import stamp
from perth.sync.errors import SyncTamperedError
from perth.sync.kinds import KIND_INDEX, KINDS, Kind, canonical_data, fingerprint
from perth.sync.state import Conflict, SyncState, Version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.store.port import Store
    from perth.sync.server import ServerRow, SyncServer

#: Rows per append and per fetch.
BATCH = 1000


class SyncReport(Record):
    """What one push, pull or both did."""

    pushed: int = 0
    pulled: int = 0
    applied: int = 0
    unchanged: int = 0
    superseded: int = 0
    own: int = 0
    sent_bytes: int = 0
    received_bytes: int = 0
    plaintext_bytes: int = 0
    conflicts: tuple[Conflict, ...] = ()

    def __add__(self, other: SyncReport) -> SyncReport:
        return SyncReport(**{name: getattr(self, name) + getattr(other, name) for name in self._fields})

    def to_json(self) -> dict[str, Any]:
        """The counts and conflicts of ``perth.sync.run.v1``."""
        data: dict[str, Any] = {name: getattr(self, name) for name in self._fields if name != "conflicts"}
        return data | {"conflicts": [c.to_json() for c in self.conflicts]}


class Remote(Record):
    """One opened version from the server."""

    seq: int
    kind: str
    id: str
    stamp: int
    home: str
    parent: tuple[int, str] | None
    data: dict[str, Any]


def renamed(pane: Any) -> str:
    """The name a pane gets when an older live pane holds its name."""
    return f"{pane.name[:120]}-{pane.id[-6:]}"


class SyncEngine:
    """Push and pull for one home."""

    def __init__(self, store: Store, state: SyncState, server: SyncServer, keys: crypto.Keys, *, vault: str,
                 home: str, clock: Callable[[], int], batch: int = BATCH) -> None:
        self.store, self.state, self.server, self.keys = store, state, server, keys
        self.vault, self.home, self.clock, self.batch = vault, home, clock, batch

    def kinds(self) -> tuple[Kind, ...]:
        """The kinds this store can hold (a Redis store has no commands)."""
        return tuple(kind for kind in KINDS if kind.port in self.store.capabilities)

    # push ---------------------------------------------------------------------------------------

    def pending(self) -> dict[str, int]:
        """How many records of each kind changed here since the last sync (no key needed)."""
        counts = {}
        for kind in self.kinds():
            known = self.state.versions(kind.name)
            counts[kind.name] = sum(1 for record in kind.read(self.store) if self._changed(kind, record, known))
        return counts

    @staticmethod
    def _changed(kind: Kind, record: Any, known: dict[str, Version]) -> str | None:
        """The record's fingerprint when it changed since the last sync, else None."""
        held = known.get(record.id)
        if held is not None and kind.immutable:
            return None
        mark = fingerprint(kind, record)
        return None if held is not None and held.digest == mark else mark

    def push(self) -> SyncReport:
        """Seal and append every record changed here since the last sync."""
        report = SyncReport()
        for kind in self.kinds():
            known = self.state.versions(kind.name)
            todo: list[tuple[str, bytes, tuple[str, str, int, str, str]]] = []
            plain_bytes = 0
            for record in kind.read(self.store):
                changed = self._changed(kind, record, known)
                if changed is None:
                    continue
                mark, text = changed, canonical_data(kind.data(record))
                held = known.get(record.id)
                value = stamp(kind.edited(record), held.stamp if held else None)
                parent = f"[{held.stamp},{json.dumps(held.home)}]" if held else "null"
                payload = (f'{{"k":{json.dumps(kind.name)},"i":{json.dumps(record.id)},"s":{value},'
                           f'"o":{json.dumps(self.home)},"p":{parent},"d":{text}}}').encode()
                plain_bytes += len(text.encode())
                key = crypto.record_key(self.keys, kind.name, record.id)
                blob = crypto.seal(self.keys, payload, crypto.associated_data(self.vault, self.home, key))
                todo.append((key, blob, (kind.name, record.id, value, self.home, mark)))
            for start in range(0, len(todo), self.batch):
                chunk = todo[start:start + self.batch]
                self.server.append(self.vault, self.home, [(key, blob) for key, blob, _ in chunk])
                with self.state.transaction():
                    self.state.put_versions(row for _, _, row in chunk)
            sent = sum(8 + len(self.home) + len(key) + len(blob) for key, blob, _ in todo)
            report += SyncReport(pushed=len(todo), sent_bytes=sent, plaintext_bytes=plain_bytes)
        self.state.set(last_push_at=self.clock())
        return report

    # pull ---------------------------------------------------------------------------------------

    def open_row(self, row: ServerRow) -> Remote:
        """Authenticate and decode one row; anything wrong raises :class:`SyncTamperedError`."""
        where = f"row {row.seq} of vault {self.vault!r} on the sync server"
        fix = ("nothing from its batch was applied; restore the server's table from a backup, or start a new"
               " vault with `perth sync init --vault NEW`")
        try:
            payload = json.loads(crypto.unseal(self.keys, row.blob, crypto.associated_data(self.vault, row.home,
                                                                                             row.key)))
            kind, record_id = str(payload["k"]), str(payload["i"])
            parent = payload["p"]
            remote = Remote(seq=row.seq, kind=kind, id=record_id, stamp=int(payload["s"]), home=str(payload["o"]),
                            parent=(int(parent[0]), str(parent[1])) if parent else None, data=dict(payload["d"]))
        except SyncTamperedError:
            raise SyncTamperedError(f"{where} failed authentication (altered on the server, or not sealed with"
                                    " this vault's key)", fix) from None
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise SyncTamperedError(f"{where} is not a sync record", fix) from exc
        if (remote.home != row.home or kind not in KIND_INDEX
                or crypto.record_key(self.keys, kind, record_id) != row.key):
            raise SyncTamperedError(f"{where} does not belong where the server put it", fix)
        return remote

    def pull(self) -> SyncReport:
        """Apply every row other homes appended since the last pull."""
        report = SyncReport()
        kinds = self.kinds()
        known = {kind.name: self.state.versions(kind.name) for kind in kinds}
        cursor = int(self.state.get("cursor", "0"))
        while True:
            rows = self.server.fetch(self.vault, cursor, self.batch)
            if not rows:
                break
            # every row is authenticated, this home's own too (a relabelled row must not be skipped unseen)
            opened = [remote for remote in map(self.open_row, rows) if remote.home != self.home]
            order = {kind.name: n for n, kind in enumerate(KINDS)}
            opened.sort(key=lambda r: order[r.kind])  # stable: parents first, then server order
            conflicts: list[Conflict] = []
            marks: list[tuple[str, str, int, str, str]] = []
            counts = {"applied": 0, "unchanged": 0, "superseded": 0}
            with self.state.transaction():
                with self.store.unit():
                    commands: list[Any] = []
                    for remote in opened:
                        kind = KIND_INDEX[remote.kind]
                        if kind.port not in self.store.capabilities:
                            counts["superseded"] += 1
                            continue
                        outcome = self._apply(kind, remote, known[kind.name], conflicts, commands)
                        counts[outcome] += 1
                        if outcome != "superseded":
                            version = known[kind.name][remote.id]
                            marks.append((kind.name, remote.id, version.stamp, version.home, version.digest))
                    if commands:
                        self.store.commands.add(commands)
                self.state.put_versions(marks)
                self.state.add_conflicts(conflicts)
                cursor = rows[-1].seq
                self.state.set(cursor=cursor)
            report += SyncReport(pulled=len(opened), own=len(rows) - len(opened), conflicts=tuple(conflicts),
                                 received_bytes=sum(row.wire_bytes for row in rows), **counts)
        self.state.set(last_pull_at=self.clock())
        return report

    def _apply(self, kind: Kind, remote: Remote, known: dict[str, Version], conflicts: list[Conflict],
               commands: list[Any]) -> str:
        held = known.get(remote.id)
        if held is not None and (held.stamp, held.home) >= (remote.stamp, remote.home):
            return "superseded"
        record = kind.build(remote.data)
        mark = fingerprint(kind, record)
        known[remote.id] = Version(stamp=remote.stamp, home=remote.home, digest=mark)
        if kind.immutable:
            commands.append(record)
            return "applied"
        local = self._local(kind, remote.id)
        if local is not None:
            local_mark = fingerprint(kind, local)
            if local_mark == mark:
                return "unchanged"
            if held is None or local_mark != held.digest:  # edited here since the last sync
                mine = stamp(kind.edited(local), held.stamp if held else None)
                if (mine, self.home) > (remote.stamp, remote.home):
                    conflicts.append(self._conflict(kind, remote, "concurrent edit", "local", winner=(self.home, mine),
                                                    loser=(remote.home, remote.stamp)))
                    return "applied"  # the local edit stays, and is pushed after the remote version
                conflicts.append(self._conflict(kind, remote, "concurrent edit", "remote",
                                                winner=(remote.home, remote.stamp), loser=(self.home, mine)))
            elif held is not None and remote.parent != (held.stamp, held.home):
                conflicts.append(self._conflict(kind, remote, "concurrent edit", "remote",
                                                winner=(remote.home, remote.stamp), loser=(held.home, held.stamp)))
        self._write(kind, record, local, remote, conflicts)
        return "applied"

    def _conflict(self, kind: Kind, remote: Remote, reason: str, kept: str, *, winner: tuple[str, int],
                  loser: tuple[str, int]) -> Conflict:
        return Conflict(at=self.clock(), kind=kind.name, id=remote.id, reason=reason, kept=kept,
                        winner_home=winner[0], winner_stamp=winner[1], loser_home=loser[0], loser_stamp=loser[1])

    def _local(self, kind: Kind, record_id: str) -> Any:
        if kind.name == "pane":
            return self.store.panes.get(pane_id=record_id, include_deleted=True)
        return self.store.entries.get(record_id, include_deleted=True)

    def _write(self, kind: Kind, record: Any, local: Any, remote: Remote, conflicts: list[Conflict]) -> None:
        if kind.name == "entry":
            (self.store.entries.add if local is None else self.store.entries.update)(record)
            return
        if record.deleted_at is None:
            holder = self.store.panes.get(name=record.name)
            if holder is not None and holder.id != record.id:
                if (holder.created_at, holder.id) < (record.created_at, record.id):
                    record = replace(record, name=renamed(record))
                    kept = "local"
                else:
                    self.store.panes.update(replace(holder, name=renamed(holder)))
                    kept = "remote"
                conflicts.append(Conflict(at=self.clock(), kind="pane", id=remote.id, reason="pane name", kept=kept,
                                          winner_home=self.home if kept == "local" else remote.home,
                                          winner_stamp=0, loser_home=remote.home if kept == "local" else self.home,
                                          loser_stamp=0))
        (self.store.panes.add if local is None else self.store.panes.update)(record)
