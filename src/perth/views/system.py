"""Views of the configuration and of ``perth doctor``."""

from __future__ import annotations

import json

from perth.config import KEYS, KeySpec, Settings
from perth.doctor import DoctorReport
from perth.views.document import Block, Document, Fields, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.config import ConfigValue
    from perth.store.recover import RecoveryReport

MASK = "********"


def display_value(spec: KeySpec, value: ConfigValue, redact: Callable[[str], str]) -> str:
    """A config value as shown to people: secret keys masked, everything else filtered."""
    if spec.secret and value not in ("", ()):
        return MASK
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return redact(json.dumps(list(value)))
    return redact(str(value))


def config_view(settings: Settings, redact: Callable[[str], str], keys: tuple[str, ...] = ()) -> Document:
    """``perth config show`` (or ``get`` when ``keys`` names one key)."""
    specs = [s for s in KEYS if not keys or s.key in keys]
    rows = [(s.key, display_value(s, settings.values[s.key], redact), settings.sources[s.key]) for s in specs]
    data = {"config_file": str(settings.config_file),
            "values": [{"key": key, "value": value, "source": source} for key, value, source in rows]}
    return Document("perth.config.v1", data, title="Configuration",
                    blocks=[Note(f"File: {settings.config_file}"), Table(("key", "value", "source"), rows)])


def doctor_view(report: DoctorReport) -> Document:
    """``perth doctor``."""
    blocks: list[Block] = []
    for area in dict.fromkeys(c.area for c in report.checks):
        pairs = []
        for check in (c for c in report.checks if c.area == area):
            mark = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}[check.status]
            fix = f" — {check.fix}" if check.fix else ""
            pairs.append((check.name, f"[{mark}] {check.detail}{fix}"))
        blocks.append(Fields(pairs, title=area))
    verdict = "All checks passed." if report.ok else "Some checks failed: see FAIL lines."
    blocks.append(Note(verdict))
    data = {"version": report.version, "ok": report.ok,
            "checks": [{"area": c.area, "name": c.name, "status": c.status, "detail": c.detail,
                        "fix": c.fix} for c in report.checks]}
    return Document("perth.doctor.v1", data, title="Perth doctor", blocks=blocks)


def recovery_view(report: RecoveryReport) -> Document:
    """``perth doctor --recover``."""
    data = {"path": report.path, "kept_as": report.kept_as, "tables": report.tables, "rows": report.rows,
            "unreadable": list(report.unreadable)}
    pairs = [("data file", report.path), ("damaged file kept as", report.kept_as),
             ("recovered", f"{report.rows} rows in {report.tables} tables"),
             ("partly unreadable", ", ".join(report.unreadable) or "nothing")]
    return Document("perth.recovery.v1", data, title="Recovery", blocks=[
        Fields(pairs), Note("Check the result with `perth doctor` and `perth history`.")])
