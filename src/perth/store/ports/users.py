"""The users port: users of Perth's interfaces, their roles and hashed bearer tokens (identity)."""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.identity.model import ApiToken, User


class UserRepo(Protocol):
    """Persistence of users and their tokens (a token's secret is never stored, only its hash)."""

    def add_user(self, user: User) -> None:
        """Add a user; a name already taken is a ConflictError."""

    def update_user(self, user: User) -> None:
        """Replace a user's role and teams (by name)."""

    def get_user(self, name: str) -> User | None:
        """One user by name."""

    def list_users(self) -> list[User]:
        """Every user, by name."""

    def remove_user(self, name: str) -> bool:
        """Forget a user and their tokens; whether the user existed."""

    def add_token(self, token: ApiToken) -> None:
        """Store a token of an existing user; an id already used is a ConflictError."""

    def get_token(self, token_id: str) -> ApiToken | None:
        """One token by id (revoked ones too)."""

    def tokens(self, user: str | None = None) -> list[ApiToken]:
        """Tokens (of one user, or every one), oldest first."""

    def revoke_token(self, token_id: str, at: int) -> bool:
        """Mark a live token revoked at ``at``; whether a live token was revoked."""
