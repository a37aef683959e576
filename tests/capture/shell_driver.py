"""Drive a real interactive zsh, bash or fish in a pseudo-terminal, with Perth's hooks installed.

Each shell gets its own rc file (in a temporary folder) that sets a prompt carrying a
counter (``@@<n>@@``) bumped by a builtin-only hook, evaluates the rendered
integration script (twice: sourcing again must be harmless) and then, optionally,
points PATH at an empty directory so that any external command would fail.
:meth:`InteractiveShell.run` types a command and waits for the next counter value,
so every call returns once the shell is back at its prompt.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from perth.capture.integration import render_init
from perth.capture.spool_format import SpoolRecord, parse_line
from perth.text import decode_utf8

PASTE_START = b"\x1b[200~"
PASTE_END = b"\x1b[201~"
QUOTED_INSERT = b"\x16"  # Ctrl-V in zle and readline: insert the next key literally
TIMEOUT_S = 20.0

_RC = {
    "zsh": """\
unsetopt prompt_sp prompt_cr
setopt prompt_subst
umask 022
typeset -gi _t_n=0 _user_pre=0 _user_post=0
_t_count() {{ (( _t_n++ )) }}
_user_pre_hook() {{ (( _user_pre++ )) }}
_user_post_hook() {{ (( _user_post++ )) }}
precmd_functions+=(_t_count _user_post_hook)
preexec_functions+=(_user_pre_hook)
PS1='@@${{_t_n}}@@ '
PS2='> '
HISTFILE={home}/.zsh_history
SAVEHIST=1000
HISTSIZE=1000
setopt extended_history hist_ignore_space
{extra}
eval "$(cat {script})"
eval "$(cat {script})"
{after}
{path}
""",
    "bash": """\
umask 022
_t_n=0
_user_pre=0
_user_post=0
PROMPT_COMMAND='_t_n=$((_t_n+1)); _user_post=$((_user_post+1))'
PS0='${{_uu[_user_pre+=1]-}}'
PS1='@@${{_t_n}}@@ '
PS2='> '
HISTFILE={home}/.bash_history
HISTCONTROL=ignoreboth
{extra}
eval "$(cat {script})"
eval "$(cat {script})"
{after}
{path}
""",
    "fish": """\
umask 022
set -g fish_greeting
set -g _t_n 0
set -g _user_pre 0
set -g _user_post 0
function _t_count --on-event fish_prompt
    set -g _t_n (math $_t_n + 1)
end
function _user_pre_hook --on-event fish_preexec
    set -g _user_pre (math $_user_pre + 1)
end
function _user_post_hook --on-event fish_postexec
    set -g _user_post (math $_user_post + 1)
end
function fish_prompt
    printf '@@%s@@ ' $_t_n
