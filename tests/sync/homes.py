"""Two (or more) homes, each a store and a sync state, syncing through one server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perth.records import PaneQuery
from perth.store.sqlite import SQLiteStore
from perth.store.transfer_parts import canonical
from perth.sync import crypto
from perth.sync.engine import SyncEngine, SyncReport
from perth.sync.kinds import KINDS
from perth.sync.server import SyncServer
from perth.sync.state import SyncState

#: Cheap Argon2id costs: the tests exercise the protocol, not the KDF's strength.
FAST = {"ops": 1, "mem": 8 * 1024}


class Home:
    """One machine: its store, sync state and engine."""

    def __init__(self, root: Path, name: str, server: SyncServer, keys: crypto.Keys, *, vault: str = "v",
                 batch: int = 1000) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.store = SQLiteStore(root / "perth.db")
        self.state = SyncState(str(root / "sync.db"))
        self.now = 1_800_000_000_000
        self.engine = SyncEngine(self.store, self.state, server, keys, vault=vault, home=name,
                                 clock=lambda: self.now, batch=batch)

    def sync(self) -> SyncReport:
        return self.engine.pull() + self.engine.push()

    def contents(self) -> dict[str, list[str]]:
        """Every synced record's canonical data, by kind (what two agreeing homes share)."""
        return {kind.name: sorted(canonical(kind.data(r)) for r in kind.read(self.store)) for kind in KINDS}

    def pane_names(self) -> list[str]:
        return sorted(p.name for p in self.store.panes.query(PaneQuery()))

    def close(self) -> None:
        self.store.close()
        self.state.close()


PASSPHRASE = "correct horse battery staple"


def vault_keys(passphrase: str = PASSPHRASE) -> tuple[crypto.VaultParams, crypto.Keys]:
    return crypto.new_vault(passphrase, "v", **FAST)


def settle(*homes: Home, rounds: int = 3) -> list[Any]:
    reports = []
    for _ in range(rounds):
        for home in homes:
            reports.append(home.sync())
    return reports
