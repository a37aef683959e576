"""The CLI reference is generated from --help and must be current; every command has help."""

from __future__ import annotations

from pathlib import Path

from perth.cli.main import COMMANDS, build_parser
from perth.cli.reference import render_reference, walk

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_command_and_option_has_help() -> None:
    missing = []
    for path, parser, one_line in walk(build_parser()):
        name = " ".join(path)
        if len(path) > 1 and not (one_line and one_line.strip()):
            missing.append(f"{name}: no one-line help")
        if len(path) > 1 and not (parser.description and parser.description.strip()):
            missing.append(f"{name}: no description")
        for action in parser._actions:
            if action.help is None and action.dest not in ("help",) and action.option_strings:
                missing.append(f"{name} {action.option_strings[0]}: no help")
            if action.help is None and not action.option_strings and action.dest not in ("command", "action"):
                missing.append(f"{name} {action.dest}: no help")
    assert missing == []


def test_cli_reference_is_current() -> None:
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == render_reference(), "docs/cli.md is stale: run `make docs`"


def test_every_command_has_a_docs_entry() -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"`perth {name}`" in reference
