"""JSON text without :mod:`json`: the envelope is built on the ``perth log`` path, which must not
import it (tests/e2e/test_hot_path.py).  Covers exactly what an event holds: objects with string
keys, lists, strings, integers, booleans and null; the output parses back with :func:`json.loads`
to the same value (a property test proves it)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.events.types import WireValue

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
                 0x2028: "\\u2028", 0x2029: "\\u2029"})


def string(text: str) -> str:
    """A JSON string literal (UTF-8 kept as is; control characters escaped)."""
    return '"' + text.translate(_ESCAPES) + '"'


def dumps(value: WireValue) -> str:
    """Compact JSON text of ``value`` (keys in the order given)."""
    if isinstance(value, str):
        return string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(string(key) + ":" + dumps(item) for key, item in value.items()) + "}"
    raise TypeError(f"an event cannot carry {type(value).__name__} values")
