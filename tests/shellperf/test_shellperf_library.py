"""The instrumentation library, run by the real shells: silent when off, exact lines when on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from perth.errors import InvalidInputError
from perth.shellperf.instrument import library_source
from perth.shellperf.segments import parse_segment_lines

pytestmark = pytest.mark.integration
USE = ("perth_segment_begin a x; sleep 0.05; perth_segment_end a; perth_segment_wrap w true;"
       " perth_segment_mark pre_plugin_total; perth_segment_mark deferred_total deferred; echo done")
FLAGS = {"zsh": ["-f", "-c"], "bash": ["--noprofile", "--norc", "-c"]}


def _run(shell: str, library: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([shell, *FLAGS[shell], f"source {library}; {USE}"], capture_output=True, text=True,
                          env=env, check=True, timeout=30, cwd=library.parent)


@pytest.mark.parametrize("shell", ["zsh", "bash"])
def test_off_by_default_no_output_no_file(tmp_path: Path, shell: str) -> None:
    (tmp_path / "lib").mkdir()
    library = tmp_path / "lib" / f"lib.{shell}"
    library.write_text(library_source(shell))
    env = {k: v for k, v in os.environ.items() if k != "PERTH_SEGMENT_LOG"}
    done = _run(shell, library, env)
    assert done.stdout == "done\n" and done.stderr == ""
    assert sorted(p.name for p in library.parent.iterdir()) == [library.name]


@pytest.mark.parametrize("shell", ["zsh", "bash"])
def test_on_writes_segment_lines_with_the_shell_clock(tmp_path: Path, shell: str) -> None:
    library = tmp_path / f"lib.{shell}"
    library.write_text(library_source(shell))
    log = tmp_path / "segments.log"
    done = _run(shell, library, {**os.environ, "PERTH_SEGMENT_LOG": str(log)})
    assert done.stdout == "done\n"
    lines = log.read_text().splitlines()
    assert all(re.fullmatch(r"SEGMENT name=\S+ ms=\d+\.\d{3} phase=\S+ at=\d+[.,]\d+", line) for line in lines), lines
    parsed = parse_segment_lines(lines)
    assert parsed.malformed == 0 and list(parsed.values) == ["a", "w", "pre_plugin_total", "deferred_total"]
    assert 45 <= parsed.values["a"] <= 150 and parsed.phases["a"] == "x"
    assert parsed.phases["deferred_total"] == "deferred" and parsed.phases["pre_plugin_total"] == "lifecycle"


def test_bash_library_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is one of the Debian packages the test suite needs (make deb-deps)"
    done = subprocess.run([shellcheck, "-s", "bash", "-"], input=library_source("bash"), capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_only_zsh_and_bash_have_a_library() -> None:
    with pytest.raises(InvalidInputError):
        library_source("fish")
