"""Tables ``users`` and ``api_tokens`` (SQLite migration ``m017_users``, PostgreSQL ``m005_users``): the users port.

Written once in the SQL both engines share. A token row keeps the SHA-256 of the token's secret,
never the secret.
"""

from __future__ import annotations

from perth.errors import ConflictError
from perth.store.sql import IntegrityViolation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.identity.model import ApiToken, User
    from perth.store.sql import SqlDatabase

_USER_COLUMNS = "name, role, created_at, created_by, teams"
_TOKEN_COLUMNS = "id, user_name, secret_hash, created_at, label, expires_at, revoked_at"  # noqa: S105 - columns


def _user(row: Sequence[Any]) -> User:
    from perth.identity.model import User
    from perth.store.sql_json import json_list

    return User(name=row[0], role=row[1], created_at=row[2], created_by=row[3], teams=json_list(row[4]))


def _token(row: Sequence[Any]) -> ApiToken:
    from perth.identity.model import ApiToken

    return ApiToken(id=row[0], user=row[1], secret_hash=row[2], created_at=row[3], label=row[4],
                    expires_at=row[5], revoked_at=row[6])


def _teams(user: User) -> str:
    from perth.store.sql_json import to_json

    return str(to_json(sorted(set(user.teams))))


class SqlUsers:
    """The users port (see :class:`perth.store.ports.users.UserRepo`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add_user(self, user: User) -> None:
        """Add a user; a name already taken is a ConflictError."""
        try:
            self._db.write(f"INSERT INTO users({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                           (user.name, user.role, user.created_at, user.created_by, _teams(user)))
        except IntegrityViolation as exc:
            raise ConflictError(f"a user named {user.name!r} already exists",
                                "pick another name, or change their role with `perth user role`") from exc

    def update_user(self, user: User) -> None:
        """Replace a user's role and teams (by name)."""
        self._db.write("UPDATE users SET role = ?, teams = ? WHERE name = ?", (user.role, _teams(user), user.name))

    def get_user(self, name: str) -> User | None:
        """One user by name."""
        rows = self._db.rows(f"SELECT {_USER_COLUMNS} FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def list_users(self) -> list[User]:
        """Every user, by name."""
        return [_user(row) for row in self._db.rows(f"SELECT {_USER_COLUMNS} FROM users ORDER BY name")]

    def remove_user(self, name: str) -> bool:
        """Forget a user and their tokens; whether the user existed."""
        with self._db.transaction():
            self._db.run("DELETE FROM api_tokens WHERE user_name = ?", (name,))
            return bool(self._db.run("DELETE FROM users WHERE name = ?", (name,)).rowcount)

    def add_token(self, token: ApiToken) -> None:
        """Store a token of an existing user; an id already used (or an unknown user) is a ConflictError."""
        try:
            self._db.write(f"INSERT INTO api_tokens({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (token.id, token.user, token.secret_hash, token.created_at, token.label,
                            token.expires_at, token.revoked_at))
        except IntegrityViolation as exc:
            raise ConflictError(f"token {token.id} cannot be stored for {token.user!r} (taken id or no such user)",
                                "create the user first with `perth user add`") from exc

    def get_token(self, token_id: str) -> ApiToken | None:
        """One token by id (revoked ones too)."""
        rows = self._db.rows(f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE id = ?", (token_id,))
        return _token(rows[0]) if rows else None

    def tokens(self, user: str | None = None) -> list[ApiToken]:
        """Tokens (of one user, or every one), oldest first."""
        where, params = (" WHERE user_name = ?", (user,)) if user is not None else ("", ())
        return [_token(row) for row in self._db.rows(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens{where} ORDER BY created_at, id", params)]

    def revoke_token(self, token_id: str, at: int) -> bool:
        """Mark a live token revoked at ``at``; whether a live token was revoked."""
        return bool(self._db.write("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                   (at, token_id)).rowcount)
