"""`render_init`, the scripts' names and quoting, and each script's helpers run by its real shell."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from perth.capture import integration
from perth.capture.integration import (
    SHELLS,
    global_pause_flag,
    render_init,
    session_pause_flag,
    spool_file,
)
from perth.capture.spool_format import escape
from perth.errors import InvalidInputError

pytestmark = pytest.mark.integration

INSTALLED = [pytest.param(name, marks=pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} missing"))
             for name in SHELLS]
WEIRD_DIR = "spool dir/it's \"quoted\" $HOME `x` \\ back\\\\slash\nnew line é @PERTH_COMMAND@ {a,b} *"
SOURCE = {
    "zsh": ["zsh", "-f", "-c"],
    "bash": ["bash", "--norc", "--noprofile", "-c"],
    "fish": ["fish", "--no-config", "-c"],
}
PRINT = {"zsh": "builtin print -rn -- {}", "bash": "builtin printf %s {}", "fish": "builtin printf %s {}"}
SAMPLES = [b"plain", b"tab\there", b"new\nline", b"cr\rlf\n", b"back\\slash\\", b"\\t not a tab", b"\xff\xfe bad \xc3",
           "é ü 😀 \u2028".encode(), b"", b"\\\\\t\t\n\n"]


def render_to(tmp_path: Path, shell: str, spool_dir: str) -> Path:
    script = tmp_path / f"perth.{shell}"
    script.write_text(render_init(shell, spool_dir=spool_dir, perth_command="/opt/perth's bin/perth"))
    return script


def run_shell(shell: str, code: str, *, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([*SOURCE[shell], code], capture_output=True, timeout=30, check=False,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stderr == b"", done.stderr.decode(errors="replace")
    return done.stdout.decode(errors="surrogateescape")


def test_render_fills_every_placeholder() -> None:
    for shell in SHELLS:
        text = render_init(shell, spool_dir="/s", perth_command="perth")
        assert "@PERTH_" not in text
        assert "'/s'" in text and "'perth'" in text


def test_an_unknown_shell_names_the_supported_ones() -> None:
    with pytest.raises(InvalidInputError, match="zsh, bash, fish"):
        render_init("tcsh", spool_dir="/s", perth_command="perth")


def test_a_nul_character_cannot_be_quoted() -> None:
    with pytest.raises(InvalidInputError, match="NUL"):
        render_init("zsh", spool_dir="/s\0", perth_command="perth")


@pytest.mark.parametrize("shell", INSTALLED)
def test_values_reach_the_shell_unchanged_and_the_spool_dir_is_private(shell: str, tmp_path: Path) -> None:
    spool_dir = str(tmp_path / WEIRD_DIR)
    script = render_to(tmp_path, shell, spool_dir)
    out = run_shell(shell, f"source {quote(script)}; " + PRINT[shell].format("\"$_perth_spool_dir\""))
    assert out == spool_dir
    out = run_shell(shell, f"source {quote(script)}; " + PRINT[shell].format("\"$_perth_command\""))
    assert out == "/opt/perth's bin/perth"
    assert stat.S_IMODE(Path(spool_dir).stat().st_mode) == 0o700


@pytest.mark.parametrize("shell", INSTALLED)
def test_one_session_per_shell_process_exported_to_children(shell: str, tmp_path: Path) -> None:
    script = quote(render_to(tmp_path, shell, str(tmp_path / "spool")))
    env_bin = shutil.which("env") or "/usr/bin/env"
    code = (f"source {script}; " + PRINT[shell].format('"$PERTH_SESSION "') + f"; source {script}; "
            + PRINT[shell].format('"$PERTH_SESSION "') + f"; {env_bin}")
    out = run_shell(shell, code, env={"PERTH_SESSION": "inherited-from-parent"})
    first, second, environment = out.split(" ", 2)
    assert first == second != "inherited-from-parent"
    pid = first.split("-")[0]
    assert re.fullmatch(r"\d+-\d+", first) and int(pid) > 0
    assert f"PERTH_SESSION={first}\n" in environment


@pytest.mark.parametrize("shell", INSTALLED)
def test_the_shell_escapes_fields_like_the_spool_reader_expects(shell: str, tmp_path: Path) -> None:
    script = quote(render_to(tmp_path, shell, str(tmp_path / "spool")))
    read = {"zsh": "zmodload zsh/mapfile; x=$mapfile[{}]", "bash": "IFS= builtin read -r -d '' x < {}",
            "fish": "builtin read -z x < {}"}[shell]
    for index, sample in enumerate(SAMPLES):
        path = tmp_path / f"sample{index}"
        path.write_bytes(sample)
        where = str(path) if shell == "zsh" else quote(path)  # a zsh subscript takes the path as is
        code = f"source {script}; {read.format(where)}; _perth_esc \"$x\"; "
        code += PRINT[shell].format('"$_perth_r"' if shell != "zsh" else '"$REPLY"')
        out = run_shell(shell, code)
        expected = escape(sample.decode("utf-8", "replace"))
        assert out.encode(errors="surrogateescape").decode("utf-8", "replace") == expected, sample


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck missing")
def test_the_bash_script_is_clean_under_shellcheck(tmp_path: Path) -> None:
    rendered = render_to(tmp_path, "bash", str(tmp_path / WEIRD_DIR))
    for path in (integration.script_path("bash"), str(rendered)):
        done = subprocess.run(["shellcheck", "-s", "bash", path], capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("shell", INSTALLED)
def test_the_scripts_parse(shell: str) -> None:
    check = {"zsh": ["zsh", "-n"], "bash": ["bash", "-n"], "fish": ["fish", "--no-execute"]}[shell]
    done = subprocess.run([*check, integration.script_path(shell)], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_file_names_in_the_spool_directory() -> None:
    assert global_pause_flag("/s") == "/s/paused"
    assert session_pause_flag("/s", "123-456") == "/s/paused.123-456"
    assert spool_file("/s", "fish", "9-1") == "/s/fish-9-1.spool"
    for bad in ("", "../x", "a/b", ".hidden", "x" * 200, "tab\t"):
        with pytest.raises(InvalidInputError, match="session"):
            session_pause_flag("/s", bad)
    with pytest.raises(InvalidInputError, match="unknown shell"):
        spool_file("/s", "csh", "1-1")


def test_importing_the_module_stays_light() -> None:
    """`perth init` runs at every shell start: the module must not pull in heavy modules."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import perth.capture.integration"],
                          capture_output=True, text=True, timeout=60, check=True)
    baseline = subprocess.run([sys.executable, "-X", "importtime", "-c", "pass"], capture_output=True, text=True,
                              timeout=60, check=True)
    added = imported(done.stderr) - imported(baseline.stderr)
    assert added <= {"perth", "perth.capture", "perth.capture.integration", "perth.errors", "__future__"}


def imported(importtime: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in importtime.splitlines()
            if line.startswith("import time:") and "|" in line and "package" not in line}


def quote(path: Path | str) -> str:
    """A temporary path as one word in all three shells (they agree on plain single quotes)."""
    assert "'" not in str(path) and "\\" not in str(path)
    return f"'{path}'"
