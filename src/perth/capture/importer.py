"""``perth import-history``: shell history files into the command store.

Each imported command passes the secret filter.  Identity is the shell, the
command's timestamp (when the format has one) and a digest of the text, plus how
many times that same triple occurred before it in the file, so re-importing a
file — or a longer version of it — adds only what is new.
"""

from __future__ import annotations

import hashlib
import os

from perth.capture.records import Command
from perth.clock import FUTURE_SLACK_MS, MAX_DURATION_MS
from perth.errors import InvalidInputError, NotFoundError
from perth.ids import uuid7_many
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from perth.capture.history_import import ImportedCommand
    from perth.runtime import Runtime

BATCH = 5000


class ImportReport(Record):
    """What ``perth import-history`` did."""

    path: str
    shell: str
    format: str
    commands: int
    inserted: int
    duplicates: int


def _read(path: str, shell: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        fix = ("pass --file PATH (fish keeps it in $XDG_DATA_HOME/fish/fish_history)" if shell == "fish"
               else "pass --file PATH, or set $HISTFILE")
        raise NotFoundError(f"no history file at {path}", fix) from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a directory", "pass the history file itself with --file") from None
    except PermissionError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}", "fix its permissions") from exc


def _batches(items: Iterable[ImportedCommand]) -> Iterator[list[ImportedCommand]]:
    batch: list[ImportedCommand] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _commands(rt: Runtime, shell: str, batch: list[ImportedCommand], fallback_ms: int,
              seen: dict[str, int]) -> list[Command]:
    """Commands of one batch, their texts redacted in one pass of the filter."""
    texts = rt.secret_filter.redact_lines([item.command for item in batch], source="import")
    latest = rt.clock() + FUTURE_SLACK_MS
    starts = []
    for item in batch:
        start_ms = item.start_us // 1000 if item.start_us is not None else fallback_ms
        # a damaged or forged time stamp: the line is kept, at the file's time
        starts.append(start_ms if 0 <= start_ms <= latest else fallback_ms)
    commands = []
    source = f"import:{shell}"
    sha1 = hashlib.sha1
    for item, text, start_ms, command_id in zip(batch, texts, starts, uuid7_many(starts), strict=True):
        duration_ms = item.duration_us // 1000 if item.duration_us is not None else None
        if duration_ms is not None and not 0 <= duration_ms <= MAX_DURATION_MS:
            duration_ms = None
        digest = sha1(item.command.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:20]
        base = f"{source}:{item.start_us if item.start_us is not None else '-'}:{digest}"
        occurrence = seen[base] = seen.get(base, 0) + 1
        # positional, in Command's field order (the hot loop of an import)
        commands.append(Command(command_id, None, None, start_ms, duration_ms, None, text, None, None, None, shell,
                                None, None, None, source, f"{base}:{occurrence}"))
    return commands


def import_history(rt: Runtime, shell: str, path: str | None = None,
                   track: Callable[[Iterable[ImportedCommand]], Iterable[ImportedCommand]] | None = None,
                   ) -> ImportReport:
    """Import a history file (the shell's default file when ``path`` is ``None``)."""
    from perth.capture.history_import import default_history_file, detect_format, parse_history
    from perth.capture.integration import SHELLS

    if shell not in SHELLS:
        raise InvalidInputError(f"unknown shell {shell!r}", f"use one of: {', '.join(SHELLS)}")
    target = path or default_history_file(shell, rt.environ)
    data = _read(target, shell)
    fmt = detect_format(data, shell)
    fallback_ms = min(int(os.stat(target).st_mtime * 1000), rt.clock())
    items: Iterable[ImportedCommand] = parse_history(data, shell, fmt=fmt)
    if track is not None:
        items = track(items)
    total = inserted = 0
    seen: dict[str, int] = {}
    with rt.store.unit():
        for batch in _batches(items):
            commands = _commands(rt, shell, batch, fallback_ms, seen)
            inserted += rt.store.commands.add(commands)
            total += len(commands)
    return ImportReport(path=target, shell=shell, format=fmt, commands=total, inserted=inserted,
                        duplicates=total - inserted)
