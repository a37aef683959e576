"""The unit of work and the capability declaration, on every adapter."""

from __future__ import annotations

import pytest

from perth.records import EntryQuery
from perth.store.port import Store
from tests.store.contract.builders import make_entry, make_pane


def test_transaction_rolls_back_everything(store: Store) -> None:
    pane = make_pane("p")
    with pytest.raises(RuntimeError), store.unit():
        store.panes.add(pane)
        store.entries.add(make_entry(pane, 1))
        raise RuntimeError
    assert store.panes.get(name="p") is None
    assert store.entries.query(EntryQuery()) == []


def test_info_counts_live_rows(store: Store) -> None:
    pane = make_pane("p")
    store.panes.add(pane)
    store.entries.add(make_entry(pane, 1))
    info = store.info()
    assert (info.panes, info.entries) == (1, 1)
    assert info.schema_version == info.latest_schema_version


def test_the_declared_ports_open_and_the_others_are_a_clear_error(store: Store) -> None:
    from perth.errors import UnsupportedByStoreError
    from perth.store.ports import PORTS

    assert store.capabilities <= frozenset(PORTS)
    for port in PORTS:
        if port in store.capabilities:
            assert getattr(store, port) is getattr(store, port)  # built once, then shared
        else:
            with pytest.raises(UnsupportedByStoreError, match=f"the {port} port is not supported by the"):
                getattr(store, port)


def test_every_port_of_a_unit_shares_its_transaction(store: Store) -> None:
    from perth.resilience.state import BreakerState

    pane = make_pane("p")
    with pytest.raises(RuntimeError), store.unit() as uow:
        uow.panes.add(pane)
        uow.breakers.put(BreakerState(name="events:x", updated_at=1))
        uow.redaction_stats.add({("jwt", "intent"): 1}, at=1)
        raise RuntimeError
    assert (store.panes.get(name="p"), store.breakers.get("events:x"), store.redaction_stats.all()) == \
        (None, None, [])
