"""Encrypted sync of a personal store between machines (``perth sync``, SPEC C14).

Each machine ("home") keeps its own store.  ``perth sync`` pushes the versions of its panes, intent
entries and captured commands that changed since the last sync to a server as sealed records, and
pulls and applies what other homes pushed.  The server only stores and returns opaque rows: a
vault name, a random home id, a keyed hash of the record's identity, and ciphertext.

Layers, lowest first: ``errors``, ``crypto`` (Argon2id, XChaCha20-Poly1305, keyed identities),
``clock`` (HLC stamps of record versions), ``kinds`` (which records sync, read and written through the
store's ports), ``server`` (the server port and its in-memory fake) with ``pg_server`` (a PostgreSQL
table), ``state`` (this home's sync state), ``keys`` (passphrase and keyring), ``engine`` (push, pull,
conflicts), ``service`` (what the CLI calls).
"""
