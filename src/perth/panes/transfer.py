"""Export and import of panes and entries as JSON lines.

The first line is a header (``{"schema": "perth.export.v1", "kind": "header", ...}``),
then one ``{"kind": "pane", ...}`` line per pane and one ``{"kind": "entry", ...}``
line per entry, in the ``perth.pane.v1`` / ``perth.entry.v1`` shapes.  The round
trip is lossless (times keep their milliseconds, ids are kept), and importing the
same file twice adds nothing: records are matched by id, panes also by name.

Exported text has passed the secret filter; imported text passes it again before
it is stored.  A file with any invalid line is rejected whole, naming the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from perth import __version__
from perth.clock import check_time, from_iso, now_ms, to_iso
from perth.errors import InvalidInputError
from perth.panes.service import clean_tags
from perth.record import Record, replace
from perth.records import (
    ENTRY_SCHEMA_VERSION,
    ENTRY_SOURCES,
    ENTRY_TYPES,
    MUX_KINDS,
    PANE_STATUSES,
    Entry,
    ImportCounts,
    Pane,
    PaneQuery,
    check_choice,
    check_pane_name,
)
from perth.runtime import Runtime
from perth.text import escape_strings, is_clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.redact import Redacted
    from perth.store.port import Store

EXPORT_SCHEMA = "perth.export.v1"


def export_lines(rt: Runtime, *, pane_names: Iterable[str] = (),
                 include_deleted: bool = False) -> Iterator[Redacted]:
    """The export, one JSON document per line (no trailing newlines)."""
    from perth.panes.service import get_pane

    store = rt.store
    names = list(pane_names)
    if names:
        panes = [get_pane(rt, name, include_deleted=include_deleted) for name in names]
    else:
        panes = store.panes.query(PaneQuery(include_deleted=include_deleted))
    panes.sort(key=lambda pane: (pane.created_at, pane.id))
    header = {"schema": EXPORT_SCHEMA, "kind": "header", "perth_version": __version__,
              "exported_at": to_iso(rt.clock()), "entry_schema_version": ENTRY_SCHEMA_VERSION}
    yield _dump(rt, header)
    for pane in panes:
        yield _dump(rt, {"kind": "pane", **pane.to_json()})
    ids = tuple(p.id for p in panes) if names else ()
    for entry in store.entries.stream(ids, include_deleted=include_deleted):
        yield _dump(rt, {"kind": "entry", **entry.to_json()})


def export_to_file(rt: Runtime, path: str, *, pane_names: Iterable[str] = (), include_deleted: bool = False) -> None:
    """Write the export to ``path`` whole (a failed export leaves the previous file as it was)."""
    from perth.files import write_atomic

    lines = export_lines(rt, pane_names=pane_names, include_deleted=include_deleted)
    try:
        write_atomic(path, (line + "\n" for line in lines))
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {exc.strerror}", "choose a writable path") from exc


def _dump(rt: Runtime, document: dict[str, Any]) -> Redacted:
    line = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if not is_clean(line):  # text an earlier Perth stored with lone surrogates: escaped like new input
        line = json.dumps(escape_strings(document), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return rt.redact(line, "export")


class ParsedImport(Record):
    """A validated import file."""

    panes: list[Pane]
    entries: list[Entry]


def _time(value: Any, field: str, line: int, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _invalid(line, f"{field} must be an ISO-8601 time string")
    try:
        return check_time(from_iso(value), field, now=now_ms())
    except InvalidInputError as exc:
        raise _invalid(line, exc.what) from None


def _invalid(line: int, problem: str) -> InvalidInputError:
    return InvalidInputError(f"import line {line}: {problem}",
                             "fix or remove that line (the whole file was rejected; nothing was imported)")


def _strings(value: Any, field: str, line: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(line, f"{field} must be a list of strings")
    return tuple(value)


def _text(doc: dict[str, Any], field: str, line: int, *, optional: bool = False) -> str | None:
    value = doc.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _invalid(line, f"{field} must be a string")
    return value


def _pane(rt: Runtime, doc: dict[str, Any], line: int) -> Pane:
    meta = doc.get("meta") or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise _invalid(line, "meta must be an object of strings")
    status = check_choice("pane status", _text(doc, "status", line) or "", PANE_STATUSES)
    created = _time(doc.get("created_at"), "created_at", line)
    seen = _time(doc.get("last_seen_at"), "last_seen_at", line)
    assert created is not None  # noqa: S101 - not optional
    assert seen is not None  # noqa: S101 - not optional
    return Pane(
        id=_text(doc, "id", line) or "", name=check_pane_name(_text(doc, "name", line) or ""),
        status=status,  # type: ignore[arg-type]  # checked against PANE_STATUSES above
        session=rt.redact_optional(_text(doc, "session", line, optional=True), "import"),
        tab=rt.redact_optional(_text(doc, "tab", line, optional=True), "import"),
        mux_kind=check_choice("multiplexer", _text(doc, "mux_kind", line) or "", MUX_KINDS),
        mux_pane_id=_text(doc, "mux_pane_id", line, optional=True),
        cwd=rt.redact_optional(_text(doc, "cwd", line, optional=True), "import"),
        repo_root=rt.redact_optional(_text(doc, "repo_root", line, optional=True), "import"),
        branch=rt.redact_optional(_text(doc, "branch", line, optional=True), "import"),
        tags=clean_tags(rt, _strings(doc.get("tags", []), "tags", line)),
        meta={str(k): rt.redact(v, "import") for k, v in meta.items()},
        created_at=created, last_seen_at=seen,
        deleted_at=_time(doc.get("deleted_at"), "deleted_at", line, optional=True),
    )


def _entry(rt: Runtime, doc: dict[str, Any], line: int) -> Entry:
    ts = _time(doc.get("ts"), "ts", line)
    assert ts is not None  # noqa: S101 - not optional
    version = doc.get("schema_version", ENTRY_SCHEMA_VERSION)
    if not isinstance(version, int) or version > ENTRY_SCHEMA_VERSION:
        raise _invalid(line, f"entry schema_version {version!r} is newer than this Perth understands")
    return Entry(
        id=_text(doc, "id", line) or "", pane_id=_text(doc, "pane_id", line) or "",
        pane_name=check_pane_name(_text(doc, "pane", line) or ""), ts=ts,
        summary=rt.redact(_text(doc, "summary", line) or "", "import"),
        type=check_choice("type", _text(doc, "type", line) or "", ENTRY_TYPES),
        source=check_choice("source", _text(doc, "source", line) or "", ENTRY_SOURCES),
        agent=rt.redact_optional(_text(doc, "agent", line, optional=True), "import"),
        artifacts=tuple(rt.redact(a, "import") for a in _strings(doc.get("artifacts", []), "artifacts", line)),
        commands_run=tuple(rt.redact(c, "import")
                           for c in _strings(doc.get("commands_run", []), "commands_run", line)),
        goal_delta=rt.redact_optional(_text(doc, "goal_delta", line, optional=True), "import"),
        tags=clean_tags(rt, _strings(doc.get("tags", []), "tags", line)),
        schema_version=version,
        updated_at=_time(doc.get("updated_at"), "updated_at", line, optional=True),
        deleted_at=_time(doc.get("deleted_at"), "deleted_at", line, optional=True),
    )


def parse_import(rt: Runtime, lines: Iterable[str]) -> ParsedImport:
    """Validate every line; the first error rejects the whole file."""
    panes: list[Pane] = []
    entries: list[Entry] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            doc = escape_strings(json.loads(raw))
        except json.JSONDecodeError as exc:
            raise _invalid(number, f"not valid JSON ({exc.msg})") from None
        if not isinstance(doc, dict):
            raise _invalid(number, "expected a JSON object")
        kind = doc.get("kind")
        try:
            if kind == "header":
                if doc.get("schema") != EXPORT_SCHEMA:
                    found = doc.get("schema")
                    raise _invalid(number, f"unsupported export schema {found!r} (expected {EXPORT_SCHEMA})")
            elif kind == "pane":
                panes.append(_pane(rt, doc, number))
            elif kind == "entry":
                entries.append(_entry(rt, doc, number))
            else:
                raise _invalid(number, f"unknown kind {kind!r} (expected header, pane or entry)")
        except InvalidInputError as exc:
            if exc.what.startswith("import line"):
                raise
            raise _invalid(number, exc.what) from None
    return ParsedImport(panes=panes, entries=entries)


def import_records(rt: Runtime, parsed: ParsedImport) -> ImportCounts:
    """Store what is new; panes whose name is taken by another pane absorb its entries."""
    store = rt.store
    remap: dict[str, tuple[str, str]] = {}
    new_panes: list[Pane] = []
    merged = 0
    known_ids = {p.id for p in parsed.panes}
    for pane in parsed.panes:
        existing = store.panes.get(pane_id=pane.id, include_deleted=True)
        if existing is None and pane.deleted_at is None:
            same_name = store.panes.get(name=pane.name)
            if same_name is not None:
                remap[pane.id] = (same_name.id, same_name.name)
                merged += 1
                continue
        new_panes.append(pane)
    for entry in parsed.entries:
        known = entry.pane_id in known_ids or store.panes.get(pane_id=entry.pane_id, include_deleted=True)
        if not known:
            raise InvalidInputError(f"entry {entry.id} refers to pane {entry.pane_id}, which is not in the file",
                                    "export with its panes (perth export), or import the panes first")
    entries = [replace(e, pane_id=remap[e.pane_id][0], pane_name=remap[e.pane_id][1])
               if e.pane_id in remap else e for e in parsed.entries]
    counts = _add_missing(store, new_panes, entries)
    return replace(counts, panes_skipped=counts.panes_skipped + merged)


def _add_missing(store: Store, panes: list[Pane], entries: list[Entry]) -> ImportCounts:
    """Insert the panes and entries whose ids are not stored yet, in one unit of work."""
    counts = {"panes_added": 0, "panes_skipped": 0, "entries_added": 0, "entries_skipped": 0}
    with store.unit() as uow:
        for pane in panes:
            if uow.panes.get(pane_id=pane.id, include_deleted=True) is not None:
                counts["panes_skipped"] += 1
                continue
            uow.panes.add(pane)
            counts["panes_added"] += 1
        for entry in entries:
            if uow.entries.get(entry.id, include_deleted=True) is not None:
                counts["entries_skipped"] += 1
                continue
            uow.entries.add(entry)
            counts["entries_added"] += 1
    return ImportCounts(**counts)
