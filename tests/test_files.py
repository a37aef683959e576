"""write_atomic: the old file or the new one, never half of one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.files import write_atomic


def test_writes_text_and_bytes_and_creates_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    write_atomic(target, ["héllo ", b"world\n"])
    assert target.read_text(encoding="utf-8") == "héllo world\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_failure_midway_keeps_the_previous_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "export.jsonl"
    target.write_text("previous\n")

    def pieces() -> Iterator[str]:
        yield "new first line\n"
        raise RuntimeError("the producer failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, pieces())
    assert target.read_text() == "previous\n"
    assert [p.name for p in folder.iterdir()] == ["export.jsonl"]  # no temporary file left behind
