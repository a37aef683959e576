"""What the hooks leave on disk: nothing captured outside the spool, and a spool that is private
(0600) whatever the user's umask, even when the ingester renames it away at the worst moment."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from perth.capture.integration import render_init
from tests.capture.shell_driver import InteractiveShell

pytestmark = pytest.mark.integration

SHELLS = [pytest.param(name, marks=pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} is not installed"))
          for name in ("zsh", "bash", "fish")]
SECRET = "hunter2-" + "Zq8vRk3mW1"


def _hook_files(spool_dir: Path) -> list[Path]:
    """Every file the hooks keep besides the spool itself (scratch files)."""
    return [p for p in spool_dir.iterdir() if p.is_file() and not p.name.endswith(".spool")]


@pytest.mark.parametrize("shell_name", SHELLS)
def test_no_scratch_file_keeps_a_typed_secret(shell_name: str, tmp_path: Path) -> None:
    with InteractiveShell(shell_name, tmp_path) as shell:
        shell.run(f" : hidden {SECRET}")
        shell.run(f": MY_TOKEN={SECRET}")
        shell.run(": next")
        shell.run("")
        leaks = [p.name for p in _hook_files(shell.spool_dir) if SECRET.encode() in p.read_bytes()]
        assert leaks == []  # while the shell still runs
        for path in [*_hook_files(shell.spool_dir), *shell.spool_files()]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_spool_renamed_away_just_before_the_append_is_recreated_private(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir(mode=0o700)
    script = tmp_path / "perth.bash"
    script.write_text(render_init("bash", spool_dir=str(spool_dir), perth_command="perth"))
    # The DEBUG trap runs before each simple command (functions included, with set -T): it removes the
    # spool right before the append, as an ingester renaming it at the worst moment would.
    code = f"""
        umask 022
        source {script}
        _perth_last_history
        : > "$_perth_spool"
        set -T
        trap '[[ $BASH_COMMAND == "builtin printf"*"_perth_spool"* || $BASH_COMMAND == "builtin printf '"'"'%s\\\\n'"'"' \\"\\$1\\""* ]] && rm -f -- "$_perth_spool"' DEBUG
        _perth_append one
        trap - DEBUG
        printf '%s' "$_perth_spool"
    """
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", code], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    spool = Path(done.stdout)
    assert spool.read_text() == "one\n"
    assert stat.S_IMODE(spool.stat().st_mode) == 0o600


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_records_real_start_times_in_order(tmp_path: Path) -> None:
    import time

    before = time.time_ns() // 1000
    with InteractiveShell("fish", tmp_path) as shell:
        for index in range(6):
            shell.run(f"echo quick-{index}")
        shell.run("/bin/sleep 1.1")
        shell.run("echo late")
        records = shell.records()
    after = time.time_ns() // 1000
    starts = [r.start_us for r in records]
    assert all(s is not None and before - 1_000_000 <= s <= after for s in starts)
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert [r.command for r in records][-1] == "echo late"
    assert (starts[-1] or 0) - (starts[0] or 0) >= 1_000_000  # the sleep shows in the times


def _bash_on_terminal(script: Path, code: str, terminal: int) -> subprocess.CompletedProcess[str]:
    """``bash -c`` with the script sourced and standard input on ``terminal`` (the hook names its scratch file
    after the terminal it reads from)."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", f"umask 022; source {script}; {code}"],
                          stdin=terminal, capture_output=True, text=True, timeout=30, check=False)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_keeps_one_private_scratch_file_per_terminal_for_the_next_shell(tmp_path: Path) -> None:
    import os
    import socket

    spool_dir = tmp_path / "spool"
    script = tmp_path / "perth.bash"
    script.write_text(render_init("bash", spool_dir=str(spool_dir), perth_command="perth"))
    master, slave = os.openpty()
    try:
        first, second = (_bash_on_terminal(script, 'printf %s "$_perth_scratch"', slave) for _ in range(2))
        piped = subprocess.run(["bash", "--noprofile", "--norc", "-c", f'source {script}; printf %s "$_perth_scratch"'],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False)
    finally:
        os.close(master)
        os.close(slave)
    terminal = Path(first.stdout)
    assert first.stdout == second.stdout and terminal.parent == spool_dir, (first.stderr, second.stderr)
    host = "".join(c if c.isalnum() or c in "._-" else "_" for c in socket.gethostname())
    assert terminal.name.startswith(f".bash-tty-{host}-") and terminal.name.endswith(".tmp")
    assert stat.S_IMODE(terminal.stat().st_mode) == 0o600
    assert Path(piped.stdout).name.startswith(".bash-") and "-tty-" not in piped.stdout  # no terminal: its own
    from perth.capture.ingest import _remove_dead_scratch_files

    _remove_dead_scratch_files(str(spool_dir))
    assert terminal.exists()  # the ingester removes the files of exited shells only


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_drops_what_another_shell_wrote_over_the_scratch_file(tmp_path: Path) -> None:
    import os

    spool_dir = tmp_path / "spool"
    script = tmp_path / "perth.bash"
    script.write_text(render_init("bash", spool_dir=str(spool_dir), perth_command="perth"))
    # The DEBUG trap runs before the read-back: another shell on the same terminal writes its own
    # session line and history in between.
    code = r"""
        history -s ': mine'
        set -T
        trap '[[ $BASH_COMMAND == "IFS= builtin read"* ]] && printf "other-session\n  7  : theirs\n\0" 1<> "$_perth_scratch"' DEBUG
        _perth_last_history; status=$?
        trap - DEBUG
        printf '%s|%s|' "$status" "$_perth_ht"
        _perth_last_history; printf '%s|%s' "$?" "$_perth_ht"
    """
    master, slave = os.openpty()
    try:
        done = _bash_on_terminal(script, code, slave)
    finally:
        os.close(master)
        os.close(slave)
    assert done.stdout == "1||0|: mine", done.stderr
    scratch = next(spool_dir.glob(".bash-tty-*.tmp"))
    assert set(scratch.read_bytes()) <= {0x20}  # blanked, theirs included
