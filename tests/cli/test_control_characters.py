"""Terminal control sequences in stored text never reach the reader's terminal raw."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from perth.text import json_printable, printable

Cli = Callable[..., Any]
HOSTILE = "title \x1b]0;pwned\x07 red \x1b[31mX\x1b[0m bell \x07 cr \r csi \x9b2J bidi \u202e"
RAW = ("\x1b", "\x07", "\r", "\x9b", "\u202e")


def assert_no_raw_controls(text: str) -> None:
    assert not any(raw in text for raw in RAW), repr(text[:300])


@given(st.text())
def test_printable_leaves_no_control_character(text: str) -> None:
    shown = printable(text)
    assert all(c in "\n\t" or (c.isprintable() and c not in "\u202a\u202b\u202c\u202d\u202e") or c == " "
               or not (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) for c in shown)
    assert_no_raw_controls(shown)


def test_json_escapes_keep_json_valid() -> None:
    text = json_printable(json.dumps({"k": HOSTILE}, ensure_ascii=False))
    assert_no_raw_controls(text)
    assert json.loads(text)["k"] == HOSTILE


def test_every_text_rendering_escapes_controls(cli: Cli, tmp_path: Path) -> None:
    assert cli("log", HOSTILE, "--goal-delta", HOSTILE, "--tag", "x").code == 0
    entry_id = json.loads(cli("history", "--format", "json").out)["entries"][0]["id"][-8:]
    for fmt in ("text", "markdown", "llm", "json"):
        for args in (("history",), ("show", entry_id), ("status",), ("search", "pwned"), ("handoff",),
                     ("journal", "--since", "1d")):
            done = cli(*args, "--format", fmt)
            assert done.code == 0, (args, fmt, done.err)
            assert_no_raw_controls(done.out)
            if fmt == "json":
                json.loads(done.out)
            elif args[0] in ("history", "show"):
                assert "\\x1b]0;pwned" in done.out
    path = tmp_path / "export.jsonl"
    assert cli("export", "-o", str(path)).code == 0
    assert cli("import", str(path)).code == 0
    shown = cli("show", entry_id)
    assert_no_raw_controls(shown.out)
    error = cli("show", "\x1b[31m-nope")
    assert_no_raw_controls(error.err)
