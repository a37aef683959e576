"""Managing users and tokens, and authenticating a bearer token.

A token reads ``perth_<id>_<secret>``: the id (12 hex digits) finds the stored row, the secret (43
URL-safe characters, 256 bits) is checked against the row's SHA-256 in constant time. A random
256-bit secret needs no slow password hash: its hash cannot be brute-forced, and a stolen database
reveals no usable token. The token is shown once, when it is created.
"""

from __future__ import annotations

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.identity.model import PERMISSIONS, ROLES, TOKEN_PREFIX, ApiToken, Principal, User
from perth.identity.tokens import ID_HEX, authenticate_in, parse_token
from perth.identity.tokens import live as _live
from perth.identity.tokens import secret_hash as _hash

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
_NAME_RULE = "use 1-64 letters, digits, '.', '_', '-' or '@', not starting with '-' or '@'"


def check_name(name: str) -> str:
    """A user name: 1-64 letters, digits, ``. _ - @`` (it is the identity approvals compare)."""
    if not 1 <= len(name) <= 64 or not set(name) <= _NAME_CHARS or name.startswith(("-", "@")):
        raise InvalidInputError(f"user name {name[:80]!r}", _NAME_RULE)
    return name


def check_role(role: str) -> str:
    """One of :data:`ROLES`."""
    if role not in ROLES:
        raise InvalidInputError(f"role {role[:40]!r}", f"pick one of {', '.join(ROLES)}")
    return role


def require_admin(rt: Runtime) -> None:
    """On a multi-user store, managing users and tokens needs an admin's ``store.token`` once an admin holds a
    live token (before that, whoever sets the store up adds the first admin and their token)."""
    from perth.errors import ForbiddenError

    if not rt.settings.store.multi_user:
        return
    users = rt.whole_store.users
    admins = {user.name for user in users.list_users() if user.role == "admin"}
    if not any(token.user in admins and _live(token, rt.clock()) for token in users.tokens()):
        return
    principal = rt.principal
    if principal is None or not principal.may("admin"):
        who = "no user is signed in" if principal is None else f"{principal.name} is a {principal.role}"
        raise ForbiddenError(f"managing the users of a multi-user store needs an admin, and {who}",
                             "set store.token to an admin's token")


def check_team(team: str) -> str:
    """A team name: the same shape as a user name."""
    if not 1 <= len(team) <= 64 or not set(team) <= _NAME_CHARS or team.startswith(("-", "@")):
        raise InvalidInputError(f"team name {team[:80]!r}", _NAME_RULE)
    return team


def _plain_team(rt: Runtime, team: str) -> str:
    """A team name that is not a credential (names are stored and shown as they are)."""
    check_team(team)
    findings = rt.secret_filter.findings(team)
    if findings:
        raise InvalidInputError(f"the team name looks like a secret ({findings[0].rule_id})",
                                "choose a team name that does not contain a credential")
    return team


def join_team(rt: Runtime, name: str, team: str, *, leave: bool = False) -> User:
    """Add a user to a team (or, with ``leave``, take them out): they read the panes shared with it."""
    from perth.record import replace

    require_admin(rt)
    user = get_user(rt, name)
    teams = set(user.teams) - {check_team(team)} if leave else {*user.teams, _plain_team(rt, team)}
    changed = replace(user, teams=tuple(sorted(teams)))
    rt.whole_store.users.update_user(changed)
    return changed


def add_user(rt: Runtime, name: str, role: str, *, by: str = "", teams: tuple[str, ...] = ()) -> User:
    """Add a user with a role (and teams)."""
    require_admin(rt)
    user = User(name=check_name(name), role=check_role(role), created_at=rt.clock(), created_by=by,
                teams=tuple(sorted({_plain_team(rt, team) for team in teams})))
    rt.whole_store.users.add_user(user)
    return user


def set_role(rt: Runtime, name: str, role: str) -> User:
    """Change a user's role (their tokens keep working, with the new role)."""
    from perth.record import replace

    require_admin(rt)
    changed = replace(get_user(rt, name), role=check_role(role))
    rt.whole_store.users.update_user(changed)
    return changed


def get_user(rt: Runtime, name: str) -> User:
    """One user, or NotFoundError."""
    found = rt.whole_store.users.get_user(name)
    if found is None:
        raise NotFoundError(f"no user named {name[:80]!r}", "list them with `perth user list`")
    return found


def list_users(rt: Runtime) -> list[tuple[User, int]]:
    """Every user with how many live tokens they hold."""
    live: dict[str, int] = {}
    now = rt.clock()
    for token in rt.whole_store.users.tokens():
        if _live(token, now):
            live[token.user] = live.get(token.user, 0) + 1
    return [(user, live.get(user.name, 0)) for user in rt.whole_store.users.list_users()]


def remove_user(rt: Runtime, name: str) -> User:
    """Forget a user and every token of theirs."""
    require_admin(rt)
    user = get_user(rt, name)
    rt.whole_store.users.remove_user(name)
    return user


def create_token(rt: Runtime, name: str, *, label: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of user ``name`` (expiring after ``days``): the stored record and the token itself."""
    import secrets

    require_admin(rt)
    get_user(rt, name)
    if days is not None and not 1 <= days <= 3650:
        raise InvalidInputError(f"--days {days}", "pass a number of days from 1 to 3650")
    now = rt.clock()
    token_id, secret = secrets.token_hex(ID_HEX // 2), secrets.token_urlsafe(32)
    record = ApiToken(id=token_id, user=name, secret_hash=_hash(secret), created_at=now,
                      label=str(rt.redact(label, "cli")), expires_at=now + days * 86_400_000 if days else None)
    rt.whole_store.users.add_token(record)
    return record, f"{TOKEN_PREFIX}{token_id}_{secret}"


def list_tokens(rt: Runtime, name: str | None = None) -> list[ApiToken]:
    """Tokens (of one user), oldest first; the hashes stay in the store's records, views never show them."""
    if name is not None:
        get_user(rt, name)
    return rt.whole_store.users.tokens(name)


def revoke_token(rt: Runtime, token_id: str) -> ApiToken:
    """Revoke a token by id (or by the whole token)."""
    from perth.record import replace

    require_admin(rt)
    wanted = parse_token(token_id)[0] if token_id.startswith(TOKEN_PREFIX) else token_id
    found = rt.whole_store.users.get_token(wanted)
    if found is None:
        raise NotFoundError(f"no token with id {wanted[:40]!r}", "list them with `perth token list`")
    if found.revoked_at is not None:
        raise ConflictError(f"token {found.id} is already revoked", "nothing to do")
    now = rt.clock()
    rt.whole_store.users.revoke_token(found.id, now)
    return replace(found, revoked_at=now)


def authenticate(rt: Runtime, token: str) -> Principal | None:
    """The principal a bearer token stands for, or None (unknown, wrong, revoked, expired, user gone)."""
    return authenticate_in(rt.whole_store.users, token, rt.clock())


def permitted(principal: Principal | None, action: str) -> str | None:
    """Why ``principal`` may not do ``action`` (None when it may)."""
    if principal is None:
        return "a token is required"
    if principal.may(action):
        return None
    allowed = [role for role in ROLES if action in PERMISSIONS[role]]
    return f"{principal.name} is a {principal.role}; {action} needs the role {' or '.join(allowed)}"
