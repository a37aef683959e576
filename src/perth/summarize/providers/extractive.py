"""The ``none`` provider: a deterministic, model-free summary extracted from the context.

No network, no model, no tokens: the text is built from the sections of ``prompt.context``
(already redacted), so the same context always gives byte-identical text.  Missing sections
are left out; lines that do not have the expected shape are ignored, never an error.

Section formats read (as written by :mod:`perth.summarize.collectors`; a section cut by its
collector or by the token budget ends with a ``[... cut ...]`` line, which is skipped):

``commands``
    ``MM-DD HH:MM $ COMMAND  # exit N, DURATION[, in DIR]``, oldest first; a multi-line command
    continues on lines indented by four spaces and its ``  # exit`` note ends the last one.
``intents``
    ``YYYY-MM-DD HH:MM [TYPE] ID: SUMMARY`` (``[TYPE, SOURCE]`` when not manual), oldest first;
    continuation lines indented by four spaces; maybe ending `` (goal: ...)``.
``git.branch``
    ``branch: NAME`` or ``detached HEAD at SHA``, then ``upstream: NAME [ahead N, behind M]``.
``git.status``
    ``git status --porcelain=v1`` lines (``XY PATH``; ``??`` untracked) or ``clean: no changes``.
``git.diffstat``
    ``git diff --stat``: `` PATH | N +-`` lines and a ``N files changed, N insertions(+), N deletions(-)`` total.
``git.log``
    ``SHA DATE SUBJECT``, newest first.
``files``
    ``YYYY-MM-DD HH:MM  PATH``, newest first.
``git.diff``
    a unified diff; read only when there is no diff stat.

Sections of any other name (a journal's facts, for a narrative) are listed by title with their
first line.
"""

from __future__ import annotations

import os
import time

from perth.record import Record
from perth.records import open_next_steps
from perth.summarize.model import SUMMARY_LABEL, Completion, Usage

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

    from perth.resilience.policy import Timeouts
    from perth.summarize.model import Context, Prompt

KNOWN_SECTIONS = ("intents", "commands", "git.branch", "git.status", "git.diffstat", "git.log", "files", "git.diff")
#: Longest quoted command or intent, in characters.
QUOTE_CHARS = 100
#: Longest line of the summary, in characters.
LINE_CHARS = 400
#: Distinct recent commands quoted.
RECENT_COMMANDS = 3
_OTHER_SECTIONS = 5
_CUT_PREFIX = "[... cut "
_PATTERNS: dict[str, re.Pattern[str]] = {}
_SOURCES = {
    "command": r"^\d\d-\d\d \d\d:\d\d \$ (.*)$",
    "note": r"^exit (-?\d{1,9}|\?)(?:,|$)",
    "intent": r"^\d{4}-\d\d-\d\d \d\d:\d\d \[([^\]\n]{1,80})\] [^:\s]{1,40}: (.*)$",
    "total": r"^ ?(\d{1,9}) files? changed(?:, (\d{1,9}) insertions?\(\+\))?(?:, (\d{1,9}) deletions?\(-\))?",
    "commit": r"^([0-9a-f]{4,40}) (\d{4}-\d\d-\d\d) (.*)$",
    "file": r"^\d{4}-\d\d-\d\d \d\d:\d\d  (.+)$",
}


def _pattern(name: str) -> re.Pattern[str]:
    found = _PATTERNS.get(name)
    if found is None:
        import re

        found = _PATTERNS[name] = re.compile(_SOURCES[name])
    return found


class ExtractiveProvider:
    """The model-free provider ``none`` (model ``extractive``): always available, no usage."""

    name = "none"
    model = "extractive"

    def complete(self, prompt: Prompt, timeouts: Timeouts) -> Completion:
        """The extractive summary of ``prompt.context`` (the timeouts do not apply)."""
        started = time.monotonic()
        text = extract_summary(prompt.context)
        return Completion(provider=self.name, model=self.model, text=text, usage=Usage(),
                          latency_ms=int((time.monotonic() - started) * 1000))


# --------------------------------------------------------------------------- parsed facts


