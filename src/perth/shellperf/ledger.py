"""The application side of shellperf: evaluate runs, keep them in the ledger, manage baselines.

Interfaces call these with a :class:`~perth.runtime.Runtime`; the store does the persistence
through the Store port.  Recording a run and updating its scope's governance state is one
transaction.  ``explore`` runs are never written.
"""

from __future__ import annotations

import re

from perth.errors import InvalidInputError, NotFoundError
from perth.events.emit import emit
from perth.ids import uuid7
from perth.shellperf.budgets import check_budgets
from perth.shellperf.compare import compare_runs
from perth.shellperf.governance import Assessment, assess
from perth.shellperf.records import Baseline, GovernanceState, LedgerEntry
from perth.shellperf.settings import ShellperfSettings, load_shellperf_settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime
    from perth.shellperf.records import Run

BASELINE_NAME = re.compile(r"[A-Za-z0-9._/-]{1,64}")
MIN_SHORT_ID = 6


def shellperf_settings(rt: Runtime) -> ShellperfSettings:
    """The ``[shellperf]`` settings of this runtime."""
    return load_shellperf_settings(rt.settings)


def check_baseline_name(name: str) -> str:
    """A valid baseline name, or an :class:`InvalidInputError` with the rule."""
    if not BASELINE_NAME.fullmatch(name):
        raise InvalidInputError(f"invalid baseline name {name!r}",
                                "use 1-64 characters from A-Z a-z 0-9 . _ / -, e.g. main or before-omz")
    return name


def find_baseline(rt: Runtime, name: str | None, scope: str) -> Baseline | None:
    """The named baseline (``NotFoundError`` if absent), else ``shellperf.baseline``, else the scope's newest."""
    chosen = name or shellperf_settings(rt).baseline
    if chosen:
        baseline = rt.store.shellperf.get_baseline(chosen)
        if baseline is None:
            raise NotFoundError(f"no baseline named {chosen!r}",
                                "list them with `perth shellperf baseline list`, or save one with `baseline save`")
        return baseline
    found = rt.store.shellperf.list_baselines(scope=scope)
    return found[0] if found else None


def load_entry(rt: Runtime, ref: str = "latest", scope: str | None = None) -> LedgerEntry:
    """A recorded run: ``latest`` (of the scope, if given), a full id, or its last characters."""
    store = rt.store
    if ref == "latest":
        entries = store.shellperf.list_runs(scope=scope, limit=1)
        if not entries:
            raise NotFoundError("no shellperf run is recorded yet", "measure one with `perth shellperf run`")
        return entries[0]
    entry = store.shellperf.get_run(ref)
    if entry is not None:
        return entry
    ids = store.shellperf.find_run_ids(ref) if len(ref) >= MIN_SHORT_ID else []
    if len(ids) == 1:
        found = store.shellperf.get_run(ids[0])
        if found is not None:
            return found
    if len(ids) > 1:
        raise InvalidInputError(f"run id {ref!r} is ambiguous", "give more characters of the id")
    raise NotFoundError(f"no shellperf run {ref!r}", "list runs with `perth shellperf ledger`")


def redacted(rt: Runtime, run: Run) -> Run:
    """The run with its user-given text (``--env`` values, label, paths) through the secret filter.

    The shell was started with the real values; what is stored and shown is filtered.
    """
    from perth.record import replace

    def clean(text: str | None) -> str | None:
        return None if text is None else str(rt.redact(text, "shellperf"))

    spec = run.spec
    filtered = replace(spec, env=tuple(str(rt.redact(item, "shellperf")) for item in spec.env),
                       label=clean(spec.label) or "", rc=clean(spec.rc), zdotdir=clean(spec.zdotdir))
    return replace(run, spec=filtered)


def evaluate(rt: Runtime, run: Run, baseline_name: str | None = None) -> Assessment:
    """Compare with the baseline, check budgets and apply governance (nothing is written)."""
    settings = shellperf_settings(rt)
    baseline = find_baseline(rt, baseline_name, run.scope)
    deltas = []
    if baseline is not None and baseline.run_id != run.id:
        reference = load_entry(rt, baseline.run_id)
        deltas = compare_runs(reference.run, run, settings.thresholds)
    stage = settings.budget_stage
    budgets = check_budgets(run, settings.budgets.get(stage, {}), stage)
    state = rt.store.shellperf.get_governance(run.scope) or GovernanceState(scope=run.scope)
    return assess(run, deltas, budgets, state=state, settings=settings,
                  baseline=baseline.name if baseline is not None else None)


def record(rt: Runtime, run: Run, assessment: Assessment) -> bool:
    """Keep the run and the new governance state (one transaction); ``False`` for ephemeral runs."""
    if run.ephemeral:
        return False
    summary = assessment.to_json()
    with rt.store.unit():
        rt.store.shellperf.add_run(LedgerEntry(run=run, verdict=assessment.verdict, assessment=summary))
        rt.store.shellperf.put_governance(assessment.state)
        emit(rt, "perth.shellperf.classified", LedgerEntry(run=run, verdict=assessment.verdict, assessment=summary))
    return True


def save_baseline(rt: Runtime, name: str, run_ref: str = "latest", note: str = "", *,
                  replace_existing: bool = False) -> Baseline:
    """Name a recorded run as a baseline; ``replace_existing`` moves an existing name."""
    check_baseline_name(name)
    entry = load_entry(rt, run_ref)
    now = rt.clock()
    baseline = Baseline(id=uuid7(now), name=name, run_id=entry.run.id, scope=entry.run.scope, created_at=now,
                        note=rt.redact(note, "shellperf") if note else "")
    with rt.store.unit():
        if replace_existing:
            rt.store.shellperf.delete_baseline(name, now)
        rt.store.shellperf.add_baseline(baseline)
    return baseline


def get_baseline(rt: Runtime, name: str) -> tuple[Baseline, LedgerEntry]:
    """A baseline and the run it names."""
    baseline = rt.store.shellperf.get_baseline(check_baseline_name(name))
    if baseline is None:
        raise NotFoundError(f"no baseline named {name!r}", "list them with `perth shellperf baseline list`")
    return baseline, load_entry(rt, baseline.run_id)


def delete_baseline(rt: Runtime, name: str) -> Baseline:
    """Soft-delete a baseline (its run stays in the ledger)."""
    baseline, _entry = get_baseline(rt, name)
    rt.store.shellperf.delete_baseline(name, rt.clock())
    return baseline


def governance_state(rt: Runtime, scope: str) -> GovernanceState:
    """The stored streaks of a scope (a fresh state when none is stored)."""
    return rt.store.shellperf.get_governance(scope) or GovernanceState(scope=scope)


def known_scopes(rt: Runtime) -> list[str]:
    """Scopes with recorded runs, most recent first."""
    scopes: dict[str, None] = {}
    for entry in rt.store.shellperf.list_runs(limit=500):
        scopes.setdefault(entry.run.scope, None)
    return list(scopes)
