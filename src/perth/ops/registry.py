"""The worker kinds Perth knows, and the one that runs a job kind.

Kinds needing an optional dependency import it only when a job of theirs runs; a missing one is
a one-line error (exit 4) naming the ``pip install`` command.
"""

from __future__ import annotations

from perth.errors import InvalidInputError
from perth.ops.extras import require

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from perth.ops.port import Worker


def _shell() -> Worker:
    from perth.ops.shell import ShellWorker

    return ShellWorker()


def _pty() -> Worker:
    from perth.ops.terminal import PtyWorker

    return PtyWorker()


def _ssh() -> Worker:
    require("asyncssh")
    from perth.ops.remote import SshWorker

    return SshWorker()


def _sftp() -> Worker:
    require("asyncssh")
    from perth.ops.remote import SftpWorker

    return SftpWorker()


def _db() -> Worker:
    from perth.ops.databases import DbWorker

    return DbWorker()


def _mqtt() -> Worker:
    from perth.ops.mqtt import MqttWorker

    return MqttWorker()


def _backup() -> Worker:
    from perth.ops.backups import BackupWorker

    return BackupWorker()


def _docker() -> Worker:
    from perth.ops.containers import DockerWorker

    return DockerWorker()


def _fake() -> Worker:
    from perth.ops.fake import FakeWorker

    return FakeWorker()


#: kind -> (factory, one-line description)
KINDS: dict[str, tuple[Callable[[], Worker], str]] = {
    "shell": (_shell, "a local command: argv, --cwd, --env NAME (allow-list), timeout, whole process group"),
    "pty": (_pty, "an interactive program under a terminal, driven by --step expect:TEXT / send:KEYS / stop"),
    "ssh": (_ssh, "a command on another host over SSH (--target user@host:port, --identity, --known-hosts)"),
    "sftp": (_sftp, "put LOCAL REMOTE, get REMOTE LOCAL, ls PATH, rm PATH over SFTP"),
    "db": (_db, "query SQL, script FILE, dump FILE, migrate FOLDER on sqlite:///, postgresql://, mysql:// targets"),
    "mqtt": (_mqtt, "publish TOPIC MESSAGE (--qos, --retain) or subscribe TOPIC (--count, --seconds); last will"),
    "backup": (_backup, "git REPO, db URL, list, verify FILE (with a test restore), restore FILE DEST, prune NAME"),
    "docker": (_docker, "run IMAGE [CMD...], ps, logs NAME, stop NAME through the docker CLI (needs an engine)"),
    "fake": (_fake, "a scripted worker for tests (echo:TEXT, sleep:S, exit:N, transient, reject...)"),
}


def worker_for(kind: str) -> Worker:
    """The worker running ``kind`` jobs."""
    entry = KINDS.get(kind)
    if entry is None:
        raise InvalidInputError(f"unknown job kind {kind!r}", "use one of " + ", ".join(sorted(KINDS)))
    return entry[0]()
