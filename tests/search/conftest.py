"""Helpers for search tests: a runtime over the test's PERTH_HOME and commands stored directly."""

from __future__ import annotations

import os
from collections.abc import Sequence

from perth.capture.records import Command
from perth.config import load_settings
from perth.paths import resolve_paths
from perth.runtime import Runtime


def make_rt(**overrides: str) -> Runtime:
    environ = dict(os.environ)
    return Runtime(settings=load_settings(resolve_paths(environ), environ, overrides), environ=environ)


def add_commands(rt: Runtime, texts: Sequence[str], *, start_ms: int = 1_700_000_000_000, step_ms: int = 1000,
                 exit_status: int = 0, cwd: str = "/work/app", host: str = "box", pane_id: str | None = None,
                 tag: str = "c") -> list[Command]:
    commands = [Command(id=f"{tag}{i:07d}", pane_id=pane_id, pane_name=None, start_ms=start_ms + i * step_ms,
                        duration_ms=10, exit=exit_status, command=text, cwd=cwd, host=host,
                        dedup_key=f"{tag}-{i}") for i, text in enumerate(texts)]
    rt.store.commands.add(commands)
    return commands
