"""Incremental indexing: edits, renames, deletions, a branch switch, and incremental == full after random edits."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.codeindex import service
from perth.codeindex.indexer import index_repo
from perth.record import replace
from perth.runtime import Runtime
from tests.codeindex.conftest import all_rows, copy_fixture, touch_later
from tests.gitrepo import git


def _full_equals_incremental(rt: Runtime, root: Path, name: str) -> None:
    """Index a copy of ``root`` from scratch and compare every row with the incremental result."""
    repo = rt.store.code.get_repo(name=name)
    assert repo is not None
    incremental = all_rows(rt, repo)
    index_repo(rt, repo, full=True)
    assert all_rows(rt, repo) == incremental


def test_only_changed_files_are_parsed(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    repo = service.add_repo(rt, str(root), name="py")
    first = index_repo(rt, repo)
    assert (first.parsed, first.unchanged) == (6, 0)
    repo = rt.store.code.get_repo(repo_id=repo.id)
    assert repo is not None
    rt.clock = lambda: repo.indexed_at + 10_000  # type: ignore[method-assign,operator]
    again = index_repo(rt, replace(repo, indexed_at=repo.indexed_at + 10_000))  # type: ignore[operator]
    assert (again.parsed, again.unchanged) == (0, 6)
    store = root / "app" / "core" / "store.py"
    store.write_text(store.read_text() + "\n\ndef save():\n    return load()\n")
    touch_later(store)
    edited = index_repo(rt, repo)
    assert edited.parsed == 1
    assert rt.store.code.find_symbols(repo.id, name="app.core.store.save")
    _full_equals_incremental(rt, root, "py")


def test_rename_and_delete(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    repo = service.add_repo(rt, str(root), name="py")
    index_repo(rt, repo)
    (root / "app" / "util.py").rename(root / "app" / "helpers_text.py")
    (root / "tests" / "test_engine.py").unlink()
    report = index_repo(rt, repo)
    assert (report.renamed, report.deleted) == (1, 1)
    names = {s.qualname for s in rt.store.code.definitions(repo.id)}
    assert "app.helpers_text.fmt" in names and "app.util.fmt" not in names
    assert not any(q.startswith("test_engine") for q in names)
    _full_equals_incremental(rt, root, "py")


def test_package_gaining_an_init_renames_its_modules(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    repo = service.add_repo(rt, str(root), name="py")
    index_repo(rt, repo)
    (root / "tests" / "__init__.py").write_text("")
    index_repo(rt, repo)
    assert rt.store.code.find_symbols(repo.id, name="tests.test_engine.test_start")
    _full_equals_incremental(rt, root, "py")


def test_branch_switch_and_status(rt: Runtime, tmp_path: Path) -> None:
    root = copy_fixture("python", tmp_path)
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("ignored/\n")
    (root / "ignored").mkdir()
    (root / "ignored" / "skip.py").write_text("def hidden():\n    pass\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    repo = service.add_repo(rt, str(root), name="py")
    index_repo(rt, repo)
    assert not rt.store.code.find_symbols(repo.id, name="hidden")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "app" / "feature.py").write_text("from .util import fmt\n\ndef shiny():\n    return fmt(2)\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feature")
    assert [s.state for s in service.status(rt, "py")] == ["stale"]
    index_repo(rt, repo)
    assert [s.state for s in service.status(rt, "py")] == ["fresh"]
    assert rt.store.code.find_symbols(repo.id, name="shiny")
    git(root, "checkout", "-q", "main")
    index_repo(rt, repo)
    assert not rt.store.code.find_symbols(repo.id, name="shiny")
    stored = rt.store.code.get_repo(repo_id=repo.id)
    assert stored is not None and stored.branch == "main"
    _full_equals_incremental(rt, root, "py")


_IDENT = st.text(string.ascii_lowercase, min_size=1, max_size=6)
_EDIT = st.tuples(st.sampled_from(["write", "delete", "rename", "init"]), st.integers(0, 5), _IDENT, _IDENT)


def _module_text(name: str, callee: str) -> str:
    return f"from .m0 import f0 as {callee}_alias\n\n\ndef {name}():\n    return {callee}_alias()\n\n\ndef f0():\n    pass\n"


def _apply(root: Path, edit: tuple[str, int, str, str]) -> None:
    action, index, name, callee = edit
    files = sorted(p for p in root.rglob("*.py"))
    target = root / "pkg" / f"m{index}.py"
    if action == "write" or not files:
        target.parent.mkdir(exist_ok=True)
        target.write_text(_module_text(name, callee))
        touch_later(target)
    elif action == "delete":
        files[index % len(files)].unlink()
    elif action == "rename":
        source = files[index % len(files)]
        source.rename(source.with_name(f"r_{name}.py"))
    else:
        (root / "pkg" / "__init__.py").write_text("" if index % 2 else f'"""{name}"""\n')


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_EDIT, min_size=1, max_size=4), min_size=1, max_size=4))
def test_incremental_equals_full_after_random_edits(rt: Runtime, tmp_path_factory: object, rounds: list) -> None:  # type: ignore[type-arg]
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        (root / "pkg").mkdir(parents=True)
        name = Path(folder).name.lower().replace("_", "")
        repo = service.add_repo(rt, str(root), name=f"h{name}")
        index_repo(rt, repo)
        for edits in rounds:
            for edit in edits:
                _apply(root, edit)
            index_repo(rt, repo)
        _full_equals_incremental(rt, root, repo.name)
        rt.store.code.remove_repo(repo.id)
