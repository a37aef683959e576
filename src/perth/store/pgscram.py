"""SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it, for :mod:`perth.store.pgwire`.

The client proves it knows the password without sending it and checks that the server knows it
too (the server's signature); no channel binding (``SCRAM-SHA-256-PLUS`` is not offered by this client).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os


class ScramError(Exception):
    """The exchange failed: a malformed challenge, the server's refusal, or a server that does not know the password."""


def saslprep(password: str) -> str:
    """The password as SASLprep (RFC 4013) prepares it, for the common cases; as given when that fails.

    Non-ASCII spaces become spaces, characters "commonly mapped to nothing" are dropped, and the
    result is NFKC-normalised; a password with prohibited characters is used unchanged, as libpq does.
    """
    if password.isascii():
        return password
    import unicodedata

    mapped = "".join(" " if unicodedata.category(c) == "Zs" else c for c in password
                     if c not in "\u00ad\u034f\u1806\u180b\u180c\u180d\u200b\u200c\u200d\u2060\ufe00\ufe01"
                     "\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff")
    prepared = unicodedata.normalize("NFKC", mapped)
    if not prepared or any(unicodedata.category(c) in ("Cc", "Co", "Cs", "Cn") for c in prepared):
        return password
    return prepared


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


class Scram:
    """One SCRAM-SHA-256 exchange: ``client_first`` -> ``client_final(server_first)`` -> ``verify_server``."""

    def __init__(self, password: str, *, nonce: str | None = None, user: str = "") -> None:
        self.password = saslprep(password).encode()
        self.nonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self._first_bare = f"n={user},r={self.nonce}"
        self._server_signature = b""

    def client_first(self) -> bytes:
        """``n,,n=,r=NONCE`` (PostgreSQL takes the user from the start-up message, not from here)."""
        return f"n,,{self._first_bare}".encode()

    def client_final(self, server_first: bytes) -> bytes:
        """The proof, from the server's nonce, salt and iteration count."""
        text = server_first.decode()
        attrs = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        nonce, salt, iterations = attrs.get("r", ""), attrs.get("s", ""), attrs.get("i", "")
        if not nonce.startswith(self.nonce) or not salt or not iterations.isdigit():
            raise ScramError("the server's SCRAM challenge is malformed")
        salted = hashlib.pbkdf2_hmac("sha256", self.password, base64.b64decode(salt), int(iterations))
        client_key = _hmac(salted, b"Client Key")
        without_proof = f"c=biws,r={nonce}"
        auth = f"{self._first_bare},{text},{without_proof}".encode()
        signature = _hmac(hashlib.sha256(client_key).digest(), auth)
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self._server_signature = _hmac(_hmac(salted, b"Server Key"), auth)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify_server(self, server_final: bytes) -> None:
        """Check the server's signature: a server that does not know the password is refused."""
        attrs = dict(part.split("=", 1) for part in server_final.decode().split(",") if "=" in part)
        if "e" in attrs:
            raise ScramError(f"SCRAM authentication failed: {attrs['e']}")
        given = base64.b64decode(attrs.get("v", ""))
        if not self._server_signature or not hmac.compare_digest(given, self._server_signature):
            raise ScramError("the server's SCRAM signature is wrong: it does not know the password")
