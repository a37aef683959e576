"""``scan_paths``: git-ignored and binary files skipped, allow-lists honoured, hook declared."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from perth.redact import SecretFilter
from perth.redact.ignore import Allowlist, GitIgnore, glob_regex
from perth.redact.rules.model import ALNUM, fake
from perth.redact.scan import ScanFinding, scan_paths

TOKEN = "ghp_" + fake(ALNUM, 36, "scan-ghp")
LINE = f"export GITHUB_TOKEN={TOKEN}\n"
REPO_ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def scan(*paths: Path, allowlist: Path | None = None) -> list[ScanFinding]:
    return list(scan_paths(list(paths), filter=SecretFilter(), allowlist_file=allowlist))


def rel(findings: list[ScanFinding], root: Path) -> list[tuple[str, int, int, str]]:
    return [(f.path.resolve().relative_to(root.resolve()).as_posix(), f.line, f.column, f.rule_id)
            for f in findings]


def test_scan_in_a_git_repository_skips_ignored_and_binary_files(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "secrets.env\nbuild/\n")
    write(tmp_path / "app.env", "# config\n" + LINE)
    write(tmp_path / "secrets.env", LINE)
    write(tmp_path / "build" / "out.txt", LINE)
    write(tmp_path / "image.bin", b"\x00\x01" + LINE.encode())
    write(tmp_path / "src" / "db.py", 'password = "' + fake(ALNUM, 14, "scan-pw") + '"\n')
    found = scan(tmp_path)
    assert rel(found, tmp_path) == [("app.env", 2, 21, "github-pat"),
                                    ("src/db.py", 1, 13, "password-assignment")]
    assert all(len(f.fingerprint) == 16 and TOKEN not in repr(f) for f in found)


def test_scan_outside_git_reads_gitignore_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".gitignore", "*.log\n/vendor/\n!keep.log\n")
    write(tmp_path / "a.log", LINE)
    write(tmp_path / "keep.log", LINE)
    write(tmp_path / "vendor" / "x.env", LINE)
    write(tmp_path / "sub" / ".gitignore", "local.env\n")
    write(tmp_path / "sub" / "local.env", LINE)
    write(tmp_path / "sub" / "vendor" / "y.env", LINE)
    found = scan(tmp_path)
    assert [p for p, *_ in rel(found, tmp_path)] == ["keep.log", "sub/vendor/y.env"]


def test_allowlist_file_paths_rules_and_fingerprints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "docs" / "guide.md", LINE)
    write(tmp_path / "tests" / "fixtures" / "a.env", LINE)
    write(tmp_path / "conf" / "b.env", LINE + "mysql -p" + fake(ALNUM, 10, "scan-my") + "\n")
    write(tmp_path / "conf" / "c.env", LINE + f"TOKEN={TOKEN}  # perth:allow\n")
    everything = scan(tmp_path)
    assert len(everything) == 5
    c_env = next(f for f in everything if f.path.name == "c.env")
    write(tmp_path / ".perthallow", "# reviewed\ntests/fixtures/**\ngithub-pat:docs/*.md\n"
          f"fingerprint:{c_env.fingerprint}  # a documented example\n")
    remaining = scan(tmp_path)
    assert sorted((f.path.name, f.rule_id) for f in remaining) == [
        ("b.env", "github-pat"), ("b.env", "mysql-password")]
    assert scan(tmp_path, allowlist=tmp_path / "missing") == everything


def test_explicit_files_are_scanned_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one = write(tmp_path / "one.txt", "clean\n")
    two = write(tmp_path / "two.txt", "x\n\n" + LINE)
    assert rel(scan(one, two), tmp_path) == [("two.txt", 3, 21, "github-pat")]
    assert scan(tmp_path / "does-not-exist") == []


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("*.log", "a/b/c.log", True), ("/vendor/", "vendor", True), ("/vendor/", "x/vendor", False),
    ("docs/*.md", "docs/a.md", True), ("docs/*.md", "docs/x/a.md", False),
    ("tests/**/x.py", "tests/a/b/x.py", True), ("tests/**", "tests/a", True), ("[ab].txt", "b.txt", True),
])
def test_glob_semantics_follow_gitignore(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is matches


def test_gitignore_directory_patterns_and_negation(tmp_path: Path) -> None:
    write(tmp_path / ".gitignore", "build/\n*.tmp\n!important.tmp\n")
    ignore = GitIgnore()
    ignore.add_file(tmp_path / ".gitignore", "")
    assert ignore.ignored("build/x.txt", False)
    assert not ignore.ignored("build", False)
    assert ignore.ignored("a.tmp", False) and not ignore.ignored("important.tmp", False)


def test_allowlist_parsing() -> None:
    allow = Allowlist()
    for line in ("", "# c", "0123456789abcdef", "jwt:docs/**", "fixtures/"):
        allow.add(line)
    assert allow.fingerprints == {"0123456789abcdef"}
    assert allow.permits("docs/a/b.md", "jwt", "x") and not allow.permits("docs/a.md", "github-pat", "x")
    assert allow.skips_file("fixtures/a/b.txt")


def test_pre_commit_hook_is_declared() -> None:
    text = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text()
    for expected in ("id: perth-scan", "entry: perth scan", "language: python",
                     "pass_filenames: true"):
        assert expected in text
