"""The ``ssh`` and ``sftp`` job kinds over the :class:`RemoteHost` port.

``perth job run ssh --target user@host:port -- COMMAND...`` runs a command (one argument is
passed to the remote shell as written; several are quoted and joined); its exit status is the
job's.  ``perth job run sftp --target ... -- put LOCAL REMOTE | get REMOTE LOCAL | ls PATH |
rm PATH`` moves and manages files.  :class:`AsyncSshHost` is the real adapter (asyncssh, a shared
connection pool: :mod:`perth.ops.sshpool`), :class:`FakeRemoteHost` an in-memory stand-in.
"""

from __future__ import annotations

import shlex
import time
from typing import Protocol

from perth.errors import InvalidInputError, NotFoundError, ProviderRejectedError, TransientError
from perth.ops.port import JobCancelledError, JobTimeoutError, WorkResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from concurrent.futures import Future
    from typing import Any, TypeVar

    from perth.ops.model import Job
    from perth.ops.port import JobIO
    from perth.ops.sshpool import Destination

    T = TypeVar("T")

SFTP_ACTIONS = {"put": 2, "get": 2, "ls": 1, "rm": 1}


class RemoteHost(Protocol):
    """Commands and files on another host."""

    def exec(self, dest: Destination, command: str, io: JobIO) -> int:
        """Run a command, streaming its output to ``io.output``; returns its exit status."""

    def upload(self, dest: Destination, local: str, remote: str, io: JobIO) -> int:
        """Copy a local file to the host; returns the bytes sent."""

    def download(self, dest: Destination, remote: str, local: str, io: JobIO) -> int:
        """Copy a file from the host; returns the bytes received."""

    def listdir(self, dest: Destination, path: str, io: JobIO) -> list[dict[str, object]]:
        """Entries of a remote directory: name, size, kind."""

    def delete(self, dest: Destination, path: str, io: JobIO) -> None:
        """Remove a remote file."""


def wait_future(future: Future[T], io: JobIO) -> T:
    """Wait for a loop-thread future, cancelling it when the job is stopped or times out."""
    while True:
        try:
            return future.result(timeout=0.1)
        except TimeoutError:
            pass
        if io.stop.is_set():
            future.cancel()
            raise JobCancelledError("the job was stopped", "see `perth job show` for why")
        if time.monotonic() >= io.deadline:
            future.cancel()
            raise JobTimeoutError("the remote operation ran past the job's timeout", "raise --timeout")


class AsyncSshHost:
    """The real adapter: asyncssh over the process's shared connection pool."""

    def __init__(self, pool: Any = None) -> None:
        from perth.ops.sshpool import shared_pool

        self.pool = pool or shared_pool()

    def exec(self, dest: Destination, command: str, io: JobIO) -> int:
        """Run ``command``; stdout and stderr go to the job's output."""
        code: int = wait_future(_submit(self._exec(dest, command, io)), io)
        return code

    async def _exec(self, dest: Destination, command: str, io: JobIO) -> int:
        import asyncssh

        async with self.pool.session(dest) as conn, \
                conn.create_process(command, stderr=asyncssh.STDOUT, encoding=None) as proc:
            while True:
                data = await proc.stdout.read(65536)
                if not data:
                    break
                io.output.write(data)
            finished = await proc.wait()
        return int(finished.exit_status if finished.exit_status is not None else 255)

    def upload(self, dest: Destination, local: str, remote: str, io: JobIO) -> int:
        """``put``."""
        import os

        if not os.path.isfile(local):
            raise NotFoundError(f"no local file {local}", "check the path")
        wait_future(_submit(self._sftp(dest, "put", local, remote)), io)
        return os.path.getsize(local)

    def download(self, dest: Destination, remote: str, local: str, io: JobIO) -> int:
        """``get``."""
        import os

        wait_future(_submit(self._sftp(dest, "get", remote, local)), io)
        return os.path.getsize(local)

    def listdir(self, dest: Destination, path: str, io: JobIO) -> list[dict[str, object]]:
        """``ls``."""
        entries: list[dict[str, object]] = wait_future(_submit(self._sftp(dest, "ls", path)), io)
        return entries

    def delete(self, dest: Destination, path: str, io: JobIO) -> None:
        """``rm``."""
        wait_future(_submit(self._sftp(dest, "rm", path)), io)

    async def _sftp(self, dest: Destination, action: str, *paths: str) -> Any:
        import asyncssh

        async with self.pool.session(dest) as conn:
            try:
                async with conn.start_sftp_client() as sftp:
                    if action == "put":
                        return await sftp.put(paths[0], paths[1])
                    if action == "get":
                        return await sftp.get(paths[0], paths[1])
                    if action == "rm":
                        return await sftp.remove(paths[0])
                    names = await sftp.readdir(paths[0])
                    return sorted(({"name": n.filename, "size": n.attrs.size, "kind": _kind(n.attrs.type)}
                                   for n in names if n.filename not in (".", "..")), key=lambda e: str(e["name"]))
            except asyncssh.SFTPNoSuchFile as exc:
                raise NotFoundError(f"no such remote file or directory: {paths[0]}", "check the path") from exc
            except asyncssh.SFTPError as exc:
                raise InvalidInputError(f"SFTP {action} failed: {exc.reason}", "check the paths and rights") from exc


