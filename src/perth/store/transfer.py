"""Copying one store into another (``perth store migrate --to URL``), losslessly and verified.

The data of a store is cut into *parts*, each read whole through one port's everything read
(panes with the deleted ones, every entry, every command, spool cursor and quarantined fragment,
redaction counters, shellperf runs, baselines with their deletion time, governance states,
snapshots with their digests, breakers, LLM calls, jobs and their log lines, workflow runs with their
steps).  For each part the copy:

1. reads every record on both sides and keys them (pane id, entry id, breaker name...);
2. writes what the target lacks and replaces what differs, through the target's ports, in units
   of :data:`BATCH` records (a re-run finds everything present: nothing is duplicated);
3. reads the target again and verifies the count and a checksum: SHA-256 over the sorted canonical
   JSON of the records (sorted keys, lists for tuples), the same on both sides when the copy is whole.

A part whose port the target lacks is reported as skipped, never dropped silently; the full-text
index is not a part (each adapter derives it from the commands and entries it stores).
"""

from __future__ import annotations

from perth.record import Record
from perth.store.transfer_parts import PARTS, Part, canonical, checksum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.store.port import Store

#: Records written per unit of work on the target.
BATCH = 500


class PartReport(Record):
    """What the copy did (or would do) with one part of the store.

    ``status``: ``verified`` (target matches the source), ``mismatch`` (it does not, after the
    copy), ``would copy`` / ``in sync`` (dry run), ``skipped: no <port> port in the target``, or
    ``not in the source``.
    """

    part: str
    port: str
    status: str
    source_count: int = 0
    target_count: int = 0
    added: int = 0
    updated: int = 0
    source_checksum: str = ""
    target_checksum: str = ""

    @property
    def ok(self) -> bool:
        """Nothing left different (a skipped part counts only when the source had nothing in it)."""
        return self.status in ("verified", "in sync", "not in the source") or (
            self.status.startswith("skipped") and self.source_count == 0)

    def to_json(self) -> dict[str, Any]:
        """The ``perth.store.migrate.v1`` shape of a part."""
        return {name: getattr(self, name) for name in self._fields} | {"ok": self.ok}


class MigrationReport(Record):
    """The copy of a whole store: the two stores (without passwords) and every part."""

    source: str
    target: str
    dry_run: bool
    parts: tuple[PartReport, ...]

    @property
    def ok(self) -> bool:
        """Whether every part is verified (or in sync, for a dry run)."""
        return all(part.ok for part in self.parts)

    @property
    def skipped(self) -> tuple[str, ...]:
        """The parts the target cannot hold although the source has records in them."""
        return tuple(p.part for p in self.parts if p.status.startswith("skipped") and p.source_count)


def migrate(source: Store, target: Store, *, dry_run: bool = False) -> MigrationReport:
    """Copy every part of ``source`` into ``target`` (or say what would move) and verify it."""
    with target.bulk():
        reports = tuple(_copy_part(part, source, target, dry_run) for part in PARTS)
    return MigrationReport(source=source.info().location, target=target.info().location, dry_run=dry_run,
                           parts=reports)


def _copy_part(part: Part, source: Store, target: Store, dry_run: bool) -> PartReport:
    if part.port not in source.capabilities:
        return PartReport(part=part.name, port=part.port, status="not in the source")
    records = part.read(source)
    wanted = checksum(records)
    if part.port not in target.capabilities:
        return PartReport(part=part.name, port=part.port, status=f"skipped: no {part.port} port in the target",
                          source_count=len(records), source_checksum=wanted)
    present = {part.key(record): record for record in part.read(target)}
    todo = [(record, present.get(part.key(record))) for record in records
            if part.key(record) not in present or canonical(present[part.key(record)]) != canonical(record)]
    added = sum(1 for _, old in todo if old is None)
    if not dry_run:
        for start in range(0, len(todo), BATCH):
            with target.unit():
                for record, old in todo[start:start + BATCH]:
                    part.put(target, record, old)
        after = part.read(target)
    else:
        after = list(present.values())
    found = checksum(after)
    same = len(after) == len(records) and found == wanted
    status = ("in sync" if same else "would copy") if dry_run else ("verified" if same else "mismatch")
    return PartReport(part=part.name, port=part.port, status=status, source_count=len(records),
                      target_count=len(after), added=added, updated=len(todo) - added, source_checksum=wanted,
                      target_checksum=found)