end
{extra}
cat {script} | source
cat {script} | source
{after}
{path}
""",
}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


class InteractiveShell:
    """One interactive shell in a pty; use as a context manager."""

    def __init__(self, shell: str, root: Path, *, empty_path: bool = True, extra_rc: str = "",
                 after_rc: str = "", env: dict[str, str] | None = None, installed: bool = False) -> None:
        self.shell = shell
        self.installed = installed  # the file `perth init SHELL --install` writes, sourced, instead of the eval form
        self.root = root
        self.home = root / "home"
        self.spool_dir = root / "spool"
        self.empty_bin = root / "empty-bin"
        for folder in (self.home, self.empty_bin):
            folder.mkdir(parents=True, exist_ok=True)
        self._extra_rc = extra_rc  # rc lines before the integration is sourced
        self._after_rc = after_rc  # and after
        self._empty_path = empty_path
        self._env = env or {}
        self.output = bytearray()
        self.prompts = 0
        self._changed = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._master = -1
        self._reader: threading.Thread | None = None

    # -- start and stop -------------------------------------------------------------------------

    def __enter__(self) -> InteractiveShell:
        try:
            self.start()
        except BaseException:
            self.close()  # a shell that never showed its prompt is killed too
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_rc(self) -> list[str]:
        script = self.root / f"perth-init.{self.shell}"
        if self.installed:
            from perth.capture.install import install_script

            install_script(self.shell, spool_dir=str(self.spool_dir), data_dir=str(self.root / "perth-data"),
                           perth_command="perth", python=sys.executable, perth_home=None, output=str(script))
        else:
            script.write_text(render_init(self.shell, spool_dir=str(self.spool_dir), perth_command="perth"))
        path = {"zsh": f"path=({_quote(self.empty_bin)})", "bash": f"PATH={_quote(self.empty_bin)}",
                "fish": f"set -gx PATH {_quote(self.empty_bin)}"}[self.shell] if self._empty_path else ""
        rc = _RC[self.shell].format(home=_quote(self.home), script=_quote(script), extra=self._extra_rc,
                                   after=self._after_rc, path=path)
        if self.installed:  # the line the install prints, instead of the eval form (twice, as the eval form)
            for form in (f'eval "$(cat {_quote(script)})"', f"cat {_quote(script)} | source"):
                rc = rc.replace(form, f"source {_quote(script)}")
        if self.shell == "zsh":
            (self.root / ".zshrc").write_text(rc)
            return ["zsh", "-d", "-i"]
        if self.shell == "bash":
            (self.root / "bashrc").write_text(rc)
            return ["bash", "--noprofile", "--rcfile", str(self.root / "bashrc"), "-i"]
        config = self.root / "config" / "fish"
        for sub in ("completions", "conf.d", "functions"):  # else fish's first prompt runs mkdir
            (config / sub).mkdir(parents=True, exist_ok=True)
        (config / "config.fish").write_text(rc)
        # fish generates completions from man pages in the background on its first start: not here
        (self.root / "data" / "fish" / "generated_completions").mkdir(parents=True, exist_ok=True)
        return ["fish", "-i"]

    def _environment(self) -> dict[str, str]:
        keep = ("PATH", "LANG", "TMPDIR", "GIT_CONFIG_NOSYSTEM", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "PERTH_HOME")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        env.update(HOME=str(self.home), TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8", USER="perth-tester",
                   ZDOTDIR=str(self.root), XDG_CONFIG_HOME=str(self.root / "config"),
                   XDG_DATA_HOME=str(self.root / "data"))
        env.update(self._env)
        return env

    def start(self) -> None:
        argv = self._write_rc()
        master, slave = os.openpty()
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        self._process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=self._environment(), cwd=self.home,
            start_new_session=True,
            preexec_fn=_take_terminal)  # noqa: PLW1509 - one ioctl, no lock: safe with threads
        os.close(slave)
        self._master = master
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._wait_prompt(1)

    def close(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the group this driver started (start_new_session)
        if process is not None:
            process.wait(timeout=TIMEOUT_S)
        if self._master >= 0:
            os.close(self._master)
            self._master = -1
        if self._reader is not None:
            self._reader.join(timeout=TIMEOUT_S)

    def exit(self) -> int:
        """Type ``exit`` and wait for the shell to end (so that it writes its history file)."""
        assert self._process is not None
        self.send(b"exit\r")
        return self._process.wait(timeout=TIMEOUT_S)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    # -- terminal I/O ---------------------------------------------------------------------------

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                chunk = b""
            with self._changed:
                if not chunk:
                    self.prompts = -1
                    self._changed.notify_all()
                    return
                self.output += chunk
                self._changed.notify_all()

    def _wait_prompt(self, number: int) -> None:
        marker = f"@@{number}@@".encode()
        deadline = time.monotonic() + TIMEOUT_S
        with self._changed:
            while marker not in self.output:
                left = deadline - time.monotonic()
                if left <= 0 or self.prompts < 0:
                    tail = bytes(self.output[-3000:]).decode(errors="replace")
                    raise AssertionError(f"{self.shell}: no prompt {number} after {TIMEOUT_S}s; output ends:\n{tail}")
                self._changed.wait(min(left, 0.5))
            self.prompts = number

    def send(self, data: bytes) -> None:
        for offset in range(0, len(data), 4096):
            os.write(self._master, data[offset:offset + 4096])

    def run(self, command: str | bytes, *, paste: bool = False) -> None:
        """Type ``command`` (pasted with bracketed paste when ``paste``), press Enter, wait for the prompt."""
        raw = command.encode() if isinstance(command, str) else command
        if paste:
            raw = PASTE_START + raw + PASTE_END
        self.send(raw + b"\r")
        self._wait_prompt(self.prompts + 1)

    def text(self) -> str:
        with self._changed:
            return bytes(self.output).decode(errors="replace")

    # -- what the hooks wrote -------------------------------------------------------------------

    def spool_files(self) -> list[Path]:
        return sorted(self.spool_dir.glob("*.spool*"))

    def records(self) -> list[SpoolRecord]:
        """Every spool line written so far, oldest first (renamed spool files included)."""
        lines: list[str] = []
        for path in sorted(self.spool_files(), key=lambda item: item.stat().st_mtime_ns):
            data = path.read_bytes()
            assert data == b"" or data.endswith(b"\n"), f"{path.name} ends with a partial line"
            lines += decode_utf8(data).splitlines()  # as the ingester reads it
        return [parse_line(line) for line in lines]

    def children_page_faults(self) -> int:
        """``cminflt`` of the shell: page faults of its waited-for children, so it grows on every fork."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[8])


def _take_terminal() -> None:
    """In the child: make the pty its controlling terminal (job control needs one)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
