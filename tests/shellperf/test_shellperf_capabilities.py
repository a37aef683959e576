"""Capability flags, the git fixture and the wait for deferred loading, with real zsh, bash and fish."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perth.errors import InvalidInputError
from perth.shellperf.capabilities import CAPABILITIES, make_git_fixture, parse_digits
from perth.shellperf.instrument import library_source
from perth.shellperf.records import Run, RunSpec, Sample
from perth.shellperf.runner import measure
from perth.shellperf.terminal import PtyLauncher

pytestmark = pytest.mark.integration
GIT_PROMPT = ("autoload -Uz vcs_info\nsetopt prompt_subst\nprecmd() { vcs_info }\n"
              "zstyle ':vcs_info:*' formats '%b'\nPS1='%1~ ${vcs_info_msg_0_}%# '\n")
FAKE_PLUGINS = ("autoload -Uz compinit && compinit -C -d \"$ZDOTDIR/.zcompdump\"\n"
                "typeset -g ZSH_HIGHLIGHT_VERSION=0.8 _ZSH_AUTOSUGGEST_BIND_COUNTS=1\n")


def _run(tmp_path: Path, shell: str, body: str, **options: object) -> Run:
    rc = tmp_path / f"rc.{shell}"
    rc.write_text(body)
    spec = RunSpec(shell=shell, rc=str(rc), samples=1, warmup=0, presses=1, keys=1, measure_exit=False,
                   timeout_ms=int(options.pop("timeout_ms", 8000)), **options)  # type: ignore[arg-type]
    return measure(spec, os.environ, PtyLauncher(), created_at=1_800_000_000_000)


def _flags(run: Run) -> dict[str, bool | None]:
    sample: Sample = run.measured[0]
    return dict(sample.capabilities)


def test_zsh_flags_follow_what_the_config_loads(tmp_path: Path) -> None:
    bare = _flags(_run(tmp_path, "zsh", "PS1='%1~%# '\n"))
    assert bare == {"has_compsys": False, "has_syntax_highlighting": False, "has_autosuggestions": False,
                    "has_git_prompt": None}
    rich = _run(tmp_path, "zsh", "PS1='%1~%# '\n" + FAKE_PLUGINS.replace("$ZDOTDIR", str(tmp_path)))
    assert _flags(rich) == {"has_compsys": True, "has_syntax_highlighting": True, "has_autosuggestions": True,
                            "has_git_prompt": None}
    assert rich.status == "complete"


def test_a_git_prompt_is_detected_in_the_git_fixture(tmp_path: Path) -> None:
    with_git = _run(tmp_path, "zsh", GIT_PROMPT, git="empty")
    assert _flags(with_git)["has_git_prompt"] is True
    assert with_git.scope.endswith(":git-empty") and with_git.spec.to_json()["git"] == "empty"
    plain = _run(tmp_path, "zsh", "PS1='%1~%# '\n", git="empty")
    assert _flags(plain)["has_git_prompt"] is False


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_bash_and_fish_flags(tmp_path: Path, shell: str) -> None:
    flags = _flags(_run(tmp_path, shell, "\n"))
    expected = {"bash": (False, False, False), "fish": (True, True, True)}[shell]
    assert tuple(flags[name] for name in CAPABILITIES[:3]) == expected
    slow_fish = "set -g fish_autosuggestion_enabled 0\n"
    if shell == "fish":
        assert _flags(_run(tmp_path, "fish", slow_fish))["has_autosuggestions"] is False


def test_the_full_git_fixture_has_ten_thousand_committed_files(tmp_path: Path) -> None:
    make_git_fixture(str(tmp_path), "yes", "PZ1branch", os.environ)
    files = subprocess.run(["git", "ls-files"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert len(files.stdout.splitlines()) == 10_000
    head = subprocess.run(["git", "branch", "--show-current"], cwd=tmp_path, capture_output=True, text=True,
                          check=True)
    assert head.stdout.strip() == "PZ1branch"
    with pytest.raises(InvalidInputError, match="--git"):
        make_git_fixture(str(tmp_path / "x"), "maybe", "b", os.environ)


def test_lags_are_measured_after_instrumented_deferred_work(tmp_path: Path) -> None:
    library = tmp_path / "lib.zsh"
    library.write_text(library_source("zsh"))
    body = (f"source {library}\nPS1='%1~%# '\nperth_segment_mark deferred_start deferred\n"
            "TMOUT=1\nTRAPALRM() { perth_segment_mark deferred_total deferred; TMOUT=0 }\n")
    run = _run(tmp_path, "zsh", body)
    metrics = run.measured[0].metrics
    ready = metrics["deferred_ready_ms"].value
    assert ready is not None and ready >= 1000, metrics["deferred_ready_ms"].reason
    assert (metrics["first_command_ms"].value or 0) < ready
    assert metrics["command_lag_ms"].value is not None and metrics["command_lag_ms"].value < 500
    undeferred = _run(tmp_path, "zsh", "PS1='%1~%# '\n").measured[0].metrics["deferred_ready_ms"].value
    assert undeferred is not None and undeferred < 1000


def test_deferred_work_that_never_finishes_is_missing(tmp_path: Path) -> None:
    library = tmp_path / "lib.zsh"
    library.write_text(library_source("zsh"))
    run = _run(tmp_path, "zsh", f"source {library}\nPS1='%1~%# '\nperth_segment_mark deferred_start deferred\n",
               timeout_ms=2000)
    reading = run.measured[0].metrics["deferred_ready_ms"]
    assert reading.provenance == "missing" and "deferred_total" in reading.reason
    assert run.status == "partial"


@given(st.text(alphabet="01x", max_size=6))
def test_probe_digits_parse_or_stay_unknown(digits: str) -> None:
    for shell, width in (("zsh", 5), ("bash", 3), ("fish", 3)):
        flags = parse_digits(shell, digits)
        valid = len(digits) == width and "x" not in digits
        assert set(flags) == set(CAPABILITIES[:3])
        assert all((v is None) != valid for v in flags.values())


def test_a_run_stored_before_git_and_capabilities_reads_back() -> None:
    sample = Sample(index=0, metrics={}).to_json()
    del sample["capabilities"]
    spec = RunSpec().to_json()
    del spec["git"]
    old = {"id": "r", "created_at": "2026-11-20T10:00:00.000Z", "spec": spec, "profile": "streak",
           "shell_version": "zsh 5.9", "samples": [sample]}
    run = Run.from_json(old)
    assert run.spec.git == "no" and run.samples[0].capabilities == {}
    assert run.scope == "zsh:login"


def test_the_text_report_summarises_the_flags() -> None:
    from perth.shellperf.views import capability_summary

    def sample(index: int, **flags: bool | None) -> Sample:
        return Sample(index=index, metrics={}, capabilities=flags)

    spec = RunSpec()
    run = Run(id="r", created_at=0, spec=spec, profile="explore", shell_version="zsh",
              samples=(sample(0, has_compsys=True, has_syntax_highlighting=False, has_git_prompt=None),
                       sample(1, has_compsys=True, has_syntax_highlighting=True, has_git_prompt=None)))
    assert capability_summary(run) == "compsys yes, syntax highlighting varies, autosuggestions ?, git prompt ?"
