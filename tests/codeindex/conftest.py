"""Fixtures of the code index tests: a runtime on a temporary home, fixture repositories copied out."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.codeindex.model import CodeRepo
from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime

collect_ignore_glob = ["fixtures/*"]  # sample repositories to index, not tests
FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def rt(perth_home: Path, tmp_path: Path) -> Iterator[Runtime]:
    env = {"PERTH_HOME": str(perth_home), "PERTH_CODE__WORKERS": "1"}
    runtime = Runtime(load_settings(resolve_paths(env), env, {}), environ=env, cwd=str(tmp_path))
    yield runtime
    runtime.close()


def copy_fixture(name: str, dest: Path) -> Path:
    """A fresh copy of one fixture repository."""
    target = dest / name
    shutil.copytree(FIXTURES / name, target)
    return target


def graph_lines(runtime: Runtime, repo: CodeRepo) -> list[str]:
    """Every symbol and edge of a repository as sorted text lines (the golden form)."""
    code = runtime.store.code
    lines = [f"symbol {s.kind} {s.qualname} @{s.path}:{s.line}-{s.end_line} [{s.signature}]"
             for s in code.definitions(repo.id)]
    db = code.db  # type: ignore[attr-defined]
    rows = db.rows("SELECT e.kind, e.src, e.dst, e.name, e.confidence, f.path, e.line FROM code_edges e"
                   " JOIN code_files f ON f.id = e.file_id WHERE e.repo_id = ?", (repo.id,))
    lines += [f"edge {k} {s} -> {d} ({n}, {c}) @{p}:{line}" for k, s, d, n, c, p, line in rows]
    return sorted(lines)


def all_rows(runtime: Runtime, repo: CodeRepo) -> tuple[list[tuple[object, ...]], ...]:
    """Files (without stat fields), symbols and edges of a repository, order-free."""
    db = runtime.store.code.db  # type: ignore[attr-defined]
    files = sorted(db.rows("SELECT path, language, module, digest, error FROM code_files WHERE repo_id = ?",
                           (repo.id,)))
    symbols = sorted(db.rows("SELECT f.path, s.name, s.qualname, s.kind, s.line, s.end_line, s.parent, s.signature,"
                             " s.doc, s.decorators FROM code_symbols s JOIN code_files f ON f.id = s.file_id"
                             " WHERE s.repo_id = ?", (repo.id,)))
    edges = sorted(db.rows("SELECT f.path, e.kind, e.src, e.dst, e.name, e.confidence, e.line FROM code_edges e"
                           " JOIN code_files f ON f.id = e.file_id WHERE e.repo_id = ?", (repo.id,)))
    return files, symbols, edges


def touch_later(path: Path) -> None:
    """Move a file's modification time forward (an edit a second later)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
