"""Private-key blocks: from a ``-----BEGIN ... PRIVATE KEY-----`` line to its ``-----END`` line.

A block is found procedurally rather than by one regular expression, so that the search stays
linear however the input is shaped: the body is consumed line by line while the lines look like
PEM (base64, armour headers, blank lines), and the block ends at the END marker or, for a
truncated key, at the last body line.  Blocks written on one line with ``\\n`` escapes (JSON,
environment variables) are handled too.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

HEADER = re.compile(r"-----BEGIN[ ]?(?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP|SSH2 ENCRYPTED|SSH2)[ ])?"
                    r"PRIVATE KEY(?:[ ]BLOCK)?-----")
_END = re.compile(r"-----END[ ]?[A-Z0-9 ]{0,24}PRIVATE KEY(?:[ ]BLOCK)?-----")
_INLINE_BODY = re.compile(r"[A-Za-z0-9+/=\\ \t]{0,262144}+")
_BODY_LINE = re.compile(r"[ \t]{0,16}(?:[A-Za-z0-9+/=]{1,512}|(?:Proc-Type|DEK-Info|Comment|Version"
                        r"|Hash|Charset|Encryption|Subject|Private-Lines|Public-Lines|Private-MAC)"
                        r":[^\r\n]{0,512}|)[ \t]{0,16}\r?")
#: A truncated block (no END line) is cut after this many body lines.
MAX_BODY_LINES = 4096


def find_blocks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every private-key block in ``text``."""
    blocks: list[tuple[int, int]] = []
    position = 0
    while True:
        match = HEADER.search(text, position)
        if match is None:
            return blocks
        end = block_end(text, match.end())
        blocks.append((match.start(), end))
        position = max(end, match.end())


def block_end(text: str, position: int) -> int:
    """Where the block whose header ends at ``position`` ends."""
    line_end = text.find("\n", position)
    if line_end < 0:
        line_end = len(text)
    run = _INLINE_BODY.match(text, position, line_end)
    run_end = run.end() if run else position
    if text.startswith("-----END", run_end):
        end = _END.match(text, run_end)
        return end.end() if end else run_end
    if text[position:run_end].strip(" \t") or run_end < line_end - (text[line_end - 1:line_end] == "\r"):
        return _rstrip_end(text, position, run_end)
    return _multiline_end(text, line_end)


def _rstrip_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over trailing blanks, never before ``start``."""
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


def _multiline_end(text: str, line_end: int) -> int:
    """The end of a block whose body starts on the line after ``line_end``."""
    last = line_end
    for _ in range(MAX_BODY_LINES):
        if last >= len(text):
            return last
        start = last + 1
        stop = text.find("\n", start)
        if stop < 0:
            stop = len(text)
        marker = text.find("-----END", start, stop)
        if marker >= 0:
            end = _END.match(text, marker)
            body_ok = _BODY_LINE.fullmatch(text, start, marker) is not None
            return end.end() if end and body_ok else last
        if _BODY_LINE.fullmatch(text, start, stop) is None:
            return last
        last = stop
    return last


def opens_block(line: str) -> int:
    """For streaming: the offset of a header in ``line`` whose block continues on later lines,
    or -1 when the line holds no header or the whole block."""
    match = HEADER.search(line)
    while match is not None:
        end = block_end(line, match.end())
        if end >= len(line.rstrip("\r\n")) and not line[match.end():].strip():
            return match.start()
        match = HEADER.search(line, max(end, match.end()))
    return -1


def is_body_line(line: str) -> bool:
    """Whether a line (with or without its terminator) can be part of a key body."""
    return _BODY_LINE.fullmatch(line.rstrip("\n")) is not None


def ends_block(line: str) -> int:
    """The offset just after the END marker in ``line`` when the text before it is body, else -1."""
    marker = line.find("-----END")
    if marker < 0:
        return -1
    end = _END.match(line, marker)
    if end is None or _BODY_LINE.fullmatch(line, 0, marker) is None:
        return -1
    return end.end()


def block_opening(batch: Sequence[str]) -> int:
    """The index of the first line of ``batch`` that opens a multi-line private-key block (-1:
    none)."""
    for index, line in enumerate(batch):
        if "PRIVATE KEY" in line and opens_block(line) >= 0:
            return index
    return -1


def collect_block(first: str, lines: Iterator[str]) -> tuple[list[str], str | None]:
    """The lines of a private-key block opened by ``first``, taken from ``lines``, and the line
    read after it (``None`` when the lines ran out)."""
    block = [first]
    for line in lines:
        if ends_block(line) >= 0:
            block.append(line)
            return block, next(lines, None)
        if not is_body_line(line) or len(block) > MAX_BODY_LINES:
            return block, line
        block.append(line)
    return block, None


def terminator(line: str) -> str:
    """The line break ``line`` ends with (``""``: none)."""
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return ending
    return ""


__all__ = ["HEADER", "MAX_BODY_LINES", "block_end", "block_opening", "collect_block", "ends_block",
           "find_blocks", "is_body_line", "opens_block", "terminator"]
