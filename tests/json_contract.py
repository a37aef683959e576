"""Checking a command's ``--format json`` output against the pinned key set of its schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any


def pinned_json(cli: Callable[..., Any], contracts: Mapping[str, set[str]], *args: str,
                code: int = 0) -> dict[str, Any]:
    """Run ``perth ARGS --format json``; the exit code must be ``code`` and the keys those pinned for its schema."""
    result = cli(*args, "--format", "json")
    assert result.code == code, result.err
    document: dict[str, Any] = json.loads(result.out)
    assert set(document) == contracts[document["schema"]], document["schema"]
    return document
