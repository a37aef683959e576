"""What ``perth sync`` does: join or create a vault, find the key, push, pull, report.

Interfaces call these with the runtime, a key store (the OS keyring, or a fake) and, where a
passphrase may be typed, a prompt; nothing here reads the terminal itself.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from perth.record import Record
from perth.sync import crypto
from perth.sync.errors import SyncKeyError, SyncNotConfiguredError
from perth.sync.keys import PASSPHRASE_ENV, KeyStore, decode_key, encode_key
from perth.sync.state import Conflict, SyncState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.sync.engine import SyncEngine, SyncReport
    from perth.sync.server import SyncServer

#: ``prompt(question, confirm)``: a typed passphrase (asked twice when ``confirm``), or None without a terminal.
Prompt = Callable[[str, bool], "str | None"]
KEY_STORES = ("keyring", "none")


def state_path(rt: Runtime) -> str:
    """``sync.db`` in the data directory."""
    return os.path.join(rt.settings.paths.data_dir, "sync.db")


def _key_name(vault: str, home: str) -> str:
    return f"vault:{vault}:home:{home}"


class InitReport(Record):
    """What ``perth sync init`` did."""

    vault: str
    server: str
    home: str
    created: bool
    key_store: str


class StatusReport(Record):
    """``perth sync status``."""

    configured: bool
    vault: str = ""
    server: str = ""
    home: str = ""
    key_store: str = ""
    cursor: int = 0
    last_push_at: int | None = None
    last_pull_at: int | None = None
    synced_records: int = 0
    pending: Mapping[str, int] | None = None
    server_rows: int | None = None
    server_bytes: int | None = None
    server_last_seq: int | None = None
    conflicts_total: int = 0
    conflicts: tuple[Conflict, ...] = ()


def _passphrase(environ: Mapping[str, str], prompt: Prompt | None, question: str, confirm: bool) -> str:
    given = environ.get(PASSPHRASE_ENV)
    if given:
        return given
    typed = prompt(question, confirm) if prompt is not None else None
    if typed is None:
        raise SyncKeyError("no sync passphrase given",
                           f"set {PASSPHRASE_ENV}, or run the command in a terminal to type it")
    return typed


@contextmanager
def _locked(path: str) -> Iterator[None]:
    """One sync at a time per home."""
    from perth.errors import UnavailableError
    from perth.files import locked

    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    busy = UnavailableError("another `perth sync` of this home is still running",
                            "wait for it to finish and run the command again")
    with locked(fd, 60, lambda: busy, poll_s=0.05):
        yield


def init(rt: Runtime, server_url: str, *, vault: str, key_store: KeyStore | None, prompt: Prompt | None,
         open_server: Callable[[str], SyncServer] | None = None) -> InitReport:
    """Create the vault on the server (or join it, checking the passphrase) and make this home sync it."""
    from perth.errors import ConflictError, InvalidInputError
    from perth.sync.registry import open_server as default_open

    if not vault or len(vault) > 64 or not vault.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInputError(f"invalid vault name {vault!r}", "use 1-64 letters, digits, '.', '-' or '_'")
    if key_store is not None:
        key_store.get(_key_name(vault, "probe"))  # an unusable keyring fails now, before the vault is created
    path = state_path(rt)
    state = SyncState(path)
    try:
        if state.configured and (state.get("vault"), state.get("server")) != (vault, server_url):
            raise ConflictError(f"this home already syncs vault {state.get('vault')!r} with another server or vault",
                                "run `perth sync leave` first, then `perth sync init` again")
        server = (open_server or (lambda url: default_open(url, timeout_ms=rt.settings.store.busy_timeout_ms)))(
            server_url)
        try:
            raw = server.vault_params(vault)
            created = raw is None
            passphrase = _passphrase(rt.environ, prompt, f"Passphrase for the {'new ' if created else ''}sync vault"
                                     f" {vault!r}: ", created)
            if raw is None:
                params, keys = crypto.new_vault(passphrase, vault)
                stored = server.create_vault(vault, params.to_bytes())
                created = stored == params.to_bytes()
                if not created:  # another home created it meanwhile: join it
                    params = crypto.VaultParams.from_bytes(stored)
                    keys = crypto.keys_from_master(crypto.derive_master(passphrase, params))
            else:
                params = crypto.VaultParams.from_bytes(raw)
                keys = crypto.keys_from_master(crypto.derive_master(passphrase, params))
            crypto.verify(keys, params, vault)
            location = server.location
        finally:
            server.close()
        home = state.get("home") or secrets.token_hex(8)
        store_name = "keyring" if key_store is not None else "none"
        if key_store is not None:
            key_store.put(_key_name(vault, home), encode_key(keys.master))
        state.set(vault=vault, server=server_url, location=location, home=home, key_store=store_name)
        return InitReport(vault=vault, server=location, home=home, created=created, key_store=store_name)
    finally:
        state.close()


def leave(rt: Runtime, key_store: KeyStore | None) -> str:
    """Stop syncing this home: forget its sync state and stored key (the store and the server are untouched)."""
    path = state_path(rt)
    if not os.path.exists(path):
        return ""
    state = SyncState(path)
    vault, home, kept = state.get("vault"), state.get("home"), state.get("key_store")
    state.close()
    if kept == "keyring" and key_store is not None and vault:
        key_store.delete(_key_name(vault, home))
    for name in (path, path + "-wal", path + "-shm", path + ".lock"):
        if os.path.exists(name):
            os.remove(name)
    return vault


@contextmanager
def session(rt: Runtime, key_store: KeyStore | None, prompt: Prompt | None, *, need_key: bool = True,
            open_server: Callable[[str], SyncServer] | None = None) -> Iterator[SyncEngine]:
    """An engine for this home, its state locked; the key from the passphrase or the key store."""
    from perth.sync.engine import SyncEngine
    from perth.sync.registry import open_server as default_open

    path = state_path(rt)
    if not os.path.exists(path):
        raise SyncNotConfiguredError("this home does not sync yet",
                                     "run `perth sync init --server postgresql://HOST/DB` first")
    state = SyncState(path)
    try:
        if not state.configured:
            raise SyncNotConfiguredError("this home does not sync yet",
                                         "run `perth sync init --server postgresql://HOST/DB` first")
        with _locked(path):
            vault, home = state.get("vault"), state.get("home")
            server = (open_server or (lambda url: default_open(url, timeout_ms=rt.settings.store.busy_timeout_ms)))(
                state.get("server"))
            try:
                keys = _keys(rt, state, server, key_store, prompt) if need_key else crypto.keys_from_master(
                    bytes(crypto.KEY_BYTES))
                yield SyncEngine(rt.store, state, server, keys, vault=vault, home=home, clock=rt.clock)
            finally:
                server.close()
    finally:
        state.close()


def _keys(rt: Runtime, state: SyncState, server: SyncServer, key_store: KeyStore | None,
          prompt: Prompt | None) -> crypto.Keys:
    vault, home = state.get("vault"), state.get("home")
    raw = server.vault_params(vault)
    if raw is None:
        raise SyncKeyError(f"the vault {vault!r} does not exist on {server.location}",
                           "run `perth sync leave` and `perth sync init` to create it again")
    params = crypto.VaultParams.from_bytes(raw)
    stored = key_store.get(_key_name(vault, home)) if key_store is not None and not rt.environ.get(
        PASSPHRASE_ENV) and state.get("key_store") == "keyring" else None
    if stored:
        keys = crypto.keys_from_master(decode_key(stored))
    else:
        passphrase = rt.environ.get(PASSPHRASE_ENV) or (
            prompt(f"Passphrase for the sync vault {vault!r}: ", False) if prompt is not None else None)
        if not passphrase:
            raise SyncKeyError(f"no sync key for vault {vault!r} on this home",
                               f"set {PASSPHRASE_ENV} (or type it in a terminal), or run `perth sync init` again"
                               " to keep the key in the OS keyring")
        keys = crypto.keys_from_master(crypto.derive_master(passphrase, params))
    crypto.verify(keys, params, vault)
    return keys


def run(rt: Runtime, action: str, key_store: KeyStore | None, prompt: Prompt | None,
        open_server: Callable[[str], SyncServer] | None = None) -> SyncReport:
    """``push``, ``pull`` or ``now`` (pull, then push what changed here)."""
    from perth.sync.engine import SyncReport

    with session(rt, key_store, prompt, open_server=open_server) as engine:
        report = SyncReport()
        if action in ("pull", "now"):
            report += engine.pull()
        if action in ("push", "now"):
            report += engine.push()
        return report


def status(rt: Runtime, open_server: Callable[[str], SyncServer] | None = None) -> StatusReport:
    """Where this home stands (no key needed: the server's counts, local pending changes)."""
    path = state_path(rt)
    if not os.path.exists(path):
        return StatusReport(configured=False)
    probe = SyncState(path)
    configured = probe.configured
    probe.close()
    if not configured:
        return StatusReport(configured=False)
    with session(rt, None, None, need_key=False, open_server=open_server) as engine:
        state = engine.state
        rows, size, last = engine.server.stats(engine.vault)
        total, latest = state.conflicts()

        def when(key: str) -> int | None:
            value = state.get(key)
            return int(value) if value else None

        return StatusReport(configured=True, vault=engine.vault, server=state.get("location"), home=engine.home,
                            key_store=state.get("key_store"), cursor=int(state.get("cursor", "0")),
                            last_push_at=when("last_push_at"), last_pull_at=when("last_pull_at"),
                            synced_records=state.count_versions(), pending=engine.pending(), server_rows=rows,
                            server_bytes=size, server_last_seq=last, conflicts_total=total, conflicts=tuple(latest))


def report_json(report: Any) -> dict[str, Any]:
    """A status report as JSON values."""
    data = {name: getattr(report, name) for name in report._fields if name != "conflicts"}
    data["pending"] = dict(report.pending) if report.pending is not None else None
    return data | {"conflicts": [c.to_json() for c in report.conflicts]}
