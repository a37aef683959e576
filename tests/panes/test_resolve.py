"""Current-pane resolution order: --pane, $PERTH_PANE, multiplexer pane, automatic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import InvalidInputError
from perth.panes.automatic import candidate_names
from perth.panes.resolve import resolve
from perth.panes.service import PaneSpec, create_pane
from perth.records import check_pane_name
from perth.runtime import Runtime


def test_order_flag_env_mux_auto(make_rt: Callable[..., Runtime], repo: Path) -> None:
    setup = make_rt(cwd=repo)
    create_pane(setup, PaneSpec(name="from-tmux", mux_kind="tmux", mux_pane_id="%7"))
    env = {"PERTH_PANE": "from-env", "TMUX_PANE": "%7"}
    assert resolve(make_rt(env, cwd=repo), "from-flag").how == "flag"
    found = resolve(make_rt(env, cwd=repo))
    assert (found.name, found.how, found.pane) == ("from-env", "env", None)
    found = resolve(make_rt({"TMUX_PANE": "%7"}, cwd=repo))
    assert (found.name, found.how, found.detail) == ("from-tmux", "tmux", "$TMUX_PANE=%7")
    assert found.pane is not None
    found = resolve(make_rt({"TMUX_PANE": "%99"}, cwd=repo))
    assert (found.name, found.how) == ("myrepo/feature/x", "auto")
    assert str(repo) in found.detail


def test_zellij_pane_id_maps_to_registered_pane(make_rt: Callable[..., Runtime]) -> None:
    rt = make_rt({"ZELLIJ_PANE_ID": "4", "ZELLIJ_SESSION_NAME": "dev"})
    pane = create_pane(rt, PaneSpec(name="zj"))
    assert (pane.mux_kind, pane.mux_pane_id, pane.session) == ("zellij", "4", "dev")
    found = resolve(make_rt({"ZELLIJ_PANE_ID": "4"}))
    assert (found.name, found.how) == ("zj", "zellij")


def test_automatic_name_outside_a_repository(make_rt: Callable[..., Runtime], tmp_path: Path) -> None:
    place = tmp_path / "Some Project!"
    place.mkdir()
    found = resolve(make_rt(cwd=place))
    assert found.name == "Some-Project"
    assert found.how == "auto"


def test_invalid_env_pane_name_is_rejected(make_rt: Callable[..., Runtime]) -> None:
    with pytest.raises(InvalidInputError, match="invalid pane name"):
        resolve(make_rt({"PERTH_PANE": "bad name with spaces"}))


@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=80)))
def test_automatic_names_are_always_valid(base: str, branch: str | None) -> None:
    root = str(Path("/x") / (base.replace("/", "_").replace("\0", "") or "r"))
    for names in (candidate_names(root, branch), candidate_names("/x/" + base, None)):
        assert len(set(names)) == len(names)
        for name in names:
            assert check_pane_name(name) == name
