"""Terminal escape sequences stripped from a byte stream, chunk by chunk.

Prompts are matched on the text a person would read, so colour (SGR), cursor moves, OSC window
titles (fish puts the working directory in one, before the prompt exists), bracketed-paste
toggles, charset designations and other control characters are removed first.  A sequence may be
split across two reads; :class:`EscapeStripper` holds an unfinished one back until it completes,
so feeding a stream in any split gives the same text as feeding it whole.
"""

from __future__ import annotations

import codecs
import re

_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI: colour, cursor, modes (?2004h)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, cwd reports, hyperlinks
    r"|\x1b[PX^_][^\x1b]*\x1b\\"           # DCS, SOS, PM, APC strings
    r"|(?P<partial>\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[PX^_][^\x1b]*\x1b?|[ -/]*)\Z)"
    r"|\x1b[ -/]*[0-~]"                    # nF/Fp/Fe/Fs escapes: charsets, keypad, save/restore
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")
MAX_PENDING = 16_384


class EscapeStripper:
    """Incremental UTF-8 decoding plus escape and control-character removal."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> str:
        """The readable text of ``data`` (an unfinished sequence at its end is held back)."""
        text = self._pending + self._decoder.decode(data)
        self._pending = ""
        cleaned = _SEQUENCE.sub(self._replace, text)
        if len(self._pending) > MAX_PENDING:
            self._pending = ""  # not a real sequence: a runaway string is dropped, not buffered forever
        return _CONTROLS.sub("", cleaned)

    def _replace(self, match: re.Match[str]) -> str:
        if match.group("partial") is not None:
            self._pending = match.group(0)
        return ""

    def flush(self) -> str:
        """End of stream: whatever is held back is not a sequence; drop it."""
        self._pending = ""
        return _CONTROLS.sub("", self._decoder.decode(b"", final=True))


def strip_escapes(data: bytes) -> str:
    """The readable text of a complete byte stream."""
    stripper = EscapeStripper()
    return stripper.feed(data) + stripper.flush()
