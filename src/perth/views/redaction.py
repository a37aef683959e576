"""Views of the secret filter's counters and of ``perth scan`` findings."""

from __future__ import annotations

from typing import Any

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.records import RedactionCount
    from perth.redact.scan import ScanFinding
    from perth.runtime import Runtime


def redaction_stats_view(counts: Sequence[RedactionCount]) -> Document:
    """``perth redact stats``."""
    rows = [(c.rule_id, c.source, str(c.count), to_local(c.last_at)) for c in counts]
    total = sum(c.count for c in counts)
    blocks: list[Block] = [Table(("rule", "source", "count", "last"), rows),
                           Note(f"{total} redaction(s) in all.")]
    if not counts:
        blocks = [Note("Nothing redacted yet.")]
    data = {"total": total, "counts": [{"rule": c.rule_id, "source": c.source, "count": c.count,
                                        "last_at": to_iso(c.last_at)} for c in counts]}
    return Document("perth.redaction_stats.v1", data, title="Redactions", blocks=blocks)


def scan_view(findings: Sequence[ScanFinding]) -> Document:
    """``perth scan`` in the structured formats."""
    rows = [(str(f.path), str(f.line), str(f.column), f.rule_id, f.fingerprint) for f in findings]
    data = {"count": len(findings), "findings": [{"path": str(f.path), "line": f.line, "column": f.column,
                                                  "rule": f.rule_id, "fingerprint": f.fingerprint}
                                                 for f in findings]}
    blocks: list[Block] = [Table(("path", "line", "column", "rule", "fingerprint"), rows)] if findings else [
        Note("No secrets found.")]
    return Document("perth.scan.v1", data, title="Secret scan", blocks=blocks)


def filter_strings(rt: Runtime, value: Any, source: str) -> Any:
    """``value`` with every string passed through the secret filter (dict keys included).

    Each distinct string is filtered once; those of one line go through the filter's bulk path in one
    pass (:meth:`~perth.redact.filter.SecretFilter.redact_lines`), the others one by one.
    """
    found: dict[str, str] = {}
    _collect(value, found)
    single = [text for text in found if "\n" not in text and "\r" not in text]
    for text, clean in zip(single, rt.secret_filter.redact_lines(single, source=source), strict=True):
        found[text] = str(clean)
    for text in found:
        if "\n" in text or "\r" in text:
            found[text] = str(rt.redact(text, source))
    return _replace(value, found)


def _collect(value: Any, found: dict[str, str]) -> None:
    if isinstance(value, str):
        found[value] = value
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(key, found)
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)


def _replace(value: Any, clean: dict[str, str]) -> Any:
    if isinstance(value, str):
        return clean[value]
    if isinstance(value, dict):
        return {clean[k] if isinstance(k, str) else k: _replace(v, clean) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_replace(item, clean) for item in value]
    return value
