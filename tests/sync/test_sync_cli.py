"""``perth sync`` end to end: two PERTH_HOME folders against one real PostgreSQL server (a table of
the test's own), concurrent edits converging, the server's rows free of plaintext, a wrong
passphrase and altered ciphertext refused, and the JSON contracts pinned."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from perth.sync.pg_server import split_table
from tests.conftest import CliResult
from tests.json_contract import pinned_json
from tests.sync.conftest import PG_URL, MemoryKeyring

pytestmark = pytest.mark.integration

PASSPHRASE = "laptop and desktop agree"
CONTRACTS = {
    "perth.sync.init.v1": {"schema", "vault", "server", "home", "created", "key_store"},
    "perth.sync.run.v1": {"schema", "action", "pushed", "pulled", "applied", "unchanged", "superseded", "own",
                          "sent_bytes", "received_bytes", "plaintext_bytes", "conflicts"},
    "perth.sync.status.v1": {"schema", "configured", "vault", "server", "home", "key_store", "cursor",
                             "last_push_at", "last_pull_at", "synced_records", "pending", "server_rows",
                             "server_bytes", "server_last_seq", "conflicts_total", "conflicts"},
}


class Homes:
    """Run the in-process CLI as one of two homes."""

    def __init__(self, root: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.cli, self.monkeypatch = root, cli, monkeypatch

    def home(self, name: str) -> Path:
        return self.root / name

    @contextmanager
    def at(self, name: str, passphrase: str | None = PASSPHRASE) -> Iterator[Callable[..., CliResult]]:
        self.monkeypatch.setenv("PERTH_HOME", str(self.home(name)))
        if passphrase is None:
            self.monkeypatch.delenv("PERTH_SYNC_PASSPHRASE", raising=False)
        else:
            self.monkeypatch.setenv("PERTH_SYNC_PASSPHRASE", passphrase)
        yield self.cli

    def run(self, name: str, *args: str, passphrase: str | None = PASSPHRASE) -> CliResult:
        with self.at(name, passphrase) as cli:
            return cli(*args)


@pytest.fixture
def homes(tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> Homes:
    return Homes(tmp_path, cli, monkeypatch)


def history(homes: Homes, name: str) -> list[dict[str, Any]]:
    result = homes.run(name, "history", "--include-deleted", "--limit", "1000", "--format", "json")
    assert result.code == 0, result.err
    entries = json.loads(result.out)["entries"]
    return sorted(({k: v for k, v in e.items() if k != "short_id"} for e in entries), key=lambda e: e["id"])


def server_dump(url: str) -> bytes:
    """Every byte the server holds for Perth: the vault table and the rows, every column."""
    conninfo, table = split_table(url)
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(f"SELECT * FROM {table}_vaults").fetchall()
        rows += conn.execute(f"SELECT * FROM {table} ORDER BY seq").fetchall()
    out = b""
    for row in rows:
        for value in row:
            out += bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            out += b"\n"
    return out


def test_two_homes_converge_through_postgresql_and_the_server_holds_no_plaintext(
        homes: Homes, pg_sync_url: str, memory_keyring: MemoryKeyring) -> None:
    canary = f"canary-{secrets.token_hex(8)}"
    assert homes.run("laptop", "log", f"laptop plan {canary}", "--pane", f"work-{canary}").code == 0
    assert homes.run("desktop", "log", "desktop thought", "--pane", "desk").code == 0
    with homes.at("laptop"):
        init = pinned_json(homes.cli, CONTRACTS, "sync", "init", "--server", pg_sync_url)
    assert init["created"] is True and init["key_store"] == "keyring" and "postgres@" not in init["server"]
    assert len(memory_keyring.data) == 1  # the key, in the (test's) keyring
    with homes.at("desktop"):
        joined = pinned_json(homes.cli, CONTRACTS, "sync", "init", "--server", pg_sync_url)
    assert joined["created"] is False and joined["home"] != init["home"]
    # from now on the key comes from the keyring: no passphrase in the environment
    with homes.at("laptop", passphrase=None):
        first = pinned_json(homes.cli, CONTRACTS, "sync", "now")
    assert first["pushed"] == 2  # the pane and its entry
    with homes.at("desktop", passphrase=None):
        second = pinned_json(homes.cli, CONTRACTS, "sync", "now")
    assert (second["pulled"], second["applied"], second["pushed"]) == (2, 2, 2)
    assert homes.run("laptop", "sync", "now", passphrase=None).code == 0
    assert history(homes, "laptop") == history(homes, "desktop")
    assert len(history(homes, "laptop")) == 2
    with homes.at("laptop", passphrase=None):
        state = pinned_json(homes.cli, CONTRACTS, "sync", "status")
    assert state["server_rows"] == 4 and state["pending"] == {"pane": 0, "entry": 0, "command": 0}
    dump = server_dump(pg_sync_url)
    assert len(dump) > 1000
    assert canary.encode() not in dump
    for entry in history(homes, "laptop"):
        for needle in (entry["id"], entry["pane_id"], entry["summary"], entry["pane"]):
            assert needle.encode() not in dump, needle


def _proc(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    env |= {"PERTH_HOME": str(home), "PERTH_SYNC_PASSPHRASE": PASSPHRASE}
    return subprocess.Popen([sys.executable, "-m", "perth", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _both(homes: Homes, *args: str) -> list[str]:
    running = [_proc(homes.home(name), *args) for name in ("laptop", "desktop")]
    outs = []
    for proc in running:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append(out)
    return outs


def test_concurrent_edits_on_two_homes_syncing_at_once_converge(homes: Homes, pg_sync_url: str) -> None:
    assert homes.run("laptop", "log", "shared start", "--pane", "shared").code == 0
    assert homes.run("laptop", "sync", "init", "--server", pg_sync_url, "--key-store", "none").code == 0
    assert homes.run("desktop", "sync", "init", "--server", pg_sync_url, "--key-store", "none").code == 0
    assert homes.run("laptop", "sync", "now").code == 0
    assert homes.run("desktop", "sync", "now").code == 0
    entry = history(homes, "desktop")[0]
    # both edit the same entry, and each logs new entries into the same pane, then both sync at once
    assert homes.run("laptop", "entry", "edit", entry["id"], "--summary", "laptop's version").code == 0
    assert homes.run("desktop", "entry", "edit", entry["id"], "--summary", "desktop's version").code == 0
    for n in range(3):
        assert homes.run("laptop", "log", f"laptop {n}", "--pane", "shared").code == 0
        assert homes.run("desktop", "log", f"desktop {n}", "--pane", "shared").code == 0
    runs = [json.loads(out) for out in _both(homes, "sync", "now", "--format", "json")]
    runs += [json.loads(out) for out in _both(homes, "sync", "now", "--format", "json")]
    assert homes.run("laptop", "sync", "now").code == 0
    assert homes.run("desktop", "sync", "now").code == 0
    laptop, desktop = history(homes, "laptop"), history(homes, "desktop")
    assert laptop == desktop and len(laptop) == 7
    edited = next(e for e in laptop if e["id"] == entry["id"])
    assert edited["summary"] == "desktop's version"  # the later edit, on both
    reported = [c for run in runs for c in run["conflicts"]]
    # the entry both edited, and the pane both logged into (its last-seen time): each reported, once
    assert sorted((c["kind"], c["id"]) for c in reported) == [("entry", entry["id"]), ("pane", entry["pane_id"])]


def test_a_wrong_passphrase_is_refused_and_nothing_is_configured(homes: Homes, pg_sync_url: str) -> None:
    assert homes.run("laptop", "sync", "init", "--server", pg_sync_url, "--key-store", "none").code == 0
    wrong = homes.run("desktop", "sync", "init", "--server", pg_sync_url, passphrase="not it")
    assert wrong.code == 1
    assert wrong.err.strip().splitlines() == [
        "perth: error: wrong sync passphrase for vault 'default' (it does not open the vault's key check) — use"
        " the passphrase given to `perth sync init` on the first machine of this vault"]
    status = homes.run("desktop", "sync", "status", "--format", "json")
    assert json.loads(status.out)["configured"] is False
    # a home whose key is not kept needs the passphrase each time, and says so
    missing = homes.run("laptop", "sync", "now", passphrase=None)
    assert missing.code == 1 and "no sync key for vault 'default'" in missing.err
    assert homes.run("laptop", "sync", "now", passphrase="not it").code == 1


def test_ciphertext_altered_on_the_server_is_rejected_and_nothing_applied(homes: Homes, pg_sync_url: str) -> None:
    for n in range(3):
        assert homes.run("laptop", "log", f"entry {n}", "--pane", "p").code == 0
    assert homes.run("laptop", "sync", "init", "--server", pg_sync_url, "--key-store", "none").code == 0
    assert homes.run("desktop", "sync", "init", "--server", pg_sync_url, "--key-store", "none").code == 0
    assert homes.run("laptop", "sync", "push").code == 0
    conninfo, table = split_table(pg_sync_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"UPDATE {table} SET blob = overlay(blob placing '\\xff'::bytea from 40 for 1)"
                     f" WHERE seq = (SELECT max(seq) FROM {table})")
    pulled = homes.run("desktop", "sync", "pull")
    assert pulled.code == 1
    assert "failed authentication (altered on the server, or not sealed with this vault's key)" in pulled.err
    assert homes.run("desktop", "history", "--format", "json").code == 0
    assert json.loads(homes.cli("history", "--format", "json").out)["entries"] == []


def test_sync_before_init_and_a_bad_server_url_say_what_to_do(homes: Homes) -> None:
    before = homes.run("laptop", "sync", "now")
    assert before.code == 1 and "this home does not sync yet" in before.err and "perth sync init" in before.err
    bad = homes.run("laptop", "sync", "init", "--server", "https://example.invalid/sync")
    assert bad.code == 1 and "must be a postgresql:// URL" in bad.err
    table = homes.run("laptop", "sync", "init", "--server", f"{PG_URL}?table=Bad-Name")
    assert table.code == 1 and "invalid sync table name" in table.err
    assert homes.run("laptop", "sync", "status").code == 0


def test_an_unusable_keyring_fails_before_anything_is_created(homes: Homes, pg_sync_url: str) -> None:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    keyring.set_keyring(FailKeyring())
    result = homes.run("laptop", "sync", "init", "--server", pg_sync_url)
    assert result.code == 1 and "the OS keyring is not usable here" in result.err
    assert "--key-store none" in result.err
    conninfo, table = split_table(pg_sync_url)
    with psycopg.connect(conninfo) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (f"{table}_vaults",)).fetchone()[0]
    assert exists is None  # the server was not even touched
    assert json.loads(homes.run("laptop", "sync", "status", "--format", "json").out)["configured"] is False
