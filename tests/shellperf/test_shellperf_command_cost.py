"""Per-command cost in real zsh, bash and fish on a pseudo-terminal: a known delay per command shows up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perth.errors import UnavailableError
from perth.shellperf.command_cost import per_command_ms

pytestmark = pytest.mark.integration
#: 200 ms per command that runs: far above what a loaded machine adds to a command's own cost
DELAY = {"zsh": "zmodload zsh/zselect; preexec() { zselect -t 20 }",
         "bash": "PS0='$(sleep 0.2)'",
         "fish": "function _slow --on-event fish_preexec; sleep 0.2; end"}


@pytest.mark.parametrize("shell", ["zsh", "bash", "fish"])
def test_a_delay_before_each_command_is_measured(shell: str, tmp_path: Path) -> None:
    plain, slow = tmp_path / "plain", tmp_path / "slow"
    plain.write_text("\n")
    slow.write_text(DELAY[shell] + "\n")
    fast = per_command_ms(shell, str(plain), os.environ, commands=5)
    delayed = per_command_ms(shell, str(slow), os.environ, commands=5)
    assert 0 < fast < 200
    assert delayed >= 200 and delayed - fast >= 150


def test_a_prompt_without_the_token_is_an_error(tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    rc.write_text("PS1='> '\n")
    with pytest.raises(UnavailableError, match="zsh showed no prompt"):
        per_command_ms("zsh", str(rc), os.environ, commands=2, timeout_ms=1500)
