"""The autosave task of ``perth daemon`` (same rules as ``perth snapshot save``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perth.config import load_settings
from perth.daemon import builtin_tasks
from perth.mux.tasks import autosave_task
from perth.paths import resolve_paths
from perth.runtime import Runtime
from tests.mux.tmuxserver import TmuxServer, needs_tmux, tmux_server


def make_runtime(environ: dict[str, str]) -> Runtime:
    return Runtime(load_settings(resolve_paths(), environ=environ), environ=environ)


@pytest.fixture
def server() -> Iterator[TmuxServer]:
    with tmux_server() as srv:
        yield srv


def test_registered_in_the_daemon_and_can_be_turned_off() -> None:
    rt = make_runtime({})
    try:
        tasks = {t.name: t for t in builtin_tasks(rt)}
        assert tasks["autosave"].interval_s == 900
    finally:
        rt.close()
    off = make_runtime({"PERTH_MUX__AUTOSAVE_INTERVAL_S": "0"})
    try:
        assert autosave_task(off) is None
        assert "autosave" not in {t.name for t in builtin_tasks(off)}
    finally:
        off.close()


@needs_tmux
@pytest.mark.timeout(60)
def test_autosave_saves_after_one_interval_and_skips_repeats(server: TmuxServer, tmp_path: object) -> None:
    server.start("main", "code", "/tmp", "sleep 300")
    rt = make_runtime({"PERTH_MUX__TMUX_SOCKET_NAME": server.name})
    try:
        task = autosave_task(rt)
        assert task is not None
        assert task.run(rt) == ""  # the daemon's start: no save yet
        assert task.run(rt).startswith("autosaved snapshot auto-")
        assert task.run(rt) == ""  # identical: not saved again
        assert [s.kind for s in rt.store.snapshots.all()] == ["auto"]
        server.kill()
        assert task.run(rt) == ""  # no server: nothing to do, no error
    finally:
        rt.close()
