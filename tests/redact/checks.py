"""Checks the secret filter's test modules share."""

from __future__ import annotations

from collections.abc import Sequence

from perth.redact import SecretFilter, engine


def windowed_equals_whole(text: str) -> None:
    """Every rule's windowed search (``engine._matches``) finds exactly the matches of a whole search."""
    table = engine.Engine().table
    low = engine.lower(text)
    for order in range(len(table.specs)):
        compiled = table.compiled(order)
        if compiled.kind != "regex" or not compiled.reach:
            continue
        windowed = [m.span() for m in engine._matches(compiled, text, low) or ()]
        assert windowed == [m.span() for m in compiled.regex.finditer(text)], compiled.id


def no_secret_grows_back(secrets: SecretFilter, line: str, values: Sequence[str], label: str) -> None:
    """None of ``values`` is left in ``line`` redacted by every entry point (whole text, lines, a stream
    cut every 7 characters, a long block), and each output is a fixed point."""
    outputs = [
        secrets.redact(line),
        "".join(secrets.redact_lines(line.splitlines(keepends=True))),
        "".join(secrets.redact_stream(iter([line[i:i + 7] for i in range(0, len(line), 7)]))),
        secrets.redact_block(("ls -la\n" * 700) + line),
    ]
    for out in outputs:
        assert not any(value in out for value in values), (label, line, out)
        assert secrets.redact(out) == out, (label, out)
