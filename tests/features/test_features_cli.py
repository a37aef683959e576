"""``perth features``: JSON contracts, the user file and switches, check against a real shellperf run."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.json_contract import pinned_json

CONTRACTS: dict[str, set[str]] = {
    "perth.features.status.v1": {"schema", "shell", "platform", "run", "features", "problems"},
    "perth.features.check.v1": {"schema", "shell", "mode", "verdict", "findings", "problems", "budgets", "run",
                                "exit_code"},
    "perth.features.build.v1": {"schema", "shell", "output", "compiled", "order", "phases", "not_loaded"},
    "perth.features.switch.v1": {"schema", "name", "switched", "enabled", "state", "layer", "cascaded"},
    "perth.features.graph.v1": {"schema", "shell", "nodes", "edges", "order", "problems"},
}
STATUS_FEATURE_KEYS = {"name", "phase", "enabled", "state", "layer", "cascaded_from", "depends_on", "measured_ms",
                       "budget_ms", "budget_status", "origin"}
DECLARATIONS = """
[features.base]
snippet = "true"
budget_ms = 50
[features.slow]
snippet = "sleep 0.05"
depends_on = ["base"]
budget_ms = 5
[features.prompt]
phase = "postprompt"
snippet = "true"
depends_on = ["slow"]
"""


def _json(cli: Callable[..., Any], *args: str, code: int = 0) -> dict[str, Any]:
    return pinned_json(cli, CONTRACTS, *args, code=code)


@pytest.fixture
def user_file(perth_home: Path) -> Path:
    perth_home.mkdir(parents=True, exist_ok=True)
    path = perth_home / "features.toml"
    path.write_text(DECLARATIONS)
    return path


def test_status_graph_and_build_read_the_user_file(cli: Callable[..., Any], user_file: Path, tmp_path: Path) -> None:
    status = _json(cli, "features", "status")
    assert [f["name"] for f in status["features"]] == ["base", "slow", "prompt"]
    assert set(status["features"][0]) == STATUS_FEATURE_KEYS and status["run"] is None
    graph = _json(cli, "features", "graph")
    assert graph["edges"] == [{"from": "base", "to": "slow"}, {"from": "slow", "to": "prompt"}]
    dot = cli("features", "graph", "--format", "dot")
    assert dot.out == cli("features", "graph", "--format", "dot").out  # stable
    assert '"base" -> "slow";' in dot.out and dot.out.startswith("digraph features {")
    assert "f0 --> f1" in cli("features", "graph", "--format", "mermaid").out
    built = _json(cli, "features", "build", "--shell", "bash", "-o", str(tmp_path / "loader.bash"))
    assert built["order"] == ["base", "slow", "prompt"] and (tmp_path / "loader.bash").read_text().startswith("# ")
    assert built["compiled"] is None and not (tmp_path / "loader.bash.zwc").exists()
    zsh_built = _json(cli, "features", "build", "-o", str(tmp_path / "loader.zsh"))
    assert zsh_built["compiled"] == str(tmp_path / "loader.zsh.zwc") and (tmp_path / "loader.zsh.zwc").is_file()
    assert cli("features", "build", "--shell", "zsh").out.count('"$_perth_b" base init') == 1


def test_enable_disable_write_the_user_layer_and_report_the_cascade(cli: Callable[..., Any], user_file: Path,
                                                                      perth_home: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    switched = _json(cli, "features", "disable", "base")
    assert switched["enabled"] is False and switched["layer"] == "user file"
    assert [c["name"] for c in switched["cascaded"]] == ["slow", "prompt"]
    text = cli("features", "disable", "base")
    assert "slow: disabled because it depends on 'base'" in text.out
    assert tomllib.loads((perth_home / "features-switches.toml").read_text()) == {"enabled": {"base": False}}
    assert _json(cli, "features", "build", "-o", str(perth_home / "l.zsh"))["order"] == []
    assert _json(cli, "features", "build", "--enable", "base", "-o", str(perth_home / "l.zsh"))["order"] == [
        "base", "slow", "prompt"]  # the command line over the user file
    monkeypatch.setenv("PERTH_FEATURES_DISABLE", "slow")
    assert _json(cli, "features", "build", "--enable", "base", "--enable", "slow",
                 "-o", str(perth_home / "l.zsh"))["order"] == ["base"]  # the environment over the command line
    assert _json(cli, "features", "enable", "base")["enabled"] is True
    missing = cli("features", "enable", "nope")
    assert missing.code == 3 and missing.err.startswith("perth: error: no feature 'nope' — use one of: base")


def test_bad_declarations_are_one_line_errors_and_nothing_is_written(cli: Callable[..., Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[features.a]\nsnippet = ":"\nphase = "soon"\n')
    result = cli("features", "build", "--file", str(bad), "-o", str(tmp_path / "out.zsh"))
    assert result.code == 1 and result.err.count("\n") == 1
    assert "feature 'a': key 'phase' is 'soon' — use one of: preload, init, postprompt, idle" in result.err
    cycle = tmp_path / "cycle.toml"
    cycle.write_text('[features.a]\nsnippet = ":"\ndepends_on = ["b"]\n[features.b]\nsnippet = ":"\n'
                     'depends_on = ["a"]\n')
    result = cli("features", "build", "--file", str(cycle), "-o", str(tmp_path / "out.zsh"))
    assert result.code == 1 and "dependency cycle: a -> b -> a" in result.err
    assert not (tmp_path / "out.zsh").exists()
    gate = _json(cli, "features", "check", "--file", str(cycle), "--mode", "gate", code=5)
    assert gate["verdict"] == "FAIL" and gate["problems"][0]["path"] == ["a", "b", "a"]
    assert _json(cli, "features", "check", "--file", str(cycle), "--mode", "observe")["verdict"] == "WARN"


@pytest.mark.integration
def test_check_gates_on_a_budget_exceeded_in_the_latest_shellperf_run(cli: Callable[..., Any], user_file: Path,
                                                                      tmp_path: Path) -> None:
    loader = tmp_path / "loader.zsh"
    assert cli("features", "build", "-o", str(loader)).code == 0
    rc = tmp_path / "features.zshrc"
    rc.write_text(f"source {loader}\n")
    measured = cli("shellperf", "run", "--rc", str(rc), "-n", "2", "--warmup", "0", "--presses", "1", "--keys", "1",
                   "--no-exit", "--format", "json")
    assert measured.code == 0, measured.err
    report = _json(cli, "features", "check", "--mode", "gate", code=5)
    budgets = {b["name"]: b for b in report["budgets"]}
    assert budgets["slow"]["status"] == "over" and budgets["slow"]["measured_ms"] >= 45
    assert budgets["base"]["status"] == "ok" and budgets["prompt"]["status"] == "no budget"
    assert report["findings"] == [f"feature 'slow' took {budgets['slow']['measured_ms']:.2f} ms, over its budget"
                                  " of 5 ms"]
    status = _json(cli, "features", "status")
    assert status["run"]["id"] == json.loads(measured.out)["run"]["id"]
    assert {f["name"]: f["budget_status"] for f in status["features"]}["slow"] == "over"
    warn = cli("features", "check")
    assert warn.code == 0 and "perth: warning: feature 'slow' took" in warn.err


def test_import_proposes_declarations_the_loader_accepts(cli: Callable[..., Any], tmp_path: Path) -> None:
    zshrc = tmp_path / ".zshrc"
    zshrc.write_text('export ZSH="$HOME/.oh-my-zsh"\nplugins=(git docker)\nsource $ZSH/oh-my-zsh.sh\n'
                     "zinit light zsh-users/zsh-autosuggestions\nautoload -Uz compinit && compinit\n")
    out = tmp_path / "proposed.toml"
    result = cli("features", "import", "--zshrc", str(zshrc), "-o", str(out))
    assert result.code == 0 and "3 proposed feature(s)" in result.err
    assert _json(cli, "features", "build", "--file", str(out), "-o", str(tmp_path / "l.zsh"))["order"] == [
        "oh-my-zsh", "zsh-autosuggestions", "compinit"]
    assert cli("features", "import", "--zshrc", str(tmp_path / "none")).code == 3


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "llm"])
@pytest.mark.parametrize("command", [("status",), ("check",), ("disable", "slow"), ("enable", "slow")])
def test_read_commands_speak_every_format(cli: Callable[..., Any], user_file: Path, fmt: str,
                                          command: tuple[str, ...]) -> None:
    result = cli("features", *command, "--format", fmt)
    assert result.code == 0, result.err
    if fmt == "json":
        assert json.loads(result.out)["schema"].startswith("perth.features.")
    elif fmt == "llm":
        assert "slow" in result.out and "|" not in result.out
    else:
        assert "slow" in result.out
