"""Pane operations: create, look up, list, rename, tag, meta, status changes, delete."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.events.emit import emit
from perth.gitinfo import find_repo
from perth.ids import uuid7
from perth.panes.resolve import Resolution, mux_identity, resolve
from perth.record import Record, replace
from perth.records import (
    MUX_KINDS,
    PANE_STATUSES,
    Pane,
    PaneQuery,
    check_choice,
    check_pane_name,
    check_tag,
)
from perth.runtime import Runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.records import PaneStatus


class PaneSpec(Record):
    """What ``perth pane create`` may set; unset fields are detected from the environment."""

    name: str
    session: str | None = None
    tab: str | None = None
    mux_kind: str | None = None
    mux_pane_id: str | None = None
    cwd: str | None = None
    tags: tuple[str, ...] = ()
    meta: Mapping[str, str] | None = None
    attach: bool = True
    auto_key: str | None = None


def check_not_secret(rt: Runtime, kind: str, value: str) -> str:
    """Refuse names and tags that look like credentials (they are never redacted)."""
    findings = rt.secret_filter.findings(value)
    if findings:
        raise InvalidInputError(
            f"the {kind} looks like a secret ({findings[0].rule_id})",
            f"choose a {kind} that does not contain a credential",
        )
    return value


def clean_tags(rt: Runtime, tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({check_not_secret(rt, "tag", check_tag(tag)) for tag in tags}))


def clean_meta(rt: Runtime, meta: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in meta.items():
        check_tag(key)
        cleaned[key] = rt.redact(value, "pane")
    return cleaned


def parse_assignments(items: Sequence[str], what: str) -> dict[str, str]:
    """Parse ``KEY=VALUE`` strings."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"invalid {what} {item!r}", f"write it as KEY=VALUE, e.g. {what} ticket=OPS-12")
        parsed[key.strip()] = value
    return parsed


def create_pane(rt: Runtime, spec: PaneSpec) -> Pane:
    """Register a new pane; detects cwd, repository, branch and multiplexer pane."""
    name = check_not_secret(rt, "pane name", check_pane_name(spec.name))
    cwd = os.path.abspath(os.path.expanduser(spec.cwd)) if spec.cwd else rt.cwd
    repo = find_repo(cwd)
    mux_kind, mux_pane_id, session = spec.mux_kind or "none", spec.mux_pane_id, spec.session
    detected = mux_identity(rt.environ) if spec.attach and spec.mux_kind is None else None
    if detected is not None:
        mux_kind, mux_pane_id, session = detected[0], detected[1], session or detected[2]
    check_choice("multiplexer", mux_kind, MUX_KINDS)
    if mux_kind != "none" and mux_pane_id and rt.store.panes.find_by_mux(mux_kind, mux_pane_id):
        owner = rt.store.panes.find_by_mux(mux_kind, mux_pane_id)
        assert owner is not None  # noqa: S101 - checked on the line above
        raise ConflictError(
            f"{mux_kind} pane {mux_pane_id} is already registered as {owner.name!r}",
            f"use --no-attach, or rename the existing pane: perth pane rename {owner.name} {name}",
        )
    now = rt.clock()
    pane = Pane(
        id=uuid7(), name=name, created_at=now, last_seen_at=now,
        session=rt.redact_optional(session, "pane"), tab=rt.redact_optional(spec.tab, "pane"),
        mux_kind=mux_kind, mux_pane_id=mux_pane_id if mux_kind != "none" else None,
        cwd=rt.redact(cwd, "pane"), repo_root=rt.redact_optional(repo.root if repo else None, "pane"),
        branch=rt.redact_optional(repo.branch if repo else None, "pane"), tags=clean_tags(rt, spec.tags),
        meta=clean_meta(rt, spec.meta or {}), auto_key=spec.auto_key, owner=rt.owner,
    )
    with rt.store.unit():
        rt.store.panes.add(pane)
        emit(rt, "perth.pane.created", pane)
    return pane


def get_pane(rt: Runtime, name: str, *, include_deleted: bool = False) -> Pane:
    """A pane by name (or id), or :class:`NotFoundError`."""
    pane = rt.store.panes.get(name=name, include_deleted=include_deleted)
    if pane is None and len(name) == 36:
        pane = rt.store.panes.get(pane_id=name, include_deleted=include_deleted)
    if pane is None:
        raise NotFoundError(f"no pane named {name!r}", "list panes with `perth pane list`")
    return pane


