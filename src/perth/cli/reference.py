"""Render the CLI reference (``docs/cli.md``) from the parsers' ``--help``.

``python -m perth.cli.reference > docs/cli.md`` regenerates it; a test fails
when the file is stale or when any command lacks help text.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

from perth.cli.main import build_parser

HEADER = """# CLI reference

Generated from `perth --help` by `make docs` (`python -m perth.cli.reference`); do not edit by hand.
"""


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("perth",)) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    """Every (command path, parser, one-line help) in the tree, depth first."""
    yield path, parser, None
    # argparse exposes its subcommands only through these private attributes
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, child in action.choices.items():
            for sub_path, sub_parser, sub_help in walk(child, (*path, name)):
                yield sub_path, sub_parser, helps.get(name) if sub_path == (*path, name) else sub_help


def render_reference() -> str:
    """The whole reference as Markdown."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # stable wrapping, whatever the terminal
    try:
        parts = [HEADER]
        for path, parser, _help in walk(build_parser()):
            parser.prog = " ".join(path)
            level = "#" * min(len(path) + 1, 4)
            parts.append(f"{level} `{' '.join(path)}`\n\n```text\n{parser.format_help().rstrip()}\n```\n")
        return "\n".join(parts)
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


if __name__ == "__main__":
    print(render_reference(), end="")
