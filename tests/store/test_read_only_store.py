"""A store Perth cannot write (read-only file system or folder) still answers every read."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

READS = (("history",), ("status",), ("export",), ("search", "hello"), ("pane", "list"), ("show", "{id}"),
         ("history", "--commands"), ("journal", "--since", "1d"), ("handoff", "--pane", "work"))


def _perth(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "perth", *args]


def _read_only_runner(home: Path) -> list[str]:
    """A command prefix that runs its argument with ``home`` read-only (root: a read-only bind mount)."""
    if os.geteuid() != 0:
        os.chmod(home, 0o500)
        for path in home.iterdir():
            os.chmod(path, 0o400) if path.is_file() else None
        return ["sh", "-c"]
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("running as root without mount namespaces: cannot make a folder read-only here")
    mount = f"mount --bind {shlex.quote(str(home))} {shlex.quote(str(home))} && " \
            f"mount -o remount,ro,bind {shlex.quote(str(home))} && "
    return ["unshare", "-m", "sh", "-c", mount + '"$0" "$@"', "sh", "-c"]


def test_reads_work_on_a_read_only_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}, "PERTH_HOME": str(home)}
    done = subprocess.run(_perth(home, "log", "hello", "--format", "json"), env=env, cwd=work, capture_output=True,
                          text=True, check=True)
    import json

    entry_id = json.loads(done.stdout)["entry"]["id"][-8:]
    spool = home / "state" / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    (spool / "bash-ro.spool").write_text("1\t1700000000000000\t5\t0\tbash\tro\t\t\t\t/tmp\t\t\th\tu\tls\n")
    prefix = _read_only_runner(home)
    for args in READS:
        command = " ".join(shlex.quote(a) for a in _perth(home, *(a.format(id=entry_id) for a in args)))
        run = subprocess.run([*prefix, command], env=env, cwd=work, capture_output=True, text=True, check=False,
                             timeout=60)
        assert run.returncode == 0, (args, run.stderr)
    write = " ".join(shlex.quote(a) for a in _perth(home, "log", "more"))
    refused = subprocess.run([*prefix, write], env=env, cwd=work, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "perth: error: cannot write the data file" in refused.stderr
