"""The users port: users with a role, their hashed tokens, revocation, removal with every token."""

from __future__ import annotations

import pytest

from perth.errors import ConflictError
from perth.identity.model import ApiToken, User
from perth.store.port import Store

PORT = "users"


def test_users_are_added_listed_changed_and_unique(store: Store) -> None:
    bob = User(name="bob", role="viewer", created_at=2, created_by="root")
    store.users.add_user(bob)
    store.users.add_user(User(name="alice", role="approver", created_at=1))
    assert [u.name for u in store.users.list_users()] == ["alice", "bob"]
    assert store.users.get_user("bob") == bob
    assert store.users.get_user("carol") is None
    with pytest.raises(ConflictError):
        store.users.add_user(User(name="bob", role="admin", created_at=3))
    store.users.update_user(User(name="bob", role="operator", created_at=2, created_by="root"))
    assert store.users.get_user("bob") == User(name="bob", role="operator", created_at=2, created_by="root")


def test_tokens_belong_to_users_and_are_revoked_once(store: Store) -> None:
    store.users.add_user(User(name="alice", role="approver", created_at=1))
    first = ApiToken(id="a" * 12, user="alice", secret_hash="h1", created_at=5, label="laptop")
    second = ApiToken(id="b" * 12, user="alice", secret_hash="h2", created_at=6, expires_at=99)
    store.users.add_token(second)
    store.users.add_token(first)
    assert store.users.tokens("alice") == [first, second]
    assert store.users.tokens() == [first, second]
    assert store.users.tokens("bob") == []
    assert store.users.get_token("a" * 12) == first
    assert store.users.get_token("c" * 12) is None
    with pytest.raises(ConflictError):
        store.users.add_token(first)
    with pytest.raises(ConflictError):  # no such user
        store.users.add_token(ApiToken(id="c" * 12, user="nobody", secret_hash="h", created_at=1))
    assert store.users.revoke_token("a" * 12, 50) is True
    assert store.users.revoke_token("a" * 12, 60) is False
    assert store.users.get_token("a" * 12) == ApiToken(id="a" * 12, user="alice", secret_hash="h1", created_at=5,
                                                       label="laptop", revoked_at=50)


def test_removing_a_user_drops_their_tokens(store: Store) -> None:
    for name in ("alice", "bob"):
        store.users.add_user(User(name=name, role="viewer", created_at=1))
        store.users.add_token(ApiToken(id=name[0] * 12, user=name, secret_hash="h", created_at=1))
    assert store.users.remove_user("alice") is True
    assert store.users.remove_user("alice") is False
    assert [t.user for t in store.users.tokens()] == ["bob"]
    assert store.users.get_token("a" * 12) is None


def test_a_unit_of_work_rolls_users_and_tokens_back_together(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit():
        store.users.add_user(User(name="alice", role="admin", created_at=1))
        store.users.add_token(ApiToken(id="a" * 12, user="alice", secret_hash="h", created_at=1))
        raise RuntimeError("abort")
    assert store.users.list_users() == [] and store.users.tokens() == []