def list_panes(rt: Runtime, *, statuses: Sequence[str] = (), tags: Sequence[str] = (),
               include_deleted: bool = False) -> list[Pane]:
    """Panes filtered by status and tags, most recently seen first."""
    for status in statuses:
        check_choice("pane status", status, PANE_STATUSES)
    return rt.store.panes.query(PaneQuery(statuses=tuple(statuses), tags=tuple(tags),
                                         include_deleted=include_deleted))


def rename_pane(rt: Runtime, old: str, new: str) -> Pane:
    """Rename a pane; its entries follow it."""
    pane = get_pane(rt, old)
    name = check_not_secret(rt, "pane name", check_pane_name(new))
    updated = replace(pane, name=name, last_seen_at=rt.clock())
    rt.store.panes.update(updated)
    return updated


def tag_pane(rt: Runtime, name: str, add: Sequence[str], remove: Sequence[str]) -> Pane:
    """Add and remove tags."""
    pane = get_pane(rt, name)
    tags = (set(pane.tags) | set(clean_tags(rt, add))) - set(remove)
    updated = replace(pane, tags=tuple(sorted(tags)))
    rt.store.panes.update(updated)
    return updated


def set_pane_meta(rt: Runtime, name: str, values: Mapping[str, str], unset: Sequence[str]) -> Pane:
    """Set and remove free ``meta`` key/values (values pass the secret filter)."""
    pane = get_pane(rt, name)
    meta = {**pane.meta, **clean_meta(rt, values)}
    for key in unset:
        meta.pop(key, None)
    updated = replace(pane, meta=meta)
    rt.store.panes.update(updated)
    return updated


def share_pane(rt: Runtime, name: str, team: str) -> Pane:
    """Share one of your panes with a team of yours (``""``: make it private again); multi-user stores only."""
    if not rt.settings.store.multi_user:
        from perth.errors import ConfigError

        raise ConfigError("sharing a pane needs a multi-user store",
                          "set store.multi_user = true on the shared store (docs/team.md)")
    if team:
        from perth.identity.service import check_team

        check_not_secret(rt, "team name", check_team(team))
    updated = replace(get_pane(rt, name), team=team)
    rt.store.panes.update(updated)
    return updated


def set_pane_status(rt: Runtime, name: str, status: PaneStatus) -> Pane:
    """Close, archive or reopen a pane."""
    pane = get_pane(rt, name)
    updated = replace(pane, status=status, last_seen_at=rt.clock())
    with rt.store.unit():
        rt.store.panes.update(updated)
        if status == "closed" != pane.status:
            emit(rt, "perth.pane.closed", updated)
    return updated


def delete_pane(rt: Runtime, name: str) -> tuple[Pane, int]:
    """Soft-delete a pane and its entries; returns the pane and how many entries went with it."""
    pane = get_pane(rt, name)
    now = rt.clock()
    store = rt.store
    with store.unit():
        removed = 0
        for entry in list(store.entries.stream((pane.id,))):
            store.entries.update(replace(entry, deleted_at=now))
            removed += 1
        store.panes.update(replace(pane, deleted_at=now))
    return replace(pane, deleted_at=now), removed


def pane_for_write(rt: Runtime, explicit: str | None) -> tuple[Pane, Resolution]:
    """The pane a new entry goes to, creating the automatic pane when allowed."""
    found = resolve(rt, explicit)
    pane = found.pane
    if pane is None:
        if found.how != "auto" and not rt.settings.get_bool("panes.auto_create"):
            raise NotFoundError(f"no pane named {found.name!r} ({found.detail})",
                                f"create it with `perth pane create {found.name}`")
        if found.how == "auto" and not rt.settings.get_bool("panes.auto_create"):
            raise NotFoundError("no current pane (panes.auto_create is off)",
                                "pass --pane NAME or set PERTH_PANE")
        try:
            pane = create_pane(rt, PaneSpec(name=found.name, attach=found.how == "auto", auto_key=found.auto_key))
        except ConflictError:  # another process created it since we looked: write to that one
            pane = rt.store.panes.get(name=found.name)
            if pane is None:
                raise
        return pane, replace(found, pane=pane)
    if found.how == "auto" and found.auto_key is not None and pane.auto_key is None:
        pane = replace(pane, auto_key=found.auto_key)  # a pane from before places were recorded
        rt.store.panes.update(pane)
    if pane.status == "archived":
        raise ConflictError(f"pane {pane.name!r} is archived",
                            f"reopen it with `perth pane reopen {pane.name}`")
    return pane, found
