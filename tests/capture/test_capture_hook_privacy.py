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
