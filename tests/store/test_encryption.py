"""Encryption at rest of the SQLite file (SQLCipher): opt-in, no plaintext on disk, a wrong key
refused with one clear line, key rotation (with the keyring's previous key surviving a crash between
its steps), decryption, and ``perth doctor`` saying whether it is on."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from perth.store import crypt, encryption
from tests.conftest import CliResult
from tests.memory_keyring import MemoryKeyring, memory_keyring

__all__ = ["memory_keyring"]

CONTRACT = {"schema", "action", "path", "encrypted", "key_source"}


def _on_disk(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.glob("perth.db*")) if p.is_file())


def _doctor(cli: Callable[..., CliResult]) -> dict[str, str]:
    result = cli("doctor", "--format", "json")
    checks = json.loads(result.out)["checks"]
    return next(c for c in checks if (c["area"], c["name"]) == ("store", "encryption"))


def _history(cli: Callable[..., CliResult]) -> list[str]:
    result = cli("history", "--format", "json")
    assert result.code == 0, result.err
    return [e["summary"] for e in json.loads(result.out)["entries"]]


def test_encrypt_leaves_no_plaintext_and_the_store_keeps_working(cli: Callable[..., CliResult], perth_home: Path,
                                                                memory_keyring: MemoryKeyring) -> None:
    canary = f"canary-{secrets.token_hex(8)}"
    assert cli("log", f"before {canary}", "--pane", "secret-work").code == 0
    assert canary.encode() in _on_disk(perth_home)
    assert _doctor(cli)["detail"].startswith("off")
    done = cli("store", "encrypt", "--format", "json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert set(report) == CONTRACT and report["key_source"] == "keyring" and report["encrypted"] is True
    db = perth_home / "perth.db"
    assert list(memory_keyring.data) == [("perth-store", str(db))]
    assert crypt.is_encrypted(str(db)) and not os.path.exists(f"{db}.rewrite")
    assert cli("log", f"after {canary}", "--pane", "secret-work").code == 0
    assert _history(cli) == [f"after {canary}", f"before {canary}"]
    data = _on_disk(perth_home)
    assert canary.encode() not in data and b"secret-work" not in data and b"SQLite format 3" not in data
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT count(*) FROM entries").fetchone()
    check = _doctor(cli)
    assert check["status"] == "ok" and check["detail"].startswith("on: SQLCipher 4.") and "OS keyring" in check["detail"]
    assert "[store]\nencryption = \"sqlcipher\"" in (perth_home / "config.toml").read_text()


def test_a_wrong_key_is_one_clear_error(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    key = secrets.token_hex(32)
    monkeypatch.setenv("PERTH_STORE_KEY", key)
    assert cli("log", "kept", "--pane", "p").code == 0
    assert json.loads(cli("store", "encrypt", "--format", "json").out)["key_source"] == "env"
    assert _history(cli) == ["kept"]
    monkeypatch.setenv("PERTH_STORE_KEY", secrets.token_hex(32))
    wrong = cli("history")
    assert wrong.code == 1
    assert wrong.err.strip().splitlines() == [
        f"perth: error: the key does not open {os.environ['PERTH_HOME']}/perth.db (a wrong key, or the file is not"
        " encrypted) — set PERTH_STORE_KEY to the key the file was encrypted with; `perth store encrypt` encrypts"
        " a plain file"]
    assert _doctor(cli)["status"] == "fail"
    monkeypatch.delenv("PERTH_STORE_KEY")
    missing = cli("history")
    assert missing.code == 1 and "no key for" in missing.err and "PERTH_STORE_KEY" in missing.err
    monkeypatch.setenv("PERTH_STORE__ENCRYPTION", "off")
    plain = cli("history")
    assert plain.code == 1 and "not a Perth database (not SQLite, damaged, or encrypted)" in plain.err
    assert "perth config set store.encryption sqlcipher" in plain.err


def test_rekey_rotates_the_keyring_key_and_the_old_key_stops_working(
        cli: Callable[..., CliResult], perth_home: Path, memory_keyring: MemoryKeyring) -> None:
    assert cli("log", "survives rotation", "--pane", "p").code == 0
    assert cli("store", "encrypt").code == 0
    db = str(perth_home / "perth.db")
    first = memory_keyring.data[("perth-store", db)]
    assert cli("store", "rekey").code == 0
    second = memory_keyring.data[("perth-store", db)]
    assert second != first and memory_keyring.data[("perth-store", db + "#previous")] == first
    assert _history(cli) == ["survives rotation"]
    with pytest.raises(crypt.WrongStoreKeyError):
        crypt.connect(db, first, timeout=1).close()
    crypt.connect(db, second, timeout=1).close()
    # a rotation interrupted after the keyring took the new key, before the file was rewritten:
    encryption.remember(db, secrets.token_hex(32))
    assert _history(cli) == ["survives rotation"]  # the previous key (the file's) still opens it


def test_rekey_with_keys_from_the_environment(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
                                              perth_home: Path) -> None:
    old, new = secrets.token_hex(32), "a passphrase rather than a raw key"
    monkeypatch.setenv("PERTH_STORE_KEY", old)
    assert cli("log", "x", "--pane", "p").code == 0
    assert cli("store", "encrypt").code == 0
    refused = cli("store", "rekey")
    assert refused.code == 1 and "set PERTH_STORE_NEW_KEY" in refused.err
    monkeypatch.setenv("PERTH_STORE_NEW_KEY", new)
    assert cli("store", "rekey").code == 0
    assert cli("history").code == 1  # the old key no longer opens it
    monkeypatch.setenv("PERTH_STORE_KEY", new)
    assert _history(cli) == ["x"]
    assert cli("store", "decrypt").code == 0
    monkeypatch.delenv("PERTH_STORE_KEY")
    assert not crypt.is_encrypted(str(perth_home / "perth.db"))
    assert sqlite3.connect(perth_home / "perth.db").execute("SELECT summary FROM entries").fetchall() == [("x",)]
    assert _history(cli) == ["x"] and _doctor(cli)["detail"].startswith("off")


def test_encrypting_twice_and_a_server_store_are_refused(cli: Callable[..., CliResult],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("store", "encrypt").code == 0  # a store that did not exist yet is created, then encrypted
    again = cli("store", "encrypt")
    assert again.code == 1 and "is already encrypted" in again.err
    assert cli("status").code == 0
    monkeypatch.setenv("PERTH_STORE__URL", "postgresql://postgres@127.0.0.1:5432/test")
    server = cli("store", "encrypt")
    assert server.code == 1 and "encryption at rest is for the SQLite file" in server.err


def test_a_new_store_with_encryption_configured_is_created_encrypted(cli: Callable[..., CliResult],
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     perth_home: Path) -> None:
    monkeypatch.setenv("PERTH_STORE__ENCRYPTION", "sqlcipher")
    monkeypatch.setenv("PERTH_STORE_KEY", "correct horse battery staple")
    assert cli("log", "born encrypted", "--pane", "p").code == 0
    assert crypt.is_encrypted(str(perth_home / "perth.db"))
    assert b"born encrypted" not in _on_disk(perth_home)
    assert _history(cli) == ["born encrypted"]
