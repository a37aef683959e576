"""Bearer tokens: their shape, the hash kept of their secret, and checking one against the users port.

A token reads ``perth_<id>_<secret>``: the id (12 hex digits) finds the stored row, the secret (43
URL-safe characters, 256 bits) is checked against the row's SHA-256 in constant time.  This module
needs only the users port, so the runtime authenticates ``store.token`` without the identity service.
"""

from __future__ import annotations

from perth.identity.model import TOKEN_PREFIX, ApiToken, Principal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.store.ports.users import UserRepo

#: Hex digits of a token's id.
ID_HEX = 12


def secret_hash(secret: str) -> str:
    """The SHA-256 of a token's secret: all the store keeps of it."""
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


def live(token: ApiToken, now: int) -> bool:
    """Whether a token is neither revoked nor expired at ``now``."""
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def parse_token(token: str) -> tuple[str, str]:
    """``(id, secret)`` of a token's text, or ``("", "")`` when it does not have a token's shape."""
    if not token.startswith(TOKEN_PREFIX):
        return "", ""
    token_id, _, secret = token[len(TOKEN_PREFIX):].partition("_")
    if len(token_id) != ID_HEX or not secret or len(secret) > 128:
        return "", ""
    return token_id, secret


def authenticate_in(users: UserRepo, token: str, now: int) -> Principal | None:
    """The principal a bearer token stands for in ``users``, or None (unknown, wrong, revoked, expired,
    user gone)."""
    import hmac

    token_id, secret = parse_token(token)
    if not token_id:
        return None
    found = users.get_token(token_id)
    if found is None or not hmac.compare_digest(found.secret_hash, secret_hash(secret)) or not live(found, now):
        return None
    user = users.get_user(found.user)
    return None if user is None else Principal(name=user.name, role=user.role, token_id=found.id, teams=user.teams)
