"""``make run`` ends with commands that work as printed, on the demo store it just showed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_next_step_hint_is_true(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    if not (venv / "bin" / "perth").exists():
        pytest.skip("Perth is not installed as a console script in this environment")
    demo = tmp_path / "demo-home"
    user_home = tmp_path / "user"
    user_home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "XDG_"))}
    env.update(HOME=str(user_home), PATH="/usr/bin:/bin")
    perth = str(venv / "bin" / "perth")
    done = subprocess.run(["make", "-s", "-C", str(ROOT), "run", f"VENV={venv}", f"PERTH_HOME={demo}", "-o", perth],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Next:"))
    script = "\n".join(line.strip() for line in lines[start + 1:] if line.strip())
    shell = subprocess.run(["bash", "-euc", script], capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=120, check=False)
    assert shell.returncode == 0, shell.stderr
    assert "what you are about to do" in shell.stdout
    assert (demo / "perth.db").exists()
    assert not (user_home / ".local" / "share" / "perth").exists(), "the hint must not write the real store"
