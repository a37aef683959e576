"""Perth's one policy for text that is not valid UTF-8: keep it, escaped.

Bytes that do not decode as UTF-8 — in a command line argument, standard input, an
environment variable, the working directory's name, a spool line, a shell history file or an
import file — are kept as ``\\xNN`` escapes (Python's ``backslashreplace``): ``f\\xe9.py`` for
the Latin-1 byte 0xE9.  Nothing is dropped, nothing is rejected, and nothing Perth stores, shows
or exports can hold a lone surrogate (which SQLite, JSON encoders and terminals refuse).
Python hands undecodable bytes of ``argv``, ``os.environ`` and ``os.getcwd()`` over as lone
surrogates (U+DC80..U+DCFF, "surrogateescape"); :func:`escape_undecodable` turns them (and any
other lone surrogate, such as a ``\\udXXX`` escape in a JSON file) into the same escapes that
:func:`decode_utf8` gives for the raw bytes.

Imported by the CLI entry point on the ``perth log`` hot path: no imports.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SURROGATE_ESCAPE_LOW = 0xDC80
SURROGATE_ESCAPE_HIGH = 0xDCFF


def decode_utf8(raw: bytes) -> str:
    """``raw`` as text; bytes that are not UTF-8 become ``\\xNN``."""
    return raw.decode("utf-8", "backslashreplace")


def escape_undecodable(text: str) -> str:
    """``text`` with every lone surrogate escaped; ``text`` itself when it has none (the usual case)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(_escape(char) for char in text)
    return text


def is_clean(text: str) -> bool:
    """``text`` holds no lone surrogate (it encodes as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escape(char: str) -> str:
    code = ord(char)
    if SURROGATE_ESCAPE_LOW <= code <= SURROGATE_ESCAPE_HIGH:
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return char


def escape_strings(value: Any) -> Any:
    """``value`` (parsed JSON: dicts, lists, strings, numbers) with every string escaped."""
    if isinstance(value, str):
        return escape_undecodable(value)
    if isinstance(value, dict):
        return {escape_undecodable(str(k)): escape_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_strings(item) for item in value]
    return value


def _control_escapes() -> dict[int, str]:
    """Characters that can drive a terminal: C0 controls but LF and TAB, DEL, C1 controls, and the
    bidirectional overrides that reorder what a reader sees."""
    codes = [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0),
             *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    return {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in codes}


_CONTROL_ESCAPES = _control_escapes()
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _CONTROL_ESCAPES if code >= 0x7F}


def printable(text: str) -> str:
    """``text`` for a terminal: every control character shown as ``\\xNN`` (line breaks and tabs kept)."""
    return text.translate(_CONTROL_ESCAPES)


def json_printable(text: str) -> str:
    """JSON text with the control characters JSON leaves raw (DEL, C1, bidi overrides) escaped."""
    return text.translate(_JSON_ESCAPES)
