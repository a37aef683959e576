"""A small reader for the KDL that ``zellij action dump-layout`` prints, and a layout writer.

Only the subset Zellij emits is read: nodes ``name arg... key=value... { children }`` one per
line, quoted strings, ``//`` comments.
"""

from __future__ import annotations

import shlex

from perth.errors import PerthError
from perth.record import EMPTY_MAP, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from perth.mux.model import SessionSnap, WindowSnap


class Node(Record):
    """One KDL node."""

    name: str
    args: tuple[str, ...] = ()
    props: Mapping[str, str] = EMPTY_MAP
    children: tuple[Node, ...] = ()


def _node(words: list[str]) -> tuple[str, tuple[str, ...], dict[str, str]]:
    args: list[str] = []
    props: dict[str, str] = {}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if eq and key.isidentifier():
            props[key] = value
        else:
            args.append(word)
    return words[0], tuple(args), props


def parse(text: str) -> list[Node]:
    """Top-level nodes of a KDL document."""
    stack: list[tuple[str, tuple[str, ...], dict[str, str], list[Node]]] = [("", (), {}, [])]
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip() if '"' not in raw else raw.strip()
        if not line:
            continue
        if line == "}":
            if len(stack) < 2:
                raise PerthError("unbalanced braces in a Zellij layout", "report the dump-layout output")
            name, args, props, kids = stack.pop()
            stack[-1][3].append(Node(name, args, props, tuple(kids)))
            continue
        opens = line.endswith("{")
        words = shlex.split(line.rstrip("{").strip())
        if not words:
            continue
        name, args, props = _node(words)
        if opens:
            stack.append((name, args, props, []))
        else:
            stack[-1][3].append(Node(name, args, props))
    if len(stack) != 1:
        raise PerthError("unbalanced braces in a Zellij layout", "report the dump-layout output")
    return stack[0][3]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pane_kdl(pane: object, indent: str, allow: Sequence[str]) -> list[str]:
    from perth.mux.model import PaneSnap

    assert isinstance(pane, PaneSnap)  # noqa: S101
    props = [f"cwd={_q(pane.cwd)}"] if pane.cwd else []
    if pane.perth_name:
        props.append(f"name={_q(pane.perth_name)}")
    if pane.focused:
        props.append("focus=true")
    words = pane.command.split()
    if not words:
        return [f"{indent}pane {' '.join(props)}".rstrip()]
    lines = [f"{indent}pane command={_q(words[0])} {' '.join(props)} {{".replace("  ", " ")]
    if len(words) > 1:
        lines.append(f"{indent}    args {' '.join(_q(w) for w in words[1:])}")
    from perth.mux.restore import allowed

    if not allowed(pane.command, allow):
        lines.append(f"{indent}    start_suspended true")
    return [*lines, f"{indent}}}"]


def _tab_kdl(window: WindowSnap, allow: Sequence[str]) -> list[str]:
    focus = " focus=true" if window.active else ""
    lines = [f"    tab name={_q(window.name)}{focus} {{"]
    for pane in (p for p in window.panes if not p.floating):
        lines += _pane_kdl(pane, "        ", allow)
    floating = [p for p in window.panes if p.floating]
    if floating:
        lines.append("        floating_panes {")
        for pane in floating:
            lines += _pane_kdl(pane, "            ", allow)
        lines.append("        }")
    return [*lines, "    }"]


def layout_for(session: SessionSnap, allow: Sequence[str] = ()) -> str:
    """A Zellij layout (KDL) recreating a saved session; commands off the allow-list start suspended."""
    lines = ["layout {"]
    for window in session.windows:
        lines += _tab_kdl(window, allow)
    return "\n".join([*lines, "}"]) + "\n"
