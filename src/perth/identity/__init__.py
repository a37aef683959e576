"""Identities of Perth's interfaces: named users with a role, and their bearer tokens (stored hashed).

The web dashboard, the MCP server and (later) the team store authenticate the same users: the
model in :mod:`perth.identity.model`, the verbs in :mod:`perth.identity.service`, persisted behind
``store.users`` (:mod:`perth.store.ports.users`).
"""
