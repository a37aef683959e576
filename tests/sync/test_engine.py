"""The sync protocol between homes, against the in-memory server: convergence, idempotence,
conflicts resolved the same way everywhere, pane names, and rows the server altered rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.record import replace
from perth.records import Entry, PaneQuery
from perth.sync import crypto
from perth.sync.errors import SyncKeyError, SyncTamperedError
from perth.sync.server import MemoryServer, ServerRow
from tests.store.contract.builders import make_entry, make_pane
from tests.store.contract.test_commands import command
from tests.sync.homes import FAST, Home, settle, vault_keys

PARAMS, KEYS = vault_keys()


@pytest.fixture
def server() -> MemoryServer:
    return MemoryServer()


@pytest.fixture
def two(tmp_path: Path, server: MemoryServer) -> tuple[Home, Home]:
    return Home(tmp_path / "laptop", "laptop", server, KEYS), Home(tmp_path / "desktop", "desktop", server, KEYS)


def test_panes_entries_and_commands_reach_the_other_home_once(two: tuple[Home, Home], server: MemoryServer) -> None:
    laptop, desktop = two
    pane = make_pane("fix/auth", tags=("t",), meta={"k": "v"})
    laptop.store.panes.add(pane)
    for ts in range(2_000, 2_010):
        laptop.store.entries.add(make_entry(pane, ts, summary=f"step {ts}", tags=("x",)))
    laptop.store.commands.add([command(n, f"make t{n}", pane.id) for n in range(1, 4)])
    pushed = laptop.sync()
    assert pushed.pushed == 14 and pushed.sent_bytes > pushed.plaintext_bytes > 0
    pulled = desktop.sync()
    assert (pulled.pulled, pulled.applied, pulled.pushed) == (14, 14, 0)
    assert desktop.contents() == laptop.contents()
    assert {e.pane_name for e in desktop.store.entries.stream()} == {"fix/auth"}
    rows = len(server.rows["v"])
    for home in (laptop, desktop, laptop, desktop):  # nothing new: nothing sent, nothing applied
        again = home.sync()
        assert (again.pushed, again.applied) == (0, 0)
    assert len(server.rows["v"]) == rows
    assert desktop.store.entries.count() == 10 and desktop.store.panes.count() == 1


def test_reapplying_every_row_from_the_start_duplicates_nothing(two: tuple[Home, Home]) -> None:
    laptop, desktop = two
    pane = make_pane("p")
    laptop.store.panes.add(pane)
    laptop.store.entries.add(make_entry(pane, 2_000))
    laptop.store.commands.add([command(1, "ls", pane.id)])
    settle(laptop, desktop)
    before = desktop.contents()
    desktop.state.set(cursor=0)  # as after a crash between the store's commit and the state's
    with desktop.state.transaction():
        desktop.state._db.execute("DELETE FROM versions")  # and with the versions lost too
    report = desktop.engine.pull()
    assert report.pulled == 3 and report.conflicts == ()
    assert desktop.contents() == before
    assert desktop.engine.push().pushed == 0


def test_concurrent_edits_of_one_entry_converge_on_the_later_edit(two: tuple[Home, Home]) -> None:
    laptop, desktop = two
    pane = make_pane("p")
    laptop.store.panes.add(pane)
    entry = make_entry(pane, 2_000, summary="original")
    laptop.store.entries.add(entry)
    settle(laptop, desktop)
    laptop.store.entries.update(replace(entry, summary="laptop's edit", updated_at=5_000))
    desktop.store.entries.update(replace(entry, summary="desktop's later edit", updated_at=6_000))
    first = laptop.sync()  # pushes its edit first
    second = desktop.sync()  # pulls the earlier edit while its own is newer: keeps its own, pushes it
    assert [c.kept for c in second.conflicts] == ["local"] and second.pushed == 1
    settle(laptop, desktop)
    for home in (laptop, desktop):
        got = home.store.entries.get(entry.id)
        assert got is not None and got.summary == "desktop's later edit"
    assert laptop.contents() == desktop.contents()
    assert first.conflicts == ()


def test_a_local_edit_older_than_the_remote_one_is_replaced_and_reported(two: tuple[Home, Home]) -> None:
    laptop, desktop = two
    pane = make_pane("p")
    laptop.store.panes.add(pane)
    entry = make_entry(pane, 2_000)
    laptop.store.entries.add(entry)
    settle(laptop, desktop)
    desktop.store.entries.update(replace(entry, summary="newer", updated_at=9_000))
    desktop.sync()
    laptop.store.entries.update(replace(entry, summary="older", updated_at=8_000, deleted_at=8_000))
    report = laptop.sync()
    assert [(c.kind, c.reason, c.kept, c.winner_home, c.loser_home) for c in report.conflicts] == [
        ("entry", "concurrent edit", "remote", "desktop", "laptop")]
    assert laptop.state.conflicts()[0] == 1
    settle(laptop, desktop)
    assert laptop.contents() == desktop.contents()
    got = laptop.store.entries.get(entry.id)
    assert got is not None and got.summary == "newer" and got.deleted_at is None


def test_one_pane_name_created_on_both_homes_keeps_both_panes(two: tuple[Home, Home]) -> None:
    laptop, desktop = two
    older, newer = make_pane("main", at=1_000), make_pane("main", at=2_000)
    laptop.store.panes.add(newer)
    desktop.store.panes.add(older)
    laptop.store.entries.add(make_entry(newer, 3_000, summary="on the laptop"))
    desktop.store.entries.add(make_entry(older, 3_500, summary="on the desktop"))
    reports = settle(laptop, desktop)
    assert any(c.reason == "pane name" for r in reports for c in r.conflicts)
    expected = sorted(["main", f"main-{newer.id[-6:]}"])
    assert laptop.pane_names() == desktop.pane_names() == expected
    assert laptop.contents() == desktop.contents()
    assert laptop.store.entries.count() == desktop.store.entries.count() == 2


def test_soft_deletion_and_pane_edits_sync(two: tuple[Home, Home]) -> None:
    laptop, desktop = two
    pane = make_pane("p")
    laptop.store.panes.add(pane)
    entry = make_entry(pane, 2_000)
    laptop.store.entries.add(entry)
    settle(laptop, desktop)
    desktop.store.entries.update(replace(entry, deleted_at=3_000))
    desktop.store.panes.update(replace(pane, status="closed", tags=("done",)))
    settle(laptop, desktop)
    assert laptop.store.entries.get(entry.id) is None
    got = laptop.store.panes.get(pane_id=pane.id)
    assert got is not None and got.status == "closed" and got.tags == ("done",)


def _tamper(server: MemoryServer, n: int, **change: object) -> None:
    rows = server.rows["v"]
    rows[n] = replace(rows[n], **change)  # type: ignore[arg-type]


@pytest.mark.parametrize("change", ["flip a ciphertext bit", "move to another record", "claim another home",
                                    "truncate"])
def test_rows_altered_on_the_server_are_rejected_before_anything_is_applied(
        two: tuple[Home, Home], server: MemoryServer, change: str) -> None:
    laptop, desktop = two
    pane = make_pane("p")
    laptop.store.panes.add(pane)
    laptop.store.entries.add(make_entry(pane, 2_000))
    laptop.store.entries.add(make_entry(pane, 2_001))
    laptop.sync()
    row: ServerRow = server.rows["v"][2]
    if change == "flip a ciphertext bit":
        _tamper(server, 2, blob=row.blob[:-5] + bytes([row.blob[-5] ^ 1]) + row.blob[-4:])
    elif change == "move to another record":
        _tamper(server, 2, key=server.rows["v"][1].key)
    elif change == "claim another home":
        _tamper(server, 2, home="desktop")
    else:
        _tamper(server, 2, blob=row.blob[:30])
    with pytest.raises(SyncTamperedError, match="row 3 of vault 'v'"):
        desktop.engine.pull()
    assert desktop.store.panes.count() == 0 and desktop.state.get("cursor", "0") == "0"


def test_a_wrong_passphrase_does_not_open_the_vault() -> None:
    wrong = crypto.keys_from_master(crypto.derive_master("not the passphrase", PARAMS))
    with pytest.raises(SyncKeyError, match="wrong sync passphrase for vault 'v'"):
        crypto.verify(wrong, PARAMS, "v")
    crypto.verify(KEYS, PARAMS, "v")
    with pytest.raises(SyncKeyError, match="wrong sync passphrase"):
        crypto.verify(KEYS, PARAMS, "another-vault")  # the check is bound to its vault


@settings(max_examples=60, deadline=None)
@given(plaintext=st.binary(max_size=300), ad=st.binary(max_size=40), flip=st.integers(min_value=0))
def test_sealed_records_open_only_unaltered_and_under_their_associated_data(plaintext: bytes, ad: bytes,
                                                                            flip: int) -> None:
    blob = crypto.seal(KEYS, plaintext, ad)
    assert crypto.unseal(KEYS, blob, ad) == plaintext
    assert crypto.seal(KEYS, plaintext, ad) != blob  # a fresh nonce each time
    position = flip % len(blob)
    altered = blob[:position] + bytes([blob[position] ^ 0x01]) + blob[position + 1:]
    with pytest.raises(SyncTamperedError):
        crypto.unseal(KEYS, altered, ad)
    with pytest.raises(SyncTamperedError):
        crypto.unseal(KEYS, blob, ad + b"x")


OPS = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["pane", "entry", "edit", "delete", "sync"]),
                         st.integers(0, 3), st.integers(0, 10_000)), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_interleaving_of_edits_and_syncs_converges(tmp_path_factory: pytest.TempPathFactory,
                                                       ops: list[tuple[int, str, int, int]]) -> None:
    root = tmp_path_factory.mktemp("homes")
    server = MemoryServer()
    homes = [Home(root / f"h{n}", f"home-{n}", server, KEYS, batch=3) for n in range(3)]
    try:
        for who, op, which, at in ops:
            home = homes[who]
            panes = home.store.panes.query(PaneQuery())
            entries: list[Entry] = list(home.store.entries.stream())
            if op == "pane":
                pane = make_pane(f"p{which}", at=1_000 + at)
                if home.store.panes.get(name=pane.name) is None and home.store.panes.get(pane_id=pane.id,
                                                                                        include_deleted=True) is None:
                    home.store.panes.add(pane)
            elif op == "entry" and panes:
                entry = make_entry(panes[which % len(panes)], 20_000 + at, summary=f"{home.name} {at}")
                if home.store.entries.get(entry.id, include_deleted=True) is None:
                    home.store.entries.add(entry)
            elif op == "edit" and entries:
                target = entries[which % len(entries)]
                home.store.entries.update(replace(target, summary=f"edit {home.name} {at}", updated_at=30_000 + at))
            elif op == "delete" and entries:
                target = entries[which % len(entries)]
                home.store.entries.update(replace(target, deleted_at=30_000 + at))
            elif op == "sync":
                home.sync()
        settle(*homes)
        assert homes[0].contents() == homes[1].contents() == homes[2].contents()
        assert len(set(homes[0].pane_names())) == len(homes[0].pane_names())
    finally:
        for home in homes:
            home.close()


def test_the_kdf_costs_are_the_vaults_own() -> None:
    params, keys = crypto.new_vault("pass", "w", **FAST)
    assert (params.ops, params.mem) == (FAST["ops"], FAST["mem"])
    same = crypto.keys_from_master(crypto.derive_master("pass", crypto.VaultParams.from_bytes(params.to_bytes())))
    assert same == keys


def test_vault_parameters_the_server_could_alter_are_refused() -> None:
    data = json.loads(PARAMS.to_bytes())
    for change in ({"mem": 1 << 40}, {"ops": 0}, {"salt": None, "check": None}):
        with pytest.raises(SyncTamperedError):
            crypto.VaultParams.from_bytes(json.dumps({**data, **change}).encode())
    with pytest.raises(SyncTamperedError):
        crypto.VaultParams.from_bytes(b"not json")
    weaker = crypto.VaultParams.from_bytes(json.dumps({**data, "ops": 2}).encode())
    with pytest.raises(SyncKeyError, match="wrong sync passphrase"):  # the check was sealed under the real key
        crypto.verify(crypto.keys_from_master(crypto.derive_master("correct horse battery staple", weaker)),
                      weaker, "v")
