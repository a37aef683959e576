"""Users, roles and hashed tokens: authentication, revocation, expiry, permissions, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.identity.model import PERMISSIONS, ROLES, Principal
from perth.identity.service import (
    add_user,
    authenticate,
    create_token,
    list_users,
    parse_token,
    permitted,
    remove_user,
    revoke_token,
    set_role,
)
from perth.runtime import Runtime
from tests.search.conftest import make_rt

TOKEN_CONTRACTS = {
    "perth.user.v1": {"schema", "action", "user"},
    "perth.user.list.v1": {"schema", "users"},
    "perth.token.created.v1": {"schema", "token", "secret"},
    "perth.token.v1": {"schema", "action", "token"},
    "perth.token.list.v1": {"schema", "tokens"},
}


@pytest.fixture
def rt(perth_home: Path) -> Iterator[Runtime]:
    del perth_home  # it points PERTH_HOME at a temporary folder
    runtime = make_rt()
    try:
        yield runtime
    finally:
        runtime.close()


def test_a_token_authenticates_its_user_with_their_current_role(rt: Runtime) -> None:
    add_user(rt, "alice", "approver")
    record, token = create_token(rt, "alice", label="laptop")
    assert token.startswith("perth_") and record.secret_hash not in token
    assert record.secret_hash == __import__("hashlib").sha256(token.split("_", 2)[2].encode()).hexdigest()
    assert authenticate(rt, token) == Principal(name="alice", role="approver", token_id=record.id)
    set_role(rt, "alice", "viewer")
    assert authenticate(rt, token) == Principal(name="alice", role="viewer", token_id=record.id)
    assert authenticate(rt, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert authenticate(rt, "perth_" + "0" * 12 + "_x") is None
    assert authenticate(rt, "") is None
    assert list_users(rt)[0][1] == 1


def test_revoked_expired_and_removed_tokens_stop_working(rt: Runtime) -> None:
    add_user(rt, "bob", "operator")
    _record, revoked = create_token(rt, "bob")
    revoke_token(rt, revoked)
    assert authenticate(rt, revoked) is None
    with pytest.raises(ConflictError):
        revoke_token(rt, revoked)
    expiring, token = create_token(rt, "bob", days=1)
    assert authenticate(rt, token) is not None
    rt.clock = lambda: expiring.created_at + 86_400_001
    assert authenticate(rt, token) is None
    _record, other = create_token(rt, "bob")
    remove_user(rt, "bob")
    assert authenticate(rt, other) is None
    with pytest.raises(NotFoundError):
        create_token(rt, "bob")


def test_bad_names_roles_and_days_are_one_line_errors(rt: Runtime) -> None:
    for name in ("", "a b", "-x", "@grp", "x" * 65, "ünïcode"):
        with pytest.raises(InvalidInputError):
            add_user(rt, name, "viewer")
    with pytest.raises(InvalidInputError):
        add_user(rt, "carol", "root")
    add_user(rt, "carol", "admin")
    with pytest.raises(ConflictError):
        add_user(rt, "carol", "viewer")
    with pytest.raises(InvalidInputError):
        create_token(rt, "carol", days=0)


def test_roles_grant_permissions_not_ranks() -> None:
    assert permitted(None, "read") == "a token is required"
    assert permitted(Principal(name="a", role="viewer"), "read") is None
    assert "approver or admin" in str(permitted(Principal(name="a", role="operator"), "approve"))
    assert "operator or admin" in str(permitted(Principal(name="a", role="approver"), "operate"))
    assert all(permitted(Principal(name="a", role="admin"), action) is None for action in PERMISSIONS["admin"])
    assert [r for r in ROLES if Principal(name="a", role=r).may("approve")] == ["approver", "admin"]


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_any_text_parses_to_a_token_shape_or_nothing(text: str) -> None:
    token_id, secret = parse_token(text)
    assert (token_id, secret) == ("", "") or (text == f"perth_{token_id}_{secret}" and len(token_id) == 12)


def test_cli_manages_users_and_tokens_with_pinned_contracts(cli: Callable[..., Any]) -> None:
    def doc(*args: str) -> dict[str, Any]:
        result = cli(*args, "--format", "json")
        assert result.code == 0, result.err
        found = json.loads(result.out)
        assert set(found) == TOKEN_CONTRACTS[found["schema"]]
        return dict(found)

    assert doc("user", "add", "dana", "--role", "approver")["user"]["role"] == "approver"
    created = doc("token", "create", "dana", "--label", "ci")
    assert created["secret"].startswith("perth_") and "hash" not in json.dumps(created["token"])
    listed = doc("token", "list")
    assert [t["state"] for t in listed["tokens"]] == ["live"] and created["secret"] not in json.dumps(listed)
    assert doc("user", "role", "dana", "viewer")["user"]["role"] == "viewer"
    assert doc("user", "list")["users"][0]["live_tokens"] == 1
    assert doc("token", "revoke", created["token"]["id"])["token"]["state"] == "revoked"
    assert doc("user", "remove", "dana")["action"] == "remove"
    missing = cli("token", "create", "dana")
    assert missing.code == 3 and "perth user list" in missing.err
    assert cli("user", "add", "eve", "--role", "root").code == 2
