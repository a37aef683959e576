"""Golden graphs: the exact symbols and edges of a small fixture repository per language.

Regenerate after a deliberate change with ``UPDATE_GOLDEN=1 pytest tests/codeindex/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perth.codeindex import service
from perth.codeindex.indexer import index_repo
from perth.runtime import Runtime
from tests.codeindex.conftest import GOLDEN, copy_fixture, graph_lines

LANGUAGES = ["python", "js", "ts", "go", "rust", "java", "shell"]


@pytest.mark.parametrize("name", LANGUAGES)
def test_fixture_graph_matches_golden(rt: Runtime, tmp_path: Path, name: str) -> None:
    root = copy_fixture(name, tmp_path)
    repo = service.add_repo(rt, str(root), name=name)
    report = index_repo(rt, repo)
    assert report.errors == 0 and not report.missing_languages
    lines = graph_lines(rt, repo)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text("\n".join(lines) + "\n")
    assert lines == golden.read_text().splitlines()
