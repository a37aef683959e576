"""What one user of a multi-user store may read, as SQL conditions the panes, entries and commands
adapters share (see :mod:`perth.store.scoped`)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.records import Visibility


def visible_panes(visible: Visibility, column: str = "owner", team: str = "team") -> tuple[str, list[str]]:
    """The SQL condition (and its parameters) of the panes one user of a multi-user store may read:
    theirs, and those shared with one of their teams."""
    if not visible.teams:
        return f"{column} = ?", [visible.user]
    return (f"({column} = ? OR {team} IN ({', '.join('?' * len(visible.teams))}))",
            [visible.user, *visible.teams])


def visible_rows(visible: Visibility, alias: str) -> tuple[str, list[str]]:
    """The SQL condition of the rows (entries, commands: table ``alias``) one user may read: theirs,
    and those of the panes they may read."""
    panes, params = visible_panes(visible)
    return (f"({alias}.owner = ? OR {alias}.pane_id IN (SELECT id FROM panes WHERE {panes}))",
            [visible.user, *params])