class CommandFact(Record):
    """One command of the ``commands`` section: its text and exit status (None when unknown)."""

    text: str
    exit: int | None = None


class IntentFact(Record):
    """One entry of the ``intents`` section: its type, summary, and whether it is an earlier Perth summary."""

    type: str
    summary: str
    generated: bool = False


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith(_CUT_PREFIX)]


def _records(text: str, head: str) -> list[tuple[re.Match[str], str]]:
    """Lines matching the ``head`` pattern, each with its four-space continuation lines appended."""
    found: list[tuple[re.Match[str], str]] = []
    for line in _lines(text):
        match = _pattern(head).match(line)
        if match:
            found.append((match, match.group(match.lastindex or 0)))
        elif line.startswith("    ") and found:
            found[-1] = (found[-1][0], found[-1][1] + "\n" + line[4:])
    return found


def parse_commands(text: str) -> list[CommandFact]:
    """The commands of a ``commands`` section, oldest first."""
    facts = []
    for _match, body in _records(text, "command"):
        command, exit_code = body, None
        head, sep, note = body.rpartition("  # ")
        status = _pattern("note").match(note) if sep else None
        if status:
            command = head
            exit_code = None if status.group(1) == "?" else int(status.group(1))
        if command.strip():
            facts.append(CommandFact(text=command.strip(), exit=exit_code))
    return facts


def parse_intents(text: str) -> list[IntentFact]:
    """The entries of an ``intents`` section, oldest first."""
    facts = []
    for match, body in _records(text, "intent"):
        kind, _, source = match.group(1).partition(",")
        if body.strip():
            facts.append(IntentFact(type=kind.strip(), summary=body.strip(),
                                    generated=source.strip() == SUMMARY_LABEL))
    return facts


# --------------------------------------------------------------------------- the summary


def extract_summary(context: Context | None) -> str:
    """The summary: where (pane, repository, branch), the recent commands (count, failures, the last
    failure, the latest distinct ones), the changes (diff stat or diff, working tree), the latest
    commit, the last intent and the last stated next step and blocker."""
    if context is None:
        return "No context was collected, so there is nothing to summarize."
    sections = {section.name: str(section.text) for section in context.sections}
    lines = [_where(context, sections.get("git.branch", "")), _commands_line(sections.get("commands", "")),
             _changes_line(sections), _commits_line(sections.get("git.log", ""))]
    lines += _intent_lines(sections.get("intents", ""))
    lines += _other_lines(context)
    kept = [_cut(line, LINE_CHARS) for line in lines if line]
    if len(kept) == 1:
        kept.append("No commands, changes or intents were recorded.")
    return "\n".join(kept)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(command: str) -> str:
    first, _, rest = command.partition("\n")
    return "`" + _cut(first + (" …" if rest.strip() else ""), QUOTE_CHARS).replace("`", "'") + "`"


def _where(context: Context, branch_text: str) -> str:
    branch, upstream = context.branch, ""
    for line in _lines(branch_text):
        if line.startswith("branch: "):
            branch = line[len("branch: "):].strip() or branch
        elif line.startswith("detached HEAD"):
            branch = line.strip()
        elif line.startswith("upstream: ") and "[" in line:
            upstream = line[line.index("[") + 1:].rstrip("]").strip()
    place = os.path.basename(context.repo_root.rstrip(os.sep)) if context.repo_root else context.cwd
    where = f"Worked in pane {context.pane_name} on {place}" if context.pane_name else f"Worked in {place}"
    if branch:
        where += f" ({branch}" + (f", {upstream}" if upstream and upstream != "up to date" else "") + ")"
    return where + "."


def _commands_line(text: str) -> str:
    commands = parse_commands(text)
    if not commands:
        return ""
    failures = [c for c in commands if c.exit not in (None, 0)]
    line = f"Recent commands: {len(commands)}, {len(failures)} failed"
    if failures:
        line += f"; last failure: {_quote(failures[-1].text)} (exit {failures[-1].exit})"
    recent: list[str] = []
    for command in reversed(commands):
        quoted = _quote(command.text)
        if quoted not in recent:
            recent.append(quoted)
        if len(recent) == RECENT_COMMANDS:
            break
    return line + "; latest: " + ", ".join(reversed(recent)) + "."


