"""Carry out a restore plan; on failure close what this restore created (newest first)."""

from __future__ import annotations

import time

from perth.errors import PerthError
from perth.events.emit import emit
from perth.mux.restore import RestoreReport, plan
from perth.mux.service import log_step

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from perth.mux.model import SessionSnap, Snapshot
    from perth.mux.port import Multiplexer
    from perth.mux.restore import Action
    from perth.runtime import Runtime

REUSE = ("reuse-session", "reuse-window", "reuse-pane")


class Executor:
    """Runs actions against a multiplexer, remembering what it created."""

    def __init__(self, mux: Multiplexer) -> None:
        self.mux = mux
        self.panes: dict[str, str] = {}
        self.created: list[tuple[str, str, int, str]] = []
        self.counts = {"created": 0, "reused": 0, "run": 0, "typed": 0}

    def step(self, action: Action) -> None:
        """One action."""
        if action.op in REUSE:
            self.counts["reused"] += 1
            if action.pane_id:
                self.panes[action.ref] = action.pane_id
            return
        handler: Callable[[Action], None] = getattr(self, "_" + action.op.replace("-", "_"))
        handler(action)

    def _new_session(self, a: Action) -> None:
        from perth.mux.tmux import layout_size

        self.panes[a.ref] = self.mux.new_session(a.session, a.window, a.text, a.cwd, layout_size(a.layout))
        self.created.append(("session", a.session, a.window, ""))
        self.counts["created"] += 1

    def _new_window(self, a: Action) -> None:
        self.panes[a.ref] = self.mux.new_window(a.session, a.window, a.text, a.cwd)
        self.created.append(("window", a.session, a.window, ""))
        self.counts["created"] += 1

    def _split(self, a: Action) -> None:
        self.panes[a.ref] = self.mux.split(self.panes[a.text], a.cwd, floating=a.floating)
        self.created.append(("pane", a.session, a.window, self.panes[a.ref]))
        self.counts["created"] += 1

    def _layout(self, a: Action) -> None:
        self.mux.apply_layout(a.session, a.window, a.text)

    def _name(self, a: Action) -> None:
        self.mux.set_name(self.panes[a.ref], a.text)

    def _run(self, a: Action) -> None:
        self.mux.send_text(self.panes[a.ref], a.text, enter=True)
        self.counts["run"] += 1

    def _type(self, a: Action) -> None:
        self.mux.send_text(self.panes[a.ref], a.text, enter=False)
        self.counts["typed"] += 1

    def _focus(self, a: Action) -> None:
        self.mux.focus(a.session, a.window, self.panes.get(a.ref))

    def _zoom(self, a: Action) -> None:
        self.mux.zoom(self.panes[a.ref])

    def rollback(self) -> tuple[list[str], list[str]]:
        """Close what was created, newest first, skipping what a closed session or window takes along."""
        closed: list[str] = []
        failures: list[str] = []
        sessions = {s for kind, s, _w, _p in self.created if kind == "session"}
        windows = {(s, w) for kind, s, w, _p in self.created if kind == "window"}
        for kind, session, window, pane_id in reversed(self.created):
            if (kind != "session" and session in sessions) or (kind == "pane" and (session, window) in windows):
                continue
            try:
                self._close(kind, session, window, pane_id)
            except PerthError as exc:
                failures.append(f"could not close {kind} {session}:{window}: {exc.what}")
                continue
            closed.append(f"{kind} {pane_id or f'{session}:{window}'}")
        return closed, failures

    def _close(self, kind: str, session: str, window: int, pane_id: str) -> None:
        if kind == "session":
            self.mux.kill_session(session)
        elif kind == "window":
            self.mux.kill_window(session, window)
        else:
            self.mux.kill_pane(pane_id)


def restore(rt: Runtime, mux: Multiplexer, snapshot: Snapshot, *, rename: str | None = None,
            dry_run: bool = False) -> RestoreReport:
    """Plan and (unless ``dry_run``) execute; a failure rolls back and is reported, then raised."""
    started = time.monotonic()
    calls_before = mux.calls
    allow = rt.settings.get("mux.restore_commands")
    assert isinstance(allow, tuple)  # noqa: S101 - a list key
    actions = plan(snapshot, _live(mux), allow, rename)
    warnings = _warnings(actions, allow)
    if snapshot.mux not in (mux.kind, "fake") and mux.kind != "fake":
        warnings.append(f"snapshot taken with {snapshot.mux}, restored into {mux.kind} — layouts are not portable;"
                        " check the panes' sizes after the restore")
    if dry_run or all(a.op in REUSE for a in actions):
        return RestoreReport(snapshot=snapshot.name, status="dry-run" if dry_run else "nothing to do",
                             actions=tuple(actions), reused=sum(a.op in REUSE for a in actions),
                             mux_calls=mux.calls - calls_before, warnings=tuple(warnings))
    runner = Executor(mux)
    log_step(rt, "restore.start", snapshot=snapshot.name, actions=len(actions))
    try:
        for action in actions:
            runner.step(action)
    except PerthError as exc:
        closed, failures = runner.rollback()
        log_step(rt, "restore.rolled_back", snapshot=snapshot.name, closed=len(closed), error=exc.what)
        raise RestoreFailedError(exc, _report(snapshot, "failed", actions, runner, started=started,
                                              calls=mux.calls - calls_before, warnings=[*warnings, *failures],
                                              closed=closed)) from exc
    report = _report(snapshot, "ok", actions, runner, started=started, calls=mux.calls - calls_before,
                     warnings=warnings, closed=[])
    log_step(rt, "restore.done", snapshot=snapshot.name, created=report.created, ms=report.duration_ms)
    emit(rt, "perth.session.restored", report)
    return report


def _live(mux: Multiplexer) -> tuple[SessionSnap, ...]:
    """The live sessions; none when no server runs yet (after a reboot: creating a session starts it)."""
    from perth.mux.port import MuxNotRunningError

    try:
        return mux.sessions()
    except MuxNotRunningError:
        return ()


def _report(snapshot: Snapshot, status: str, actions: Sequence[Action], runner: Executor, *, started: float,
            calls: int, warnings: Sequence[str], closed: Sequence[str]) -> RestoreReport:
    c = runner.counts
    return RestoreReport(snapshot=snapshot.name, status=status, actions=tuple(actions), created=c["created"],
                         reused=c["reused"], commands_run=c["run"], commands_typed=c["typed"],
                         duration_ms=round((time.monotonic() - started) * 1000), mux_calls=calls,
                         warnings=tuple(warnings), rolled_back=tuple(closed))


def _warnings(actions: Sequence[Action], allow: Sequence[str]) -> list[str]:
    typed = [a for a in actions if a.op == "type"]
    if not typed:
        return []
    return [f"{len(typed)} command(s) typed but not run (not on mux.restore_commands) — press Enter in the pane,"
            " or add the program to mux.restore_commands to re-run it on restore"]


class RestoreFailedError(PerthError):
    """A restore failed part-way; what it created was closed again (``report`` says what)."""

    def __init__(self, cause: PerthError, report: RestoreReport) -> None:
        super().__init__(f"restore of {report.snapshot!r} failed: {cause.what}; closed {len(report.rolled_back)}"
                         " object(s) it had created", cause.fix or "fix the cause and run `perth restore` again")
        self.exit_code = cause.exit_code
        self.report = report
