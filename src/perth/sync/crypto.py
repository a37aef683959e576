"""Keys and sealed records of ``perth sync`` (PyNaCl: libsodium).

* The **master key** (32 bytes) is derived from the passphrase by Argon2id with a random salt and
  cost parameters stored in the vault's parameters on the server (which never sees the key).
* Two **subkeys** are derived from it with keyed BLAKE2b: one encrypts, one hashes record identities.
* A **sealed record** is ``version byte || 24-byte random nonce || XChaCha20-Poly1305 ciphertext+tag``;
  the associated data binds it to its vault, the home that wrote it and the keyed hash of its
  identity, so the server cannot move a record to another identity, home or vault undetected.
* The vault's **check** is a fixed text sealed under the key: a wrong passphrase fails to open it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from perth.record import Record
from perth.sync.errors import SyncKeyError, SyncTamperedError

FORMAT = 1
NONCE_BYTES = 24
KEY_BYTES = 32
CHECK_TEXT = b"perth-sync vault key check v1"
#: Argon2id cost of new vaults: 3 passes over 64 MiB (libsodium's "moderate" passes, "interactive" memory).
OPS_LIMIT = 3
MEM_LIMIT = 64 * 1024 * 1024


class VaultParams(Record):
    """What the server keeps about a vault: the KDF, its salt and costs, and the key check."""

    kdf: str
    salt: str  # base64
    ops: int
    mem: int
    check: str  # base64 of a sealed CHECK_TEXT

    def to_bytes(self) -> bytes:
        """The stored form (JSON)."""
        return json.dumps({name: getattr(self, name) for name in self._fields}, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> VaultParams:
        """Parse the stored form; anything else is an error naming the vault data as damaged."""
        try:
            data = json.loads(raw)
            if not all(isinstance(data[name], str) for name in ("kdf", "salt", "check")):
                raise TypeError("kdf, salt and check must be strings")
            params = cls(kdf=data["kdf"], salt=data["salt"], ops=int(data["ops"]), mem=int(data["mem"]),
                         check=data["check"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SyncTamperedError("the vault's parameters on the sync server are damaged",
                                    "start a new vault with `perth sync init --vault NEW`") from exc
        if not (1 <= params.ops <= 16 and 8 * 1024 <= params.mem <= 4 * 1024**3):
            raise SyncTamperedError(f"the vault's key-derivation costs are out of range (ops {params.ops},"
                                    f" memory {params.mem} bytes)",
                                    "start a new vault with `perth sync init --vault NEW`")
        if params.kdf != "argon2id":
            raise SyncKeyError(f"the vault uses the key derivation {params.kdf!r}, which this Perth does not know",
                               "upgrade Perth on this machine")
        return params


class Keys(Record):
    """The subkeys of a master key."""

    master: bytes
    seal: bytes
    index: bytes


def _subkey(master: bytes, purpose: bytes) -> bytes:
    return hashlib.blake2b(b"", key=master, person=purpose.ljust(16, b"\0"), digest_size=KEY_BYTES).digest()


def keys_from_master(master: bytes) -> Keys:
    """Derive the sealing and indexing subkeys."""
    if len(master) != KEY_BYTES:
        raise SyncKeyError("the stored sync key is not 32 bytes", "run `perth sync init` again with the passphrase")
    return Keys(master=master, seal=_subkey(master, b"perth-sync-seal"), index=_subkey(master, b"perth-sync-idx"))


def derive_master(passphrase: str, params: VaultParams) -> bytes:
    """Argon2id of the passphrase with the vault's salt and costs."""
    from nacl import pwhash

    if not passphrase:
        raise SyncKeyError("the sync passphrase is empty", "set PERTH_SYNC_PASSPHRASE or type a passphrase")
    salt = base64.b64decode(params.salt)
    return pwhash.argon2id.kdf(KEY_BYTES, passphrase.encode(), salt, opslimit=params.ops, memlimit=params.mem)


def _check_ad(vault: str) -> bytes:
    return b"perth-sync-check\0" + vault.encode()


def new_vault(passphrase: str, vault: str, *, ops: int = OPS_LIMIT, mem: int = MEM_LIMIT) -> tuple[VaultParams, Keys]:
    """Fresh parameters (random salt) for a new vault, and its keys."""
    from nacl import pwhash, utils

    salt = utils.random(pwhash.argon2id.SALTBYTES)
    draft = VaultParams(kdf="argon2id", salt=base64.b64encode(salt).decode(), ops=ops, mem=mem, check="")
    keys = keys_from_master(derive_master(passphrase, draft))
    check = seal(keys, CHECK_TEXT, _check_ad(vault))
    return VaultParams(kdf="argon2id", salt=draft.salt, ops=ops, mem=mem,
                       check=base64.b64encode(check).decode()), keys


def verify(keys: Keys, params: VaultParams, vault: str) -> None:
    """Raise :class:`SyncKeyError` unless the keys open the vault's check."""
    try:
        ok = unseal(keys, base64.b64decode(params.check), _check_ad(vault)) == CHECK_TEXT
    except SyncTamperedError:
        ok = False
    if not ok:
        raise SyncKeyError(f"wrong sync passphrase for vault {vault!r} (it does not open the vault's key check)",
                           "use the passphrase given to `perth sync init` on the first machine of this vault")


def record_key(keys: Keys, kind: str, record_id: str) -> str:
    """The keyed hash standing for a record's identity on the server (the same on every home)."""
    return hmac.new(keys.index, f"{kind}\0{record_id}".encode(), hashlib.sha256).hexdigest()[:32]


def associated_data(vault: str, home: str, key: str) -> bytes:
    """What a sealed record is bound to besides its plaintext."""
    return f"perth-sync-v{FORMAT}\0{vault}\0{home}\0{key}".encode()


def seal(keys: Keys, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt and authenticate with a fresh random 24-byte nonce."""
    from nacl import bindings, utils

    nonce = utils.random(NONCE_BYTES)
    return bytes([FORMAT]) + nonce + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce,
                                                                                          keys.seal)


def unseal(keys: Keys, blob: bytes, ad: bytes) -> bytes:
    """Decrypt and authenticate; anything altered raises :class:`SyncTamperedError`."""
    from nacl import bindings
    from nacl.exceptions import CryptoError

    if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != FORMAT:
        raise SyncTamperedError("a sealed record is malformed", "")
    try:
        return bytes(bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            blob[1 + NONCE_BYTES:], ad, blob[1:1 + NONCE_BYTES], keys.seal))
    except CryptoError as exc:
        raise SyncTamperedError("a sealed record failed authentication", "") from exc
