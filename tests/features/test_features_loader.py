"""The generated loader: shellcheck-clean bash, valid zsh, byte-stable, quiet when timing is off."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from perth.features.loader import build_loader, shell_word
from perth.features.model import Feature
from perth.features.resolve import resolve
from perth.features.switches import Switches

FEATURES = {
    "path": Feature(name="path", phase="preload", snippet="PATH=\"$HOME/bin:$PATH\"; export PATH"),
    "tool": Feature(name="tool", source="~/.tool.sh", depends_on=("path",)),
    "omz": Feature(name="omz", source="${ZSH}/oh-my-zsh.sh"),
    "quote": Feature(name="quote", snippet="echo 'it'\"'\"'s' >/dev/null"),
    "later": Feature(name="later", phase="postprompt", snippet="true", depends_on=("tool",)),
    "idle": Feature(name="idle", phase="idle", source="/nonexistent/idle.sh"),
    "zonly": Feature(name="zonly", snippet="setopt extendedglob", shells=("zsh",)),
}


def _loader(shell: str) -> str:
    return build_loader(resolve(FEATURES, Switches(), shell, platform="linux"), ["/etc/features.toml"])


def test_the_bash_loader_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is one of the Debian packages the test suite needs (make deb-deps)"
    plain = build_loader(resolve({"one": Feature(name="one", source="/x.sh")}, Switches(), "bash"))
    assert "_perth_feature_ready()" not in plain and "_perth_features_prompt()" not in plain  # only what is used
    for text in (_loader("bash"), plain):
        done = subprocess.run([shellcheck, "-s", "bash", "-"], input=text, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stdout
    assert "zonly" not in _loader("bash").split("# Not loaded:")[-1].split("\n", 1)[1]


def test_the_zsh_loader_parses_and_both_are_byte_stable() -> None:
    for shell in ("zsh", "bash"):
        text = _loader(shell)
        assert text == _loader(shell)
        done = subprocess.run([shell, "-n"], input=text, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    assert '"$HOME/.tool.sh"' in _loader("zsh") and '"${ZSH}/oh-my-zsh.sh"' in _loader("zsh")


@pytest.mark.parametrize("shell", ["zsh", "bash"])
def test_without_timing_the_loader_writes_nothing_and_sources_in_order(tmp_path: Path, shell: str) -> None:
    log = tmp_path / "run" / "order.log"
    features = {n: Feature(name=n, snippet=f"echo {n} >> {log}", depends_on=d)
                for n, d in (("b", ("a",)), ("a", ()), ("c", ()))}
    (tmp_path / "run").mkdir()
    loader = tmp_path / "run" / "loader"
    loader.write_text(build_loader(resolve(features, Switches(), shell)))
    env = {k: v for k, v in os.environ.items() if k != "PERTH_SEGMENT_LOG"}
    flags = ["-f"] if shell == "zsh" else ["--noprofile", "--norc"]
    done = subprocess.run([shell, *flags, "-c", f"source {loader}; source {loader}; echo ok"], capture_output=True,
                          text=True, env=env, check=False, cwd=tmp_path / "run")
    assert (done.stdout, done.stderr) == ("ok\n", "")
    assert log.read_text().split() == ["a", "b", "c"]  # once: a second source is a no-op
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["loader", "order.log"]


def test_source_paths_become_one_double_quoted_word() -> None:
    assert shell_word("~/x y.sh") == '"$HOME/x y.sh"' and shell_word("~") == '"$HOME"'
    assert shell_word("/a/$B/c") == '"/a/$B/c"'


def test_the_worked_example_builds_and_defers_what_the_docs_say() -> None:
    from perth.features.model import merge, read_file

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "omz-like"
    eager, deferred = (resolve(merge(read_file(str(example / f"{v}.toml"))), Switches(), "zsh").check()
                       for v in ("eager", "deferred"))
    assert all(f.phase in ("preload", "init") for f in eager.loaded)
    assert sorted(f.name for f in deferred.loaded if f.phase == "postprompt") == [
        "autosuggestions", "compinit", "highlighting", "nvm"]
    assert all(Path(f.source_path).is_file() for f in deferred.loaded if f.source_path)


@pytest.mark.parametrize(("shell", "strict"), [("bash", "set -eu"), ("zsh", "setopt nounset errexit")])
def test_strict_mode_rc_files_survive_the_loader_and_its_failures(tmp_path: Path, shell: str, strict: str) -> None:
    features = {"ok": Feature(name="ok", snippet="echo ok-ran"),
                "bad": Feature(name="bad", snippet="false", depends_on=("ok",)),
                "after": Feature(name="after", snippet="echo after-ran", depends_on=("bad",)),
                "later": Feature(name="later", phase="postprompt", snippet="echo later-ran", depends_on=("ok",))}
    loader = tmp_path / "loader"
    loader.write_text(build_loader(resolve(features, Switches(), shell)))
    flags = ["-f"] if shell == "zsh" else ["--noprofile", "--norc"]
    # bash runs its deferred features from PROMPT_COMMAND: call it as the first prompt would
    prompt = "; _perth_features_prompt" if shell == "bash" else ""
    env = {k: v for k, v in os.environ.items() if k not in ("PERTH_SEGMENT_LOG", "PS1")}
    done = subprocess.run([shell, *flags, "-c", f"{strict}; source {loader}{prompt}; echo end"], capture_output=True,
                          text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok-ran", "later-ran", "end"]
    assert done.stderr.splitlines() == ["perth: feature bad failed (status 1); skipped",
                                        "perth: feature after not loaded: it depends on bad, which failed; skipped"]
