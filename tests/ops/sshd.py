"""A throw-away OpenSSH server on 127.0.0.1 for the SSH/SFTP tests and the benchmark.

It runs ``/usr/sbin/sshd -D`` with its own config, host key, user key and authorized_keys in a
temporary folder, on a free port, as the current user; the system's ssh service is not touched.

The sessions it starts measure Perth and sshd, not the operator's dotfiles: ``SetEnv HOME=`` points
the user's shell at an empty home in the folder (Debian's bash reads ``~/.bashrc`` even for
``ssh host CMD``, and a ``~/.bashrc`` running ``pyenv init`` costs about 0.2 s per command), and
``PermitUserRC no`` skips ``~/.ssh/rc``.  The shell itself (the user's login shell, ``/etc/bash.bashrc``)
is what any real server runs.
"""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import time
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "perth-test", "-f", str(path)],
                   check=True, capture_output=True)


class Sshd:
    """Start with :meth:`start`, stop with :meth:`stop`; ``target``, ``identity`` and ``known_hosts`` say how to reach it."""

    def __init__(self, folder: Path, max_sessions: int = 10) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = getpass.getuser()
        self.identity = folder / "id_user"
        self.other_identity = folder / "id_stranger"
        self.known_hosts = folder / "known_hosts"
        self.home = folder / "home"
        self.max_sessions = max_sessions
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def target(self) -> str:
        return f"{self.user}@127.0.0.1:{self.port}"

    def start(self) -> Sshd:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(exist_ok=True)
        host_key = self.folder / "host_ed25519"
        for key in (host_key, self.identity, self.other_identity):
            _keygen(key)
        authorized = self.folder / "authorized_keys"
        authorized.write_text((self.folder / "id_user.pub").read_text())
        authorized.chmod(0o600)
        public = (self.folder / "host_ed25519.pub").read_text().split()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {public[0]} {public[1]}\n")
        config = self.folder / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
            f"AuthorizedKeysFile {authorized}", f"PidFile {self.folder / 'sshd.pid'}", "StrictModes no",
            "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin yes",
            f"MaxSessions {self.max_sessions}", "MaxStartups 500", "LogLevel ERROR",
            "Subsystem sftp internal-sftp", f"SetEnv HOME={self.home}", "PermitUserRC no", ""]))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd did not start: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not listen within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