def _changes_line(sections: dict[str, str]) -> str:
    parts = [_diffstat_part(sections.get("git.diffstat", "")) or _diff_part(sections.get("git.diff", ""))]
    parts.append(_status_part(sections.get("git.status", "")))
    if not any(parts):
        parts.append(_files_part(sections.get("files", "")))
    kept = [part for part in parts if part]
    return "Changes: " + "; ".join(kept) + "." if kept else ""


def _diffstat_part(text: str) -> str:
    lines = _lines(text)
    totals = [match for line in lines if (match := _pattern("total").match(line))]
    if not totals:
        return ""
    counted = []
    for line in lines:
        path, bar, change = line.rpartition(" | ")
        count = (change.split() or [""])[0]
        if bar and path.strip() and count.isascii() and count.isdigit():
            counted.append((-int(count[:9]), path.strip()))
    top = ", ".join(path for _n, path in sorted(counted)[:3])
    files = int(totals[-1].group(1))
    added, removed = (int(group or "0") for group in totals[-1].group(2, 3))
    return f"{files} file{'s' if files != 1 else ''} changed, +{added} -{removed}" + (f" ({top})" if top else "")


def _diff_part(text: str) -> str:
    files = added = removed = 0
    for line in text.splitlines():
        if line.startswith("diff --git "):
            files += 1
        elif line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return f"{files} file{'s' if files != 1 else ''} changed, +{added} -{removed}" if files else ""


def _status_part(text: str) -> str:
    entries = [line for line in _lines(text) if len(line) > 3 and line[2] == " " and not line.startswith("clean:")]
    untracked = sum(1 for line in entries if line.startswith("??"))
    tracked = len(entries) - untracked
    bits = [f"{tracked} uncommitted file{'s' if tracked != 1 else ''}"] if tracked else []
    bits += [f"{untracked} untracked file{'s' if untracked != 1 else ''}"] if untracked else []
    if not bits and any(line.startswith("clean:") for line in _lines(text)):
        bits.append("working tree clean")
    return ", ".join(bits)


def _files_part(text: str) -> str:
    paths = [match.group(1).strip() for line in _lines(text) if (match := _pattern("file").match(line))]
    return "recently modified " + ", ".join(paths[:3]) if paths else ""


def _commits_line(text: str) -> str:
    commits = [match for line in _lines(text) if (match := _pattern("commit").match(line))]
    if not commits:
        return ""
    latest = commits[0]
    subject = _cut(latest.group(3), QUOTE_CHARS)
    return f"Recent commits: {len(commits)} listed, latest {latest.group(1)} ({latest.group(2)}) \"{subject}\"."


def _intent_lines(text: str) -> list[str]:
    # Perth's own earlier summaries are not the user's intents: quoting them would nest summaries.
    intents = [intent for intent in parse_intents(text) if not intent.generated]
    if not intents:
        return []
    last = intents[-1]
    lines = [f"Last intent: [{last.type}] {_cut(last.summary, QUOTE_CHARS * 2)}"]
    for kind, label in (("next", "Next step"), ("blocker", "Blocker")):
        found = open_next_steps(intents) if kind == "next" else [i for i in intents if i.type == kind]
        if found and found[-1] is not last:
            lines.append(f"{label}: {_cut(found[-1].summary, QUOTE_CHARS * 2)}")
    return lines


def _other_lines(context: Context) -> list[str]:
    lines = []
    for section in context.sections:
        if section.name in KNOWN_SECTIONS:
            continue
        body = _lines(str(section.text))
        if body:
            more = f" (+{len(body) - 1} more line{'s' if len(body) != 2 else ''})" if len(body) > 1 else ""
            lines.append(f"{_cut(section.title or section.name, 60)}: {_cut(body[0], QUOTE_CHARS * 2)}{more}")
    return lines[:_OTHER_SECTIONS]
