"""After the first command: when deferred loading has finished, and what the configuration provides.

``deferred_ready_ms`` is ``t0`` → the later of

- the last screen output before the screen stays quiet for :data:`QUIET_MS` (a deferred prompt
  segment, a plugin's late redraw), and
- when the configuration is instrumented and marks deferred work (a segment of phase
  ``deferred``, see ``perth shellperf instrument``): the ``deferred_total`` marker's time, waited
  for until the sample's deadline.

Command lag and input lag are measured after that moment, so that deferred loading (zsh-defer,
Perth's ``postprompt`` features) does not land in them.  Deferred work that prints nothing and is
not instrumented cannot be seen from outside the shell: zsh-bench waits a fixed 0.7 s instead.
"""

from __future__ import annotations

from perth.shellperf.capabilities import CAPABILITIES, DIGITS, parse_digits, probe_command
from perth.shellperf.records import Measurement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.shellperf.launch import LaunchPlan
    from perth.shellperf.probe import Probe

MS = 1_000_000
QUIET_MS = 100
POLL_MS = 10


def _deferred_marker(log: str) -> tuple[bool, float | None]:
    """Whether the log names deferred work, and the ``deferred_total`` marker's epoch seconds."""
    try:
        with open(log, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return False, None
    deferred = any(" phase=deferred" in line for line in lines if line.startswith("SEGMENT "))
    for line in lines:
        if line.startswith("SEGMENT name=deferred_total ") and " at=" in line:
            try:
                return True, float(line.rsplit(" at=", 1)[1].split()[0].replace(",", "."))
            except (ValueError, IndexError):
                return True, None
    return deferred, None


def deferred_ready(probe: Probe, log: str) -> Measurement:
    """See the module docstring."""
    probe.settle(quiet_ms=QUIET_MS, max_ms=probe.deadline_ns / MS)
    session = probe.session
    last = probe.screen.time_at(len(probe.screen)) if len(probe.screen) else session.exec_ns
    value = (last - session.exec_ns) / MS
    deferred, marker = _deferred_marker(log)
    while deferred and marker is None and not session.closed and session.now() < probe.deadline_ns:
        probe.pump(min(session.now() + POLL_MS * MS, probe.deadline_ns))
        deferred, marker = _deferred_marker(log)
    if deferred and marker is None:
        return Measurement.missing(probe.why_not("the deferred_total marker of the deferred work was written"))
    if marker is not None:
        exec_epoch_ns = session.started_epoch_ns + (session.exec_ns - session.started_ns)
        value = max(value, (marker * 1e9 - exec_epoch_ns) / MS)
    return Measurement.native(value)


def git_prompt(probe: Probe, plan: LaunchPlan, command_end: int | None) -> dict[str, bool | None]:
    """The flags with ``has_git_prompt`` filled in when the run has a git fixture."""
    flags: dict[str, bool | None] = dict.fromkeys(CAPABILITIES)
    if plan.branch_token and command_end is not None:
        branch_end = probe.find_any((plan.branch_token,), 0)
        flags["has_git_prompt"] = (branch_end is not None
                                   and probe.screen.time_at(branch_end) <= probe.screen.time_at(command_end))
    return flags


def probe_capabilities(probe: Probe, plan: LaunchPlan) -> dict[str, bool | None]:
    """Type the probe command and read its digits (``None`` each when they do not appear)."""
    start = len(probe.screen)
    probe.type(probe_command(plan.shell, plan.token))
    end = probe.wait_for((f"{plan.token}caps",), start)
    if end is None:
        return dict.fromkeys(CAPABILITIES[:3])
    wanted = end + DIGITS[plan.shell]
    while len(probe.screen) < wanted and not probe.session.closed and probe.session.now() < probe.deadline_ns:
        probe.pump(probe.deadline_ns)
    return parse_digits(plan.shell, probe.screen.text[end:wanted])
