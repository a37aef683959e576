"""JSON columns of the SQLite adapters: lists and objects stored as text."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def to_json(value: object) -> str:
    """JSON for list and object columns; empty ones skip the :mod:`json` import (hot path)."""
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    import json

    return json.dumps(value, sort_keys=True)


def from_json(text: str | None) -> Any:
    if not text or text in ("[]", "{}"):
        return {} if text == "{}" else []
    import json

    return json.loads(text)


def json_list(value: str | None) -> tuple[str, ...]:
    return tuple(from_json(value))
