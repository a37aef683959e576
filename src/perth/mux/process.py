"""The running command of a pane, with its arguments, from the process tree (one ``ps`` call)."""

from __future__ import annotations

import os
import subprocess

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

SHELLS = frozenset({"sh", "bash", "zsh", "fish", "dash", "ksh", "tcsh", "csh", "nu", "xonsh"})


class ProcessTable:
    """``pid -> (ppid, args)`` of every process, read once."""

    def __init__(self, rows: Mapping[int, tuple[int, str]]) -> None:
        self.rows = dict(rows)
        self.children: dict[int, list[int]] = {}
        for pid, (ppid, _args) in self.rows.items():
            self.children.setdefault(ppid, []).append(pid)
        self.own = self._ancestry(os.getpid())

    def _ancestry(self, pid: int) -> frozenset[int]:
        """This process and its parents: a pane running Perth itself (``perth snapshot save`` typed in
        it) is running its shell, not a program to restore."""
        chain = {pid}
        while pid in self.rows and self.rows[pid][0] not in chain and len(chain) < 64:
            pid = self.rows[pid][0]
            chain.add(pid)
        return frozenset(chain)

    @classmethod
    def read(cls, timeout_s: float = 5.0) -> ProcessTable:
        """Run ``ps`` once; an unreadable table is empty (commands are then unknown)."""
        try:
            out = subprocess.run(["ps", "-ww", "-e", "-o", "pid=,ppid=,args="], capture_output=True, text=True,
                                 timeout=timeout_s, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            return cls({})
        return cls(parse_ps(out))

    def command_of(self, pane_pid: int) -> str:
        """The foreground program of a pane: itself unless a shell, else its newest child, recursively."""
        pid = pane_pid
        for _depth in range(8):
            row = self.rows.get(pid)
            if row is None or (pid in self.own and pid != pane_pid):
                return ""
            kids = sorted(self.children.get(pid, ()))
            wrapped = shell_c(row[1])
            if wrapped is not None:
                if not kids:
                    return wrapped
            elif not is_shell(row[1]):
                return row[1]
            if not kids:
                return ""
            pid = kids[-1]
        return ""


def is_shell(args: str) -> bool:
    """Whether a command line is a bare interactive shell."""
    words = args.split()
    if not words:
        return True
    program = words[0].rsplit("/", 1)[-1].lstrip("-")
    return program in SHELLS and all(w.startswith("-") for w in words[1:])


def shell_c(args: str) -> str | None:
    """The command of a ``sh -c COMMAND`` wrapper (as tmux starts commands), else ``None``."""
    words = args.split(None, 2)
    if len(words) == 3 and words[1] == "-c" and words[0].rsplit("/", 1)[-1].lstrip("-") in SHELLS:
        return words[2]
    return None


def parse_ps(text: str) -> dict[int, tuple[int, str]]:
    """Parse ``ps -o pid=,ppid=,args=`` output."""
    rows: dict[int, tuple[int, str]] = {}
    for line in text.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            rows[int(parts[0])] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return rows
