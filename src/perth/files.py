"""Writing files whole: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def write_atomic(path: str | os.PathLike[str], pieces: Iterable[str | bytes], *, mode: int = 0o666) -> None:
    """Write ``pieces`` to a temporary file beside ``path``, sync it, then rename it over ``path``.

    Creates the parent directory. ``mode`` is the new file's permissions (less the umask);
    ``0o600`` keeps a file that may hold credentials private. On any failure the temporary file
    is removed and the :class:`OSError` propagates for the caller to explain; ``path`` is left
    as it was.
    """
    target = os.fspath(path)
    directory = os.path.dirname(target) or "."
    os.makedirs(directory, exist_ok=True)
    temporary = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as handle:
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
