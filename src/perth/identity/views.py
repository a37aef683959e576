"""Documents of ``perth user`` and ``perth token`` (schemas ``perth.user.*.v1``, ``perth.token.*.v1``).

A token's hash is never shown; its secret only once, in :func:`token_created_view`.
"""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Document, Fields, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.identity.model import ApiToken, User


def user_json(user: User) -> dict[str, object]:
    """A user in the JSON contracts."""
    return {"name": user.name, "role": user.role, "created_at": to_iso(user.created_at),
            "created_by": user.created_by, "teams": list(user.teams)}


def token_json(token: ApiToken, now: int) -> dict[str, object]:
    """A token in the JSON contracts (never its hash)."""
    state = ("revoked" if token.revoked_at is not None else
             "expired" if token.expires_at is not None and token.expires_at <= now else "live")
    return {"id": token.id, "user": token.user, "label": token.label, "state": state,
            "created_at": to_iso(token.created_at),
            "expires_at": to_iso(token.expires_at) if token.expires_at is not None else None,
            "revoked_at": to_iso(token.revoked_at) if token.revoked_at is not None else None}


def user_view(user: User, action: str) -> Document:
    """``perth user add|role|remove``: one user."""
    return Document("perth.user.v1", {"action": action, "user": user_json(user)}, title=f"User {user.name}",
                    blocks=[Fields([("name", user.name), ("role", user.role), ("teams", ", ".join(user.teams) or "-"),
                                    ("created", to_local(user.created_at)), ("action", action)])])


def user_list_view(users: Sequence[tuple[User, int]]) -> Document:
    """``perth user list``."""
    rows = [(u.name, u.role, ", ".join(u.teams) or "-", str(n), to_local(u.created_at)) for u, n in users]
    blocks = [Table(("name", "role", "teams", "live tokens", "created"), rows)] if rows else [
        Note("no users yet: add one with `perth user add NAME --role viewer|operator|approver|admin`")]
    return Document("perth.user.list.v1", {"users": [{**user_json(u), "live_tokens": n} for u, n in users]},
                    title="Users", blocks=blocks)


def token_created_view(token: ApiToken, secret: str, now: int) -> Document:
    """``perth token create``: the token, shown this once."""
    return Document("perth.token.created.v1", {"token": token_json(token, now), "secret": secret},
                    title=f"Token {token.id} of {token.user}",
                    blocks=[Fields([("id", token.id), ("user", token.user), ("token", secret)]),
                            Note("shown once: send it as `Authorization: Bearer <token>`, or sign in at /login")])


def token_view(token: ApiToken, action: str, now: int) -> Document:
    """``perth token revoke``: one token."""
    return Document("perth.token.v1", {"action": action, "token": token_json(token, now)},
                    title=f"Token {token.id}", blocks=[Fields([("id", token.id), ("user", token.user),
                                                               ("action", action)])])


def token_list_view(tokens: Sequence[ApiToken], now: int) -> Document:
    """``perth token list``."""
    data = [token_json(t, now) for t in tokens]
    rows = [(str(t["id"]), str(t["user"]), str(t["state"]), str(t["label"]), str(t["created_at"])) for t in data]
    blocks = [Table(("id", "user", "state", "label", "created"), rows)] if rows else [Note("no tokens")]
    return Document("perth.token.list.v1", {"tokens": data}, title="Tokens", blocks=blocks)