def _kind(kind: int | None) -> str:
    import asyncssh

    return {asyncssh.FILEXFER_TYPE_DIRECTORY: "dir", asyncssh.FILEXFER_TYPE_REGULAR: "file",
            asyncssh.FILEXFER_TYPE_SYMLINK: "link"}.get(kind or 0, "other")


def _submit(coro: Any) -> Future[Any]:
    from perth.ops.sshpool import submit

    return submit(coro)


class FakeRemoteHost:
    """In memory: ``files`` by path, ``replies`` by command (output, status); ``fault`` down|auth."""

    def __init__(self, replies: dict[str, tuple[str, int]] | None = None, fault: str | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.replies = replies or {}
        self.fault = fault
        self.commands: list[str] = []

    def _reach(self, dest: Destination) -> None:
        if self.fault == "down":
            raise TransientError(f"cannot connect to {dest.host}:{dest.port}", "check that the host is up")
        if self.fault == "auth":
            raise ProviderRejectedError(f"SSH authentication to {dest.host}:{dest.port} failed", "check the key")

    def exec(self, dest: Destination, command: str, io: JobIO) -> int:
        """The scripted reply."""
        self._reach(dest)
        self.commands.append(command)
        text, status = self.replies.get(command, ("", 127))
        io.output.text(text)
        return status

    def upload(self, dest: Destination, local: str, remote: str, io: JobIO) -> int:
        """Keep the file's bytes."""
        self._reach(dest)
        with open(local, "rb") as handle:
            self.files[remote] = handle.read()
        return len(self.files[remote])

    def download(self, dest: Destination, remote: str, local: str, io: JobIO) -> int:
        """Write the kept bytes."""
        self._reach(dest)
        if remote not in self.files:
            raise NotFoundError(f"no such remote file or directory: {remote}", "check the path")
        with open(local, "wb") as handle:
            handle.write(self.files[remote])
        return len(self.files[remote])

    def listdir(self, dest: Destination, path: str, io: JobIO) -> list[dict[str, object]]:
        """Files under ``path``."""
        self._reach(dest)
        prefix = path.rstrip("/") + "/"
        return [{"name": p[len(prefix):], "size": len(b), "kind": "file"} for p, b in sorted(self.files.items())
                if p.startswith(prefix)]

    def delete(self, dest: Destination, path: str, io: JobIO) -> None:
        """Forget the file."""
        self._reach(dest)
        if self.files.pop(path, None) is None:
            raise NotFoundError(f"no such remote file or directory: {path}", "check the path")


def destination(job: Job, io: JobIO) -> Destination:
    """Where a job connects: its target and options, and ``ops.ssh_host_keys``."""
    from perth.ops.sshpool import Destination, parse_target

    user, host, port = parse_target(job.target)
    identity, known = job.options.get("identity"), job.options.get("known_hosts")
    return Destination(host=host, port=port, user=user, identity=str(identity) if identity else None,
                       known_hosts=str(known) if known else None,
                       accept_new=io.setting("ops.ssh_host_keys") == "accept-new",
                       connect_timeout_s=float(io.setting("ops.ssh_connect_timeout_s")))  # type: ignore[arg-type]


class SshWorker:
    """The ``ssh`` job kind."""

    kind = "ssh"
    remote = True

    def __init__(self, host: RemoteHost | None = None) -> None:
        self.host = host

    def check(self, job: Job) -> None:
        """A target and a command."""
        from perth.ops.sshpool import parse_target

        parse_target(job.target)
        if not job.args:
            raise InvalidInputError("an ssh job needs a command", "e.g. perth job run ssh --target me@host -- uptime")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Run the command on the target."""
        command = job.args[0] if len(job.args) == 1 else shlex.join(job.args)
        code = (self.host or AsyncSshHost()).exec(destination(job, io), command, io)
        io.log(f"exited {code}")
        return WorkResult(ok=code == 0, exit_code=code)


class SftpWorker:
    """The ``sftp`` job kind: put, get, ls, rm."""

    kind = "sftp"
    remote = True

    def __init__(self, host: RemoteHost | None = None) -> None:
        self.host = host

    def check(self, job: Job) -> None:
        """A known action with its paths."""
        from perth.ops.sshpool import parse_target

        parse_target(job.target)
        wanted = SFTP_ACTIONS.get(job.args[0]) if job.args else None
        if wanted is None or len(job.args) != wanted + 1:
            raise InvalidInputError("an sftp job is put LOCAL REMOTE, get REMOTE LOCAL, ls PATH or rm PATH",
                                    "e.g. perth job run sftp --target me@host -- put dist.tar.gz /srv/")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Do the file operation."""
        host, dest = self.host or AsyncSshHost(), destination(job, io)
        action, *paths = job.args
        result: dict[str, object]
        if action == "put":
            result = {"bytes": host.upload(dest, paths[0], paths[1], io)}
        elif action == "get":
            result = {"bytes": host.download(dest, paths[0], paths[1], io)}
        elif action == "ls":
            entries = host.listdir(dest, paths[0], io)
            io.output.text("".join(f"{e['kind']}\t{e['size']}\t{e['name']}\n" for e in entries))
            result = {"entries": len(entries)}
        else:
            host.delete(dest, paths[0], io)
            result = {"deleted": paths[0]}
        io.log(f"{action} done: {result}")
        return WorkResult(ok=True, exit_code=0, result=result)
