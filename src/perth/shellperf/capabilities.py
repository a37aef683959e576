"""What the measured configuration provides (zsh-bench's ``has_*`` flags) and the git fixture.

Flags, per sample (``True``/``False``, or ``None`` when they could not be read):

- ``has_compsys``: zsh: ``compinit`` and ``compdef`` are functions (as zsh-bench checks); bash:
  bash-completion is loaded (``BASH_COMPLETION_VERSINFO``); fish: always (completions are built in);
- ``has_syntax_highlighting``: zsh: ``ZSH_HIGHLIGHT_VERSION`` or ``FAST_HIGHLIGHT_VERSION`` is set
  (zsh-syntax-highlighting, fast-syntax-highlighting); bash: ble.sh is loaded (``BLE_VERSION``);
  fish: always;
- ``has_autosuggestions``: zsh: ``_ZSH_AUTOSUGGEST_BIND_COUNTS`` is set (zsh-autosuggestions); bash:
  ble.sh; fish: unless ``fish_autosuggestion_enabled`` is 0;
- ``has_git_prompt``: with a git fixture (``--git yes|empty``), the fixture's branch name
  (``<token>branch``) appeared on screen before the first command's output; ``None`` without one.

The first three are read at the end of the sample by typing a probe command that prints
``<token>caps`` and one digit per check (spelled with quotes so that its echo cannot match).

The git fixture (``--git yes``, as zsh-bench's default) makes the working directory a repository
of 10,000 committed files in a 10×10×10 tree (``empty``: a repository without files), on a branch
named after the run's token, so that a prompt showing git status pays its real cost.
"""

from __future__ import annotations

import os

from perth.errors import InvalidInputError, UnavailableError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

CAPABILITIES: tuple[str, ...] = ("has_compsys", "has_syntax_highlighting", "has_autosuggestions",
                                 "has_git_prompt")
GIT_MODES: tuple[str, ...] = ("no", "yes", "empty")
_PROBES = {
    "zsh": ' builtin print -r -- "{t}""caps"${{+functions[compinit]}}${{+functions[compdef]}}'
           "${{+ZSH_HIGHLIGHT_VERSION}}${{+FAST_HIGHLIGHT_VERSION}}${{+_ZSH_AUTOSUGGEST_BIND_COUNTS}}\r",
    "bash": ' builtin echo "{t}""caps"$((${{#BASH_COMPLETION_VERSINFO[@]}}>0))$((${{#BLE_VERSION}}>0))'
            "$((${{#BLE_VERSION}}>0))\r",
    "fish": ' builtin echo "{t}""caps"11(builtin test "$fish_autosuggestion_enabled" = 0; and echo 0; or echo 1)\r',
}
DIGITS = {"zsh": 5, "bash": 3, "fish": 3}


def probe_command(shell: str, token: str) -> bytes:
    """The keys that make ``shell`` print ``<token>caps`` and its digits."""
    return _PROBES[shell].format(t=token).encode()


def parse_digits(shell: str, digits: str) -> dict[str, bool | None]:
    """The three in-shell flags from the probe's digits (``None`` each when they are malformed)."""
    if len(digits) != DIGITS[shell] or not set(digits) <= {"0", "1"}:
        return dict.fromkeys(CAPABILITIES[:3])
    bits = [d == "1" for d in digits]
    if shell == "zsh":
        return {"has_compsys": bits[0] and bits[1], "has_syntax_highlighting": bits[2] or bits[3],
                "has_autosuggestions": bits[4]}
    return {"has_compsys": bits[0], "has_syntax_highlighting": bits[1], "has_autosuggestions": bits[2]}


def make_git_fixture(cwd: str, mode: str, branch: str, environ: Mapping[str, str]) -> None:
    """Turn ``cwd`` into the git fixture (``mode`` ``yes`` or ``empty``)."""
    import shutil
    import subprocess

    if mode not in GIT_MODES:
        raise InvalidInputError(f"invalid --git {mode!r}", f"use one of: {', '.join(GIT_MODES)}")
    git = shutil.which("git", path=environ.get("PATH", os.defpath))
    if git is None:
        raise UnavailableError("git is not installed (needed by --git)", "install git, or use --git no")
    if mode == "yes":
        _write_tree(cwd)
    env = {"PATH": environ.get("PATH", os.defpath), "HOME": cwd, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "perth", "GIT_AUTHOR_EMAIL": "perth@localhost",
           "GIT_COMMITTER_NAME": "perth", "GIT_COMMITTER_EMAIL": "perth@localhost"}
    steps = [["init", "-q"], ["checkout", "-q", "-b", branch]]
    if mode == "yes":
        steps += [["add", "."], ["commit", "-q", "--no-gpg-sign", "-m", "fixture"]]
    for step in steps:
        done = subprocess.run([git, *step], cwd=cwd, env=env, capture_output=True, text=True, check=False,
                              timeout=300)
        if done.returncode != 0:
            raise UnavailableError(f"git {step[0]} failed for the git fixture: {done.stderr.strip()[:200]}",
                                   "check that git works, or use --git no")


def _write_tree(root: str) -> None:
    """10 × 10 × 10 directories holding 10 empty files each (10,000 files)."""
    for a in range(1, 11):
        for b in range(1, 11):
            for c in range(1, 11):
                directory = os.path.join(root, str(a), str(b), str(c))
                os.makedirs(directory)
                for d in range(1, 11):
                    with open(os.path.join(directory, str(d)), "wb"):
                        pass
