"""Users, their roles and tokens (records only: nothing here acts).

Roles grant permissions, not ranks: an approver decides workflow gates but does not retry jobs, an
operator retries jobs and dead letters but decides no gate; an admin does everything, including
managing users. Every role reads.
"""

from __future__ import annotations

from perth.record import Record

#: The roles, least to most powerful.
ROLES: tuple[str, ...] = ("viewer", "operator", "approver", "admin")

#: What each role may do.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "operator": frozenset({"read", "operate"}),
    "approver": frozenset({"read", "approve"}),
    "admin": frozenset({"read", "operate", "approve", "admin"}),
}

#: Every permission a role can carry: ``read`` (any page or GET), ``operate`` (retry jobs, retry or drop
#: dead-lettered events), ``approve`` (approve or reject a workflow step), ``admin`` (manage users).
ACTIONS: tuple[str, ...] = ("read", "operate", "approve", "admin")

#: Every token starts with this, so the secret filter and people can recognize one.
TOKEN_PREFIX = "perth_"  # noqa: S105 - a prefix, not a password


class User(Record):
    """A named user of Perth's interfaces (the name is their identity in approvals and, on a multi-user
    store, the owner of what they record); ``teams``: the teams whose shared panes they read."""

    name: str
    role: str
    created_at: int
    created_by: str = ""
    teams: tuple[str, ...] = ()


class ApiToken(Record):
    """A bearer token of a user; only the SHA-256 of its secret is kept."""

    id: str
    user: str
    secret_hash: str
    created_at: int
    label: str = ""
    expires_at: int | None = None
    revoked_at: int | None = None


class Principal(Record):
    """Who made a request: a user, their role, their teams, and the token used (empty for the owner's
    config token)."""

    name: str
    role: str
    token_id: str = ""
    teams: tuple[str, ...] = ()

    def may(self, action: str) -> bool:
        """Whether this principal's role grants ``action``."""
        return action in PERMISSIONS.get(self.role, frozenset())
