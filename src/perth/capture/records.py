"""Records of captured commands and the queries over them."""

from __future__ import annotations

from perth.clock import to_iso
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.records import Visibility


class Command(Record):
    """One command run in a shell, attached to a pane.

    Attributes:
        id: UUIDv7 derived from the start time.
        pane_id, pane_name: the pane it ran in.
        start_ms: start (UTC ms); duration_ms: wall time; exit: exit status.
        command: the command line (redacted), multi-line kept.
        cwd, repo_root, branch: where it ran.
        shell, session, host, user: which shell process, on which machine, as whom.
        source: ``capture`` (shell hook) or ``import:<shell>`` (history file).
        dedup_key: identity used to ignore a second import or ingest of the same command.
    """

    id: str
    pane_id: str | None
    pane_name: str | None
    start_ms: int
    duration_ms: int | None
    exit: int | None
    command: str
    cwd: str | None = None
    repo_root: str | None = None
    branch: str | None = None
    shell: str | None = None
    session: str | None = None
    host: str | None = None
    user: str | None = None
    source: str = "capture"
    dedup_key: str = ""
    owner: str = ""

    def to_json(self) -> dict[str, Any]:
        """The ``perth.command.v1`` shape (``owner`` only on a multi-user store)."""
        shape = {
            "id": self.id, "pane_id": self.pane_id, "pane": self.pane_name, "start": to_iso(self.start_ms),
            "duration_ms": self.duration_ms, "exit": self.exit, "command": self.command, "cwd": self.cwd,
            "repo_root": self.repo_root, "branch": self.branch, "shell": self.shell, "session": self.session,
            "host": self.host, "user": self.user, "source": self.source,
        }
        if self.owner:
            shape["owner"] = self.owner
        return shape


class CommandQuery(Record):
    """Filters and paging for commands (newest first unless ``oldest_first``)."""

    pane_ids: tuple[str, ...] = ()
    cwd: str | None = None
    repo_root: str | None = None
    exit: int | None = None
    failed: bool = False
    host: str | None = None
    since: int | None = None
    until: int | None = None
    limit: int = 20
    offset: int = 0
    cursor: tuple[int, str] | None = None
    oldest_first: bool = False
    #: A multi-user store: the commands one user may read (their own, and those of panes they may read).
    visible: Visibility | None = None


class SpoolCursor(Record):
    """How far a claimed spool file has been ingested (committed with the rows it produced)."""

    path: str
    offset: int
