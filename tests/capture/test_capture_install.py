"""`perth init SHELL --install`: the file it writes, sourced by real zsh, bash and fish, and its upgrade check."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perth import __version__
from perth.capture.install import installed_version, regenerate_command, source_line

pytestmark = pytest.mark.integration

SHELLS = [pytest.param(name, marks=pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} missing"))
          for name in ("zsh", "bash", "fish")]
RUN = {"zsh": ["zsh", "-f", "-c"], "bash": ["bash", "--norc", "--noprofile", "-c"], "fish": ["fish", "--no-config", "-c"]}
OLD = 1_500_000_000  # a modification time older than any installed Perth package


def install(cli: Callable[..., Any], shell: str, *extra: str) -> Path:
    result = cli("init", shell, "--install", *extra)
    assert result.code == 0, result.err
    line = result.out.strip()
    assert "\n" not in line and line.startswith("source '")
    assert "add the line above to" in result.err
    return Path(line[len("source '"):-1])


def run(shell: str, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    shell_path = shutil.which(shell)
    assert shell_path is not None
    return subprocess.run([shell_path, *RUN[shell][1:], code], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, **env})


@pytest.mark.parametrize("shell", SHELLS)
def test_install_writes_a_private_versioned_file_that_sources_without_any_program(
        cli: Callable[..., Any], perth_home: Path, shell: str) -> None:
    path = install(cli, shell)
    assert path == perth_home / "shell" / f"perth.{shell}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert installed_version(str(path)) == __version__
    assert path.read_text().startswith(f"# Perth {__version__} shell integration for {shell}")
    # PATH leads nowhere: sourcing must not need any external program (no Python, no mkdir: the spool dir exists)
    done = run(shell, f"source '{path}'; builtin echo \"$_perth_installed_version $_perth_spool\"",
               PATH="/nonexistent")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    version, spool = done.stdout.split()
    assert version == __version__
    assert spool.startswith(str(perth_home / "state" / "spool" / f"{shell}-"))


@pytest.mark.parametrize("shell", SHELLS)
def test_a_current_file_registers_no_exit_hook(cli: Callable[..., Any], shell: str) -> None:
    path = install(cli, shell)
    probe = {"zsh": 'builtin print -r -- "hooks:${zshexit_functions[*]}"',
             "bash": 'builtin echo "hooks:$(trap -p EXIT)"',
             "fish": "if functions -q _perth_refresh; echo hooks:_perth_refresh; else; echo hooks:; end"}[shell]
    done = run(shell, f"source '{path}'; {probe}")
    assert done.stdout.strip() == "hooks:", done.stderr


def wait_rewritten(path: Path, timeout_s: float = 30.0) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.stat().st_mtime > OLD + 1:
            return path.stat().st_mtime
        time.sleep(0.05)
    raise AssertionError(f"{path} was not rewritten within {timeout_s} s")


@pytest.mark.parametrize("shell", SHELLS)
def test_an_outdated_file_is_rewritten_in_the_background_when_the_shell_exits(
        cli: Callable[..., Any], shell: str) -> None:
    path = install(cli, shell)
    fresh = path.read_text()
    path.write_text(fresh.replace(f"# Perth {__version__} ", "# Perth 0.0.1 ", 1))
    os.utime(path, (OLD, OLD))  # the installed package is now newer than the file
    started = time.time()
    done = run(shell, f"source '{path}'; builtin echo sourced")
    assert done.returncode == 0 and done.stdout == "sourced\n", done.stderr
    assert wait_rewritten(path) >= started - 1
    deadline = time.monotonic() + 10
    while installed_version(str(path)) != __version__ and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.read_text() == fresh
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash missing")
def test_bash_keeps_an_exit_trap_set_before_it(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = install(cli, "bash")
    os.utime(path, (OLD, OLD))
    marker = tmp_path / "user-trap-ran"
    done = run("bash", f"trap 'echo ran > {marker}' EXIT; source '{path}'; trap -p EXIT")
    assert done.stdout.startswith("trap -- '_perth_refresh; echo ran >"), done.stdout
    assert marker.read_text() == "ran\n"
    wait_rewritten(path)


def test_output_elsewhere_and_its_source_line_quote_the_path(cli: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "it's here" / "perth.zsh"
    result = cli("init", "zsh", "--install", "--output", str(target))
    assert result.code == 0 and result.out == source_line("zsh", str(target)) + "\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and installed_version(str(target)) == __version__
    assert source_line("zsh", str(target)) == f"source '{tmp_path}/it'\\''s here/perth.zsh'"
    assert source_line("fish", "/a/it's") == "source '/a/it\\'s'"


def test_output_without_install_is_a_usage_error(cli: Callable[..., Any]) -> None:
    result = cli("init", "zsh", "--output", "x")
    assert result.code == 2
    assert result.err.startswith("perth: error: --output is only used with --install")


def test_the_rewrite_command_keeps_perth_home_and_the_target() -> None:
    command = regenerate_command("zsh", "/d/perth.zsh", python="/py", perth_home="/h ome")
    assert command == "PERTH_HOME='/h ome' '/py' '-m' 'perth' 'init' 'zsh' '--install' '--output' '/d/perth.zsh'"
    assert not regenerate_command("fish", "/d", python="/py", perth_home=None).startswith("PERTH_HOME")


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck missing")
def test_the_installed_bash_file_is_clean_under_shellcheck(cli: Callable[..., Any]) -> None:
    path = install(cli, "bash")
    deferred = deferred_files(path)
    assert len(deferred) == 1
    done = subprocess.run(["shellcheck", "-s", "bash", str(path), *map(str, deferred)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout


def deferred_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".deferred-*"))


def test_bash_reads_the_functions_that_record_a_command_only_when_one_has_run(cli: Callable[..., Any]) -> None:
    """The installed bash file leaves the recording functions to a second file (bash reads a sourced file at
    every start in a time that grows with its length); stubs load it at the first command."""
    from perth.capture.install import DEFERRED

    path = install(cli, "bash")
    (deferred,) = deferred_files(path)
    script, functions = path.read_text(), deferred.read_text()
    for name in DEFERRED["bash"]:
        assert f"\n{name}() {{\n" in functions and f"\n{name}() {{\n" not in script
    assert stat.S_IMODE(deferred.stat().st_mode) == 0o600
    done = run("bash", f"source '{path}'; declare -F _perth_find_repo >/dev/null && echo early;"
                       " _perth_record 1 2 0 /tmp 'make test'; declare -F _perth_find_repo >/dev/null && echo loaded")
    assert done.stdout.split() == ["loaded"], done.stderr
    spool = list((perth_home_of(path) / "state" / "spool").glob("bash-*.spool"))
    assert [line.split("\t")[-1] for line in spool[0].read_text().splitlines()] == ["make test"]


def perth_home_of(path: Path) -> Path:
    return path.parent.parent  # PERTH_HOME/shell/perth.bash


def test_a_missing_deferred_file_is_said_once_and_recording_stops_quietly(cli: Callable[..., Any]) -> None:
    path = install(cli, "bash")
    for deferred in deferred_files(path):
        deferred.unlink()
    done = run("bash", f"source '{path}'; _perth_command_line; echo \"[$_perth_r]\"; _perth_command_line;"
                       " _perth_record 1 2 0 /tmp x; echo done")
    assert done.stdout.split() == ["[]", "done"]
    assert done.stderr.count("commands are not recorded (run: perth init bash --install)") == 1, done.stderr


def test_a_reinstall_keeps_recent_deferred_files_and_removes_old_ones(cli: Callable[..., Any]) -> None:
    path = install(cli, "bash")
    (current,) = deferred_files(path)
    recent, old = (path.parent / f"{path.name}.deferred-recent", path.parent / f"{path.name}.deferred-old")
    for stale in (recent, old):
        stale.write_text(": a file of an earlier install\n")
    os.utime(old, (OLD, OLD))
    install(cli, "bash")
    assert deferred_files(path) == sorted([current, recent])


def test_the_split_needs_every_deferred_function() -> None:
    from perth.capture.install import split_deferred

    with pytest.raises(ValueError, match="lacks the deferred functions"):
        split_deferred("bash", "_perth_record() {\n:\n}\n")
    with pytest.raises(ValueError, match="no closing line"):
        split_deferred("bash", "_perth_record() {\n:\n")


@pytest.mark.parametrize("shell", SHELLS)
def test_the_installed_file_parses(cli: Callable[..., Any], shell: str) -> None:
    path = install(cli, shell)
    check = {"zsh": ["zsh", "-n"], "bash": ["bash", "-n"], "fish": ["fish", "--no-execute"]}[shell]
    for target in (path, *deferred_files(path)):
        done = subprocess.run([*check, str(target)], capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_the_installed_file_is_the_script_without_comments_blank_lines_or_indentation(
        cli: Callable[..., Any], shell: str) -> None:
    from perth.capture.install import compact
    from perth.capture.integration import script_path

    path = install(cli, shell)
    lines = path.read_text().splitlines()
    assert lines[:2] == [f"# Perth {__version__} shell integration for {shell}, written by"
                         f" `perth init {shell} --install`.", "# Rewritten when Perth is upgraded: do not edit."]
    body = lines[3:]
    assert all(line and line == line.strip() for line in body)
    assert all(line.startswith("# shellcheck ") for line in body if line.startswith("#"))
    packaged = Path(script_path(shell)).read_text()
    assert len(compact(packaged)) < 0.8 * len(packaged)
    assert compact("  a\n\n  # note\n# shellcheck disable=SC1\n  b  # kept\n") == "a\n# shellcheck disable=SC1\nb  # kept\n"
