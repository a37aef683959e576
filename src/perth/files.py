"""Writing files whole (a reader sees the old file or the new one, never half of one), and
holding an exclusive OS lock on a file for a bounded wait."""

from __future__ import annotations

import os
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dirs(directory: str) -> None:
    """Create ``directory`` and its missing parents with mode 0700 (whatever the umask); folders
    that already exist are left as they are."""
    if not directory or os.path.isdir(directory):
        return
    parent = os.path.dirname(directory.rstrip(os.sep))
    if parent and parent != directory:
        private_dirs(parent)
    try:
        os.mkdir(directory, PRIVATE_DIR)
    except FileExistsError:
        return
    os.chmod(directory, PRIVATE_DIR)  # a umask such as 0o277 would have taken the owner's bits


def private_file(path: str) -> None:
    """Create ``path`` empty with mode 0600 when it does not exist; tighten an existing file to
    0600 when it can (a read-only file system or someone else's file is left as it is)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        except FileExistsError:
            return  # another process was faster
        return
    if mode & 0o077:
        try:
            os.chmod(path, PRIVATE_FILE)
        except OSError:
            return


def write_atomic(path: str | os.PathLike[str], pieces: Iterable[str | bytes], *, mode: int = PRIVATE_FILE) -> None:
    """Write ``pieces`` to a temporary file beside ``path``, sync it, then rename it over ``path``.

    Creates the parent directory (0700). A new file gets ``mode`` (private, 0600, by default,
    whatever the umask); a file that exists keeps its own permissions. On any failure the
    temporary file is removed and the :class:`OSError` propagates for the caller to explain;
    ``path`` is left as it was.
    """
    target = os.fspath(path)
    directory = os.path.dirname(target) or "."
    private_dirs(directory)
    if os.path.exists(target):
        mode = os.stat(target).st_mode & 0o7777
    temporary = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE), "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@contextmanager
def locked(fd: int, timeout_s: float, busy: Callable[[], Exception], *, poll_s: float = 0.01) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the open file ``fd``, waiting at most ``timeout_s`` (then
    ``raise busy()``); ``fd`` is closed on the way out, which releases the lock."""
    import fcntl
    import time

    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(poll_s)
        yield
    finally:
        os.close(fd)
